//! `POST /webhooks/{platform}`: calls from a platform (e.g. Stripe's Connect webhooks at
//! `/webhooks/stripe`).
//!
//! The request (headers and raw body) goes to [`Platform::handle_webhook`] of every registered
//! platform that answers to the path segment (its key, Codat key or an alias, or the callback
//! segment its `PlatformInfo` declares, which integrations of one platform share), until one
//! verifies it; none verifying is `400`. A verified event is handled once: its id (the body's
//! top-level `"id"` when it is a JSON object with one, otherwise the body's SHA-256) is inserted
//! in the store first, under a unique key, so that of concurrent copies only the one whose
//! insert succeeds acts; a redelivery is acknowledged without acting again. When acting fails
//! the id is removed again, so the platform's retry is handled. A deauthorization marks
//! the account's connections `Deauthorized`; changed records queue pulls of the affected data
//! types at once.
//!
//! [`Platform::handle_webhook`]: commerce_model::platform::Platform::handle_webhook

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use commerce_model::platform::{Platform, PlatformError, WebhookOutcome, WebhookRequest};
use commerce_store::ConnectionStatus;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

pub(crate) async fn receive(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let candidates: Vec<Arc<dyn Platform>> = state
        .platforms()
        .platforms()
        .filter(|platform| {
            let info = platform.info();
            info.answers_to(&segment) || info.callback_segment == segment
        })
        .cloned()
        .collect();
    if candidates.is_empty() {
        return Err(ApiError::not_found(format!(
            "No integration {segment} is enabled on this server"
        )));
    }
    let request = WebhookRequest {
        headers: headers
            .iter()
            .filter_map(|(name, value)| {
                Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
            })
            .collect(),
        body: body.to_vec(),
    };
    let mut refusal = None;
    let mut verified = None;
    for platform in candidates {
        match platform.handle_webhook(request.clone()).await {
            Ok(outcome) => {
                verified = Some((platform, outcome));
                break;
            }
            Err(PlatformError::InvalidWebhook { reason }) => refusal = Some(reason),
            Err(PlatformError::Unsupported { .. }) => {}
            Err(error) => {
                tracing::error!(platform = %platform.key(), error = %error, "handling a webhook failed");
                return Err(ApiError::internal());
            }
        }
    }
    let Some((platform, outcome)) = verified else {
        let reason = refusal.unwrap_or_else(|| "webhooks are not supported".to_owned());
        tracing::warn!(segment = %segment, reason = %reason, "webhook refused");
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("Webhook refused: {reason}"),
        ));
    };
    let key = platform.key().as_str().to_owned();
    let event_id = event_id(&request.body);
    // The event id goes in first, under the table's unique key: of concurrent copies of one
    // event exactly one gets here with `true` and applies it.
    if !state.store().record_webhook_event(&key, &event_id).await? {
        tracing::info!(platform = %key, event = %event_id, "duplicate webhook ignored");
        return Ok((
            StatusCode::OK,
            Json(json!({ "received": true, "duplicate": true })),
        ));
    }
    if let Err(error) = apply(&state, &key, outcome).await {
        // Not applied: forget the id, so that the platform's retry is handled.
        if let Err(forget) = state.store().forget_webhook_event(&key, &event_id).await {
            tracing::error!(platform = %key, event = %event_id, error = %forget, "forgetting a failed webhook event failed");
        }
        return Err(error);
    }
    tracing::info!(platform = %key, event = %event_id, "webhook applied");
    Ok((
        StatusCode::OK,
        Json(json!({ "received": true, "duplicate": false })),
    ))
}

fn event_id(body: &[u8]) -> String {
    let from_json = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|value| {
            value
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
        });
    from_json.unwrap_or_else(|| {
        let digest = Sha256::digest(body);
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("sha256:{hex}")
    })
}

async fn apply(state: &AppState, key: &str, outcome: WebhookOutcome) -> Result<(), ApiError> {
    match outcome {
        WebhookOutcome::AccountDeauthorized {
            external_account_id,
        } => {
            for connection in state
                .store()
                .find_connections_by_account(key, &external_account_id)
                .await?
            {
                // A connection linked with the merchant's own credentials (a pasted key) does
                // not depend on the revoked grant.
                let platform = state.platform(key);
                let independent = match (&platform, connection.status) {
                    (Some(platform), ConnectionStatus::Linked) => state
                        .store()
                        .linked_account(connection.id)
                        .await?
                        .is_some_and(|stored| !platform.unlink_revokes(&stored.account)),
                    _ => false,
                };
                if !independent
                    && matches!(
                        connection.status,
                        ConnectionStatus::Linked | ConnectionStatus::PendingAuth
                    )
                {
                    let connection = crate::app::deauthorized(state, &connection).await?;
                    tracing::info!(connection = %connection.id, "connection deauthorized by the platform");
                }
            }
        }
        WebhookOutcome::RecordsChanged {
            external_account_id,
            data_types,
        } => {
            for connection in state
                .store()
                .find_connections_by_account(key, &external_account_id)
                .await?
            {
                if connection.status != ConnectionStatus::Linked {
                    continue;
                }
                for data_type in &data_types {
                    match state.engine().queue(connection.id, *data_type).await {
                        Ok(dataset) => {
                            tracing::debug!(dataset = %dataset.id, "pull queued by a webhook")
                        }
                        Err(error) if error.is_conflict() => {}
                        Err(error) => return Err(error.into()),
                    }
                }
            }
        }
        WebhookOutcome::Ignored { reason } => {
            tracing::debug!(platform = %key, reason = %reason, "webhook ignored");
        }
        other => {
            tracing::debug!(platform = %key, outcome = ?other, "webhook outcome not handled");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_id_is_the_json_id_or_a_hash() {
        assert_eq!(event_id(br#"{"id":"evt_1","type":"x"}"#), "evt_1");
        let hashed = event_id(b"not json");
        assert!(hashed.starts_with("sha256:"));
        assert_eq!(hashed, event_id(b"not json"));
        assert_ne!(hashed, event_id(b"other"));
    }
}
