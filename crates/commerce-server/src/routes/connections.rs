//! `/companies/{companyId}/connections`: create (`PendingAuth` with a `linkUrl`), list, get,
//! `PATCH {"status":"Unlinked"}` (revoke at the platform, keep the data) and `DELETE` (revoke
//! and delete the data; `200` with the deleted connection, as Codat documents).
//!
//! Statuses are the ones Codat documents for these operations: an unknown or disabled
//! `platformKey` is `404` naming the key; unlinking a connection that is not `Linked` is `200`
//! with the connection unchanged (nothing was granted, or access is already revoked).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use commerce_model::platform::{LinkedAccount, Platform};
use commerce_model::Page;
use commerce_store::{Connection, ConnectionStatus};
use serde::Deserialize;
use serde_json::Value;

use super::companies::connection_json;
use super::{load_company, load_connection, query_params, Paging};
use crate::client_webhooks;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateConnection {
    platform_key: Option<String>,
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Path(company_id): Path<String>,
    body: Result<Json<CreateConnection>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let company = load_company(&state, &company_id).await?;
    // Codat documents no 400 here: a body without a usable key names no integration (404).
    let key = body
        .ok()
        .and_then(|Json(body)| body.platform_key)
        .map(|key| key.trim().to_owned())
        .unwrap_or_default();
    let Some(platform) = state.platform(&key) else {
        return Err(unknown_integration(&state, &key));
    };
    let connection = state
        .store()
        .create_connection(company.id, platform.key().as_str())
        .await?;
    client_webhooks::connection_event(&state, client_webhooks::CONNECTION_CREATED, &connection)
        .await;
    let (value, _) = connection_json(&state, &connection).await?;
    Ok(Json(value))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Path(company_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<Value>>, ApiError> {
    let company = load_company(&state, &company_id).await?;
    let paging = Paging::parse(&query_params(raw.as_deref()))?.without_query("connections")?;
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
    Path((company_id, connection_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let company = load_company(&state, &company_id).await?;
    let connection = load_connection(&state, &company, &connection_id).await?;
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
    Path((company_id, connection_id)): Path<(String, String)>,
    body: Result<Json<UpdateConnection>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let company = load_company(&state, &company_id).await?;
    let connection = load_connection(&state, &company, &connection_id).await?;
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
    let unlinked = unlink_at_platform(&state, &connection).await?;
    let connection = unlinked.connection;
    client_webhooks::connection_event(
        &state,
        client_webhooks::CONNECTION_DISCONNECTED,
        &connection,
    )
    .await;
    let mut value = connection_json(&state, &connection).await?.0;
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
    Path((company_id, connection_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let company = load_company(&state, &company_id).await?;
    let connection = load_connection(&state, &company, &connection_id).await?;
    if connection.status == ConnectionStatus::Linked {
        if let Err(error) = unlink_at_platform(&state, &connection).await {
            tracing::warn!(connection = %connection.id, error = %error.message, "unlinking at the platform failed; deleting anyway");
        }
    }
    let (value, _) = connection_json(&state, &connection).await?;
    client_webhooks::connection_event(&state, client_webhooks::CONNECTION_DELETED, &connection)
        .await;
    state.store().delete_connection(connection.id).await?;
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

/// The platform account of a linked connection as stored (metadata and tokens included),
/// refreshed first through the engine when `platform` says its access is about to expire.
pub(crate) async fn linked_account(
    state: &AppState,
    connection: &Connection,
    platform: &dyn Platform,
) -> Result<Option<LinkedAccount>, ApiError> {
    let Some(stored) = state.store().linked_account(connection.id).await? else {
        return Ok(None);
    };
    if !platform.needs_refresh(&stored.account, chrono::Utc::now()) {
        return Ok(Some(stored.account));
    }
    let owner = format!("server-{}", uuid::Uuid::new_v4());
    match state
        .engine()
        .refresh_credentials(connection.id, platform, &stored, &owner)
        .await
    {
        Ok(Ok(refreshed)) => Ok(Some(refreshed.account)),
        Ok(Err(error)) => {
            tracing::warn!(connection = %connection.id, error = %error, "refreshing credentials failed");
            Ok(Some(stored.account))
        }
        Err(error) => Err(error.into()),
    }
}

/// Unlinks a `Linked` connection and revokes this service's access at the platform unless
/// another connection shares the grant (`unlink::unlink`). Access already revoked counts as
/// done.
pub(crate) async fn unlink_at_platform(
    state: &AppState,
    connection: &Connection,
) -> Result<super::unlink::Unlinked, ApiError> {
    if state.platform(&connection.platform_key).is_none() {
        return Err(ApiError::not_found(format!(
            "Integration not found: {} is not enabled on this server, so access cannot be revoked",
            connection.platform_key
        )));
    }
    super::unlink::unlink(state, connection).await
}
