//! Webhook consumers in Codat's shapes (`WebhookConsumer`): `GET /webhooks` lists them,
//! `POST /webhooks` creates one (answering 201 with its secret, shown this once), and
//! `DELETE /webhooks/{webhookId}` deletes one (204). `COMMERCE_WEBHOOK_URL`, when set, is
//! listed first as [`IMPLICIT_CONSUMER_ID`]; it is the operator's, so deleting it through the
//! API is refused (403).
//!
//! A consumer's URL is an absolute `http`/`https` URL whose literal host is not on a loopback,
//! private or link-local network unless the operator allows it (see `crate::client_webhooks::guard`).
//! `eventTypes` must be event types this server sends (none: all of them); `companyTags` are
//! at most 10 `tagKey:tagValue` strings of at most 128 characters.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use commerce_store::{NewWebhookConsumer, WebhookConsumer};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::client_webhooks::guard::check_literal;
use crate::client_webhooks::{WebhookSecret, EVENT_TYPES, IMPLICIT_CONSUMER_ID, MAX_CONSUMERS};
use crate::error::ApiError;
use crate::state::AppState;

/// The most company tags on one consumer, and the longest tag (Codat's limits).
const MAX_COMPANY_TAGS: usize = 10;
const MAX_COMPANY_TAG_LEN: usize = 128;
/// The longest consumer URL accepted.
const MAX_URL_LEN: usize = 2048;

/// Codat's `webhookConsumerPrototype`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ConsumerPrototype {
    url: Option<String>,
    disabled: Option<bool>,
    event_types: Option<Vec<String>>,
    company_tags: Option<Vec<String>>,
}

impl ConsumerPrototype {
    /// A prototype from the dashboard's form.
    pub(crate) fn new(
        url: Option<String>,
        disabled: bool,
        event_types: Vec<String>,
        company_tags: Option<Vec<String>>,
    ) -> Self {
        ConsumerPrototype {
            url,
            disabled: Some(disabled),
            event_types: Some(event_types),
            company_tags,
        }
    }
}

/// One consumer as the API shows it (Codat's `WebhookConsumer`).
fn consumer_json(
    id: Uuid,
    url: &str,
    event_types: &[String],
    disabled: bool,
    company_tags: Option<&[String]>,
) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(id));
    object.insert("url".into(), json!(url));
    object.insert("eventTypes".into(), json!(event_types));
    object.insert("disabled".into(), json!(disabled));
    if let Some(tags) = company_tags {
        object.insert("companyTags".into(), json!(tags));
    }
    Value::Object(object)
}

fn stored_json(consumer: &WebhookConsumer) -> Value {
    consumer_json(
        consumer.id,
        &consumer.url,
        &consumer.event_types,
        consumer.disabled,
        consumer.company_tags.as_deref(),
    )
}

/// Every consumer: the implicit one first (when configured), then the stored ones, oldest
/// first.
pub(crate) async fn consumers(state: &AppState) -> Result<Vec<Value>, ApiError> {
    let mut results = Vec::new();
    if let Some((url, _)) = state
        .client_webhooks()
        .and_then(|hooks| hooks.config().receiver.as_ref())
    {
        let all: Vec<String> = EVENT_TYPES.iter().map(|t| (*t).to_owned()).collect();
        results.push(consumer_json(
            IMPLICIT_CONSUMER_ID,
            url.as_str(),
            &all,
            false,
            None,
        ));
    }
    for consumer in state.store().list_webhook_consumers().await? {
        results.push(stored_json(&consumer));
    }
    Ok(results)
}

/// `GET /webhooks`.
pub(crate) async fn list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "results": consumers(&state).await? })))
}

/// A validated prototype, ready to store.
pub(crate) fn validate(
    state: &AppState,
    prototype: ConsumerPrototype,
) -> Result<NewWebhookConsumer, ApiError> {
    let url_text = prototype
        .url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .ok_or_else(|| ApiError::bad_request("url is required"))?;
    if url_text.len() > MAX_URL_LEN {
        return Err(ApiError::bad_request(format!(
            "url must be at most {MAX_URL_LEN} characters"
        )));
    }
    let url = match url::Url::parse(url_text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => url,
        _ => {
            return Err(ApiError::bad_request(
                "url must be an absolute http:// or https:// URL",
            ))
        }
    };
    let allow_private = state
        .client_webhooks()
        .is_some_and(|hooks| hooks.config().allow_private_urls);
    if !allow_private {
        check_literal(&url)
            .map_err(|refused| ApiError::bad_request(format!("url is refused: {refused}")))?;
    }
    let mut event_types = Vec::new();
    for event_type in prototype.event_types.unwrap_or_default() {
        if !EVENT_TYPES.contains(&event_type.as_str()) {
            return Err(ApiError::bad_request(format!(
                "eventTypes: {event_type:?} is not an event type this server sends; use {}",
                EVENT_TYPES.join(", ")
            )));
        }
        if !event_types.contains(&event_type) {
            event_types.push(event_type);
        }
    }
    let company_tags = match prototype.company_tags {
        None => None,
        Some(tags) => {
            if tags.len() > MAX_COMPANY_TAGS {
                return Err(ApiError::bad_request(format!(
                    "companyTags holds at most {MAX_COMPANY_TAGS} tags"
                )));
            }
            for tag in &tags {
                let well_formed = tag.chars().count() <= MAX_COMPANY_TAG_LEN
                    && !tag.chars().any(char::is_control)
                    && tag.split_once(':').is_some_and(|(key, _)| !key.is_empty());
                if !well_formed {
                    return Err(ApiError::bad_request(format!(
                        "companyTags: {tag:?} must be tagKey:tagValue, at most {MAX_COMPANY_TAG_LEN} characters"
                    )));
                }
            }
            Some(tags)
        }
    };
    Ok(
        NewWebhookConsumer::new(url.to_string(), SecretString::from(String::new()))
            .with_event_types(event_types)
            .with_company_tags(company_tags)
            .with_disabled(prototype.disabled.unwrap_or(false)),
    )
}

/// Stores a consumer with a new secret; returns it as the API shows it, with `secret`.
pub(crate) async fn create_consumer(
    state: &AppState,
    consumer: NewWebhookConsumer,
) -> Result<(WebhookConsumer, WebhookSecret), ApiError> {
    if state.store().list_webhook_consumers().await?.len() >= MAX_CONSUMERS {
        return Err(ApiError::bad_request(format!(
            "There are already {MAX_CONSUMERS} webhook consumers, the most allowed; delete one first"
        )));
    }
    let secret = WebhookSecret::generate();
    let mut consumer = consumer;
    consumer.secret = SecretString::from(secret.expose().to_owned());
    let created = state.store().create_webhook_consumer(&consumer).await?;
    tracing::info!(consumer = %created.id, "webhook consumer created");
    Ok((created, secret))
}

/// `POST /webhooks`: 201 with the consumer and its `secret` (shown only here).
pub(crate) async fn create(
    State(state): State<AppState>,
    body: Result<Json<ConsumerPrototype>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(prototype) = body.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    let consumer = validate(&state, prototype)?;
    let (created, secret) = create_consumer(&state, consumer).await?;
    let mut value = stored_json(&created);
    if let Value::Object(object) = &mut value {
        object.insert("secret".into(), json!(secret.expose()));
    }
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

/// Why a consumer could not be deleted.
pub(crate) enum DeleteError {
    /// No such consumer.
    NotFound,
    /// The implicit consumer belongs to the configuration.
    Configured,
    /// The store failed.
    Store(commerce_store::StoreError),
}

/// Deletes a stored consumer.
pub(crate) async fn delete_consumer(state: &AppState, id: &str) -> Result<(), DeleteError> {
    let id = Uuid::parse_str(id).map_err(|_| DeleteError::NotFound)?;
    if id == IMPLICIT_CONSUMER_ID
        && state
            .client_webhooks()
            .is_some_and(|hooks| hooks.config().receiver.is_some())
    {
        return Err(DeleteError::Configured);
    }
    match state.store().delete_webhook_consumer(id).await {
        Ok(true) => {
            tracing::info!(consumer = %id, "webhook consumer deleted");
            Ok(())
        }
        Ok(false) => Err(DeleteError::NotFound),
        Err(error) => Err(DeleteError::Store(error)),
    }
}

/// `DELETE /webhooks/{webhookId}`: 204.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path(webhook_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    match delete_consumer(&state, &webhook_id).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(DeleteError::NotFound) => Err(ApiError::not_found(format!(
            "No webhook consumer was found with ID {webhook_id}"
        ))),
        Err(DeleteError::Configured) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "This webhook consumer is configured by COMMERCE_WEBHOOK_URL; remove the setting to remove it",
        )),
        Err(DeleteError::Store(error)) => Err(error.into()),
    }
}
