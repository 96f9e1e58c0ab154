//! `/companies/{companyId}/connections`: create (`PendingAuth` with a `linkUrl`), list, get,
//! `PATCH {"status":"Unlinked"}` (revoke at the platform, keep the data) and `DELETE` (revoke
//! and delete the data; `200` with the deleted connection, as Codat documents).
//!
//! Statuses are the ones Codat documents for these operations: an unknown or disabled
//! `platformKey` is `404` naming the key; unlinking a connection that is not `Linked` is `200`
//! with the connection unchanged (nothing was granted, or access is already revoked).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use commerce_model::Page;
use commerce_store::ConnectionStatus;
use serde::Deserialize;
use serde_json::Value;

use super::json::connection_json;
use super::{CompanyPath, ConnectionPath, Paging};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateConnection {
    platform_key: Option<String>,
}

pub(crate) async fn create(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
    body: Result<Json<CreateConnection>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    // Codat documents no 400 here: a body without a usable key names no integration (404).
    let key = body
        .ok()
        .and_then(|Json(body)| body.platform_key)
        .map(|key| key.trim().to_owned())
        .unwrap_or_default();
    let Some(platform) = state.platform(&key) else {
        return Err(unknown_integration(&state, &key));
    };
    let connection = crate::app::create_connection(&state, &company, &platform).await?;
    let (value, _) = connection_json(&state, &connection).await?;
    Ok(Json(value))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
    paging: Paging,
) -> Result<Json<Page<Value>>, ApiError> {
    let paging = paging.without_query("connections")?;
    let connections = state.store().list_connections(company.id).await?;
    let total = connections.len() as u64;
    let start = usize::try_from(paging.offset()).unwrap_or(usize::MAX);
    let mut results = Vec::new();
    for connection in connections
        .iter()
        .skip(start)
        .take(paging.page_size as usize)
    {
        results.push(connection_json(&state, connection).await?.0);
    }
    Ok(Json(Page::new(
        results,
        paging.page,
        paging.page_size,
        total,
        &format!("/companies/{}/connections", company.id),
        &[],
    )))
}

pub(crate) async fn get_one(
    State(state): State<AppState>,
    ConnectionPath(connection): ConnectionPath,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(connection_json(&state, &connection).await?.0))
}

#[derive(Debug, Deserialize)]
pub(crate) struct UpdateConnection {
    status: Option<String>,
}

/// `PATCH {"status": "Unlinked"}`: a `Linked` connection is unlinked (access revoked at the
/// platform first; the data stays readable); any other is answered 200 unchanged.
pub(crate) async fn update(
    State(state): State<AppState>,
    ConnectionPath(connection): ConnectionPath,
    body: Result<Json<UpdateConnection>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    // Codat documents no 400 here: a change other than unlinking is forbidden (403).
    let status = body.ok().and_then(|Json(body)| body.status);
    if status.as_deref() != Some("Unlinked") {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "status must be \"Unlinked\" (the only change a client can make)",
        ));
    }
    if connection.status != ConnectionStatus::Linked {
        // Nothing to revoke: answered as Codat documents the operation (200 with the
        // connection), unchanged. Found by the Schemathesis run (409 is not in Codat's list).
        return Ok(Json(connection_json(&state, &connection).await?.0));
    }
    let unlinked = crate::app::unlink(&state, &connection).await?;
    let mut value = connection_json(&state, &unlinked.connection).await?.0;
    // Beyond Codat's shape: whether access at the platform was revoked (false when another
    // connection still shares the grant, or nothing could be revoked).
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "platformAccessRevoked".to_owned(),
            Value::Bool(unlinked.revoked),
        );
    }
    Ok(Json(value))
}

/// `DELETE`: revokes access of a linked connection at its platform (best effort: a failure is
/// logged and the deletion goes on) and deletes the connection with all its data; answers the
/// connection as it was.
pub(crate) async fn delete(
    State(state): State<AppState>,
    ConnectionPath(connection): ConnectionPath,
) -> Result<Json<Value>, ApiError> {
    let (value, _) = connection_json(&state, &connection).await?;
    crate::app::delete_connection(&state, &connection).await?;
    Ok(Json(value))
}

/// `404` for a platform key that names no integration enabled here, naming the key asked for
/// and the enabled integrations by their Codat keys.
pub(crate) fn unknown_integration(state: &AppState, key: &str) -> ApiError {
    let enabled: Vec<String> = state
        .platforms()
        .platforms()
        .map(|platform| {
            let codat = crate::routes::integrations::codat_key(platform.as_ref());
            format!("{codat} ({}, {})", platform.name(), platform.key())
        })
        .collect();
    let asked = if key.is_empty() {
        "no platformKey was given".to_owned()
    } else {
        let shown: String = key.chars().take(64).collect();
        format!("no integration with platformKey {shown:?} is enabled on this server")
    };
    ApiError::not_found(format!(
        "Integration not found: {asked}; enabled: {}",
        if enabled.is_empty() {
            "none".to_owned()
        } else {
            enabled.join(", ")
        }
    ))
}
