//! Codat's API keys: `GET /apiKeys`, `POST /apiKeys` and `DELETE /apiKeys/{apiKeyId}`.
//!
//! A key made here is 40 random letters and digits, shown once in the `201` answer and stored
//! only as its SHA-256; it works at once and stops working as soon as it is deleted (every
//! request looks it up). Keys from `COMMERCE_API_KEYS` are listed too, without their value
//! and with `"deletable": false`: they are removed from the configuration, not through the API.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::distributions::{Alphanumeric, DistString};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::hash;
use crate::codat;
use crate::error::ApiError;
use crate::state::AppState;

/// Codat's limit on a key's name.
pub(crate) const MAX_NAME_CHARS: usize = 50;
/// The most keys the API keeps (Codat answers `409` past its limit).
pub(crate) const MAX_STORED_KEYS: usize = 100;
/// The length of a key made here.
const KEY_LEN: usize = 40;

/// The id under which a configured key is listed: derived from its hash, stable across
/// restarts, never revealing the key.
pub(crate) fn configured_key_id(key_hash: &[u8; 32]) -> Uuid {
    codat::derived_id(&format!("api-key:{}", hex::encode(key_hash)))
}

/// Every key: the configured ones first (in configuration order), then the stored ones.
pub(crate) async fn all_keys(state: &AppState) -> Result<Vec<Value>, ApiError> {
    let mut results: Vec<Value> = state
        .inner
        .api_keys
        .hashes()
        .iter()
        .enumerate()
        .map(|(index, key_hash)| {
            json!({
                "id": configured_key_id(key_hash),
                "name": format!("COMMERCE_API_KEYS #{}", index + 1),
                "deletable": false,
            })
        })
        .collect();
    for key in state.store().list_api_keys().await? {
        let mut value = json!({
            "id": key.id,
            "createdDate": codat::date(key.created),
            "deletable": true,
        });
        if let Some(name) = &key.name {
            value["name"] = json!(name);
        }
        results.push(value);
    }
    Ok(results)
}

/// `GET /apiKeys`.
pub(crate) async fn list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"results": all_keys(&state).await?})))
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreateApiKey {
    name: Option<String>,
}

/// Makes a key named `name`: the key's value (shown once) and its listing.
pub(crate) async fn make_key(
    state: &AppState,
    name: Option<&str>,
) -> Result<(String, Value), ApiError> {
    let name = name.map(str::trim).filter(|name| !name.is_empty());
    if let Some(name) = name {
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(ApiError::bad_request(format!(
                "name must be at most {MAX_NAME_CHARS} characters long"
            )));
        }
    }
    if state.store().list_api_keys().await?.len() >= MAX_STORED_KEYS {
        return Err(ApiError::conflict(format!(
            "There are already {MAX_STORED_KEYS} API keys; delete one first"
        )));
    }
    let key = Alphanumeric.sample_string(&mut rand::thread_rng(), KEY_LEN);
    let stored = state.store().create_api_key(name, &hash(&key)).await?;
    let mut value = json!({
        "id": stored.id,
        "apiKey": key,
        "createdDate": codat::date(stored.created),
        "deletable": true,
    });
    if let Some(name) = &stored.name {
        value["name"] = json!(name);
    }
    Ok((key, value))
}

/// `POST /apiKeys`: `201` with the new key, the only time its value is shown.
pub(crate) async fn create(
    State(state): State<AppState>,
    body: Result<Json<CreateApiKey>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    let (_, value) = make_key(&state, body.name.as_deref()).await?;
    tracing::info!(id = %value["id"], "api key created");
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

/// Deletes a key made through the API; a configured key is `403`.
pub(crate) async fn remove(state: &AppState, id: &str) -> Result<(), ApiError> {
    let not_found = || ApiError::not_found(format!("No API key was found with ID {id}"));
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    if state
        .inner
        .api_keys
        .hashes()
        .iter()
        .any(|key_hash| configured_key_id(key_hash) == id)
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "API key {id} comes from COMMERCE_API_KEYS: remove it from the configuration and restart"
            ),
        ));
    }
    match state.store().delete_api_key(id).await {
        Ok(()) => {
            tracing::info!(id = %id, "api key deleted");
            Ok(())
        }
        Err(commerce_store::StoreError::NotFound { .. }) => Err(not_found()),
        Err(error) => Err(error.into()),
    }
}

/// `DELETE /apiKeys/{apiKeyId}`: `204`; the key stops working at once.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    remove(&state, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
