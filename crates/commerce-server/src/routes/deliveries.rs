//! `GET /webhooks/deliveries` (paged, newest first, optional `companyId`, `status`, `eventId`
//! and `consumerId` filters) and `GET /webhooks/deliveries/{deliveryId}` (the event as sent,
//! with every attempt). A delivery is one event to one consumer.

use axum::extract::{Path, RawQuery, State};
use axum::Json;
use commerce_model::Page;
use commerce_store::{ClientEvent, ClientEventFilter, DeliveryAttempt, DeliveryStatus, StoreError};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::codat::date;
use crate::error::ApiError;
use crate::routes::{query_params, Paging};
use crate::state::AppState;

/// The path of the list.
pub(crate) const DELIVERIES_PATH: &str = "/webhooks/deliveries";

/// One delivery's state (`WebhookDelivery` in `/openapi.json`).
pub(crate) fn event_json(event: &ClientEvent) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(event.id));
    object.insert("eventId".into(), json!(event.event_id));
    if let Some(consumer_id) = event.consumer_id {
        object.insert("consumerId".into(), json!(consumer_id));
    }
    object.insert("eventType".into(), json!(event.event_type));
    object.insert("companyId".into(), json!(event.company_id));
    if let Some(connection_id) = event.connection_id {
        object.insert("connectionId".into(), json!(connection_id));
    }
    object.insert("status".into(), json!(event.status.as_str()));
    object.insert("attemptCount".into(), json!(event.attempts));
    object.insert("created".into(), json!(date(event.created)));
    if event.status == DeliveryStatus::Pending {
        if let Some(next) = event.next_attempt_at {
            object.insert("nextAttempt".into(), json!(date(next)));
        }
    }
    if let Some(completed) = event.completed {
        object.insert("completed".into(), json!(date(completed)));
    }
    if let Some(time) = event.last_attempt_at {
        let mut last = Map::new();
        last.insert("time".into(), json!(date(time)));
        if let Some(code) = event.last_status_code {
            last.insert("statusCode".into(), json!(code));
        }
        if let Some(error) = &event.last_error {
            last.insert("error".into(), json!(error));
        }
        object.insert("lastAttempt".into(), Value::Object(last));
    }
    Value::Object(object)
}

/// One attempt (`WebhookDeliveryAttempt`).
pub(crate) fn attempt_json(attempt: &DeliveryAttempt) -> Value {
    let mut object = Map::new();
    object.insert("attempt".into(), json!(attempt.attempt));
    object.insert("time".into(), json!(date(attempt.attempted_at)));
    if let Some(code) = attempt.status_code {
        object.insert("statusCode".into(), json!(code));
    }
    if let Some(error) = &attempt.error {
        object.insert("error".into(), json!(error));
    }
    object.insert(
        "durationMs".into(),
        json!(u64::try_from(attempt.duration.as_millis()).unwrap_or(u64::MAX)),
    );
    Value::Object(object)
}

pub(crate) async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<Value>>, ApiError> {
    let params = query_params(raw.as_deref());
    let paging = Paging::parse(&params)?.without_query("webhook deliveries")?;
    let mut filter = ClientEventFilter::default();
    let mut extra = Vec::new();
    if let Some(company) = params.get("companyId").filter(|text| !text.is_empty()) {
        let id = Uuid::parse_str(company).map_err(|_| {
            ApiError::bad_request(format!("companyId must be a company id, got {company:?}"))
        })?;
        filter.company_id = Some(id);
        extra.push(("companyId", id.to_string()));
    }
    for (name, slot) in [
        ("eventId", &mut filter.event_id),
        ("consumerId", &mut filter.consumer_id),
    ] {
        if let Some(text) = params.get(name).filter(|text| !text.is_empty()) {
            let id = Uuid::parse_str(text).map_err(|_| {
                ApiError::bad_request(format!("{name} must be a UUID, got {text:?}"))
            })?;
            *slot = Some(id);
            extra.push((name, id.to_string()));
        }
    }
    if let Some(status) = params.get("status").filter(|text| !text.is_empty()) {
        let parsed = DeliveryStatus::parse(status).map_err(|_| {
            ApiError::bad_request(format!(
                "status must be Pending, Delivered or Failed, got {status:?}"
            ))
        })?;
        filter.status = Some(parsed);
        extra.push(("status", parsed.as_str().to_owned()));
    }
    let (events, total) = state
        .store()
        .list_client_events(&filter, paging.offset(), u64::from(paging.page_size))
        .await?;
    let extra: Vec<(&str, &str)> = extra
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    Ok(Json(Page::new(
        events.iter().map(event_json).collect(),
        paging.page,
        paging.page_size,
        total,
        DELIVERIES_PATH,
        &extra,
    )))
}

pub(crate) async fn get_one(
    State(state): State<AppState>,
    Path(delivery_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let not_found = || {
        ApiError::not_found(format!(
            "No webhook delivery was found with ID {delivery_id}"
        ))
    };
    let id = Uuid::parse_str(&delivery_id).map_err(|_| not_found())?;
    let event = match state.store().get_client_event(id).await {
        Ok(event) => event,
        Err(StoreError::NotFound { .. }) => return Err(not_found()),
        Err(error) => return Err(error.into()),
    };
    let attempts = state.store().list_delivery_attempts(id).await?;
    let mut value = event_json(&event);
    if let Value::Object(object) = &mut value {
        object.insert(
            "event".into(),
            serde_json::from_str(&event.body).unwrap_or(Value::String(event.body.clone())),
        );
        object.insert(
            "attempts".into(),
            Value::Array(attempts.iter().map(attempt_json).collect()),
        );
    }
    Ok(Json(value))
}
