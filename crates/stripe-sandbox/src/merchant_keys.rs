//! Merchants' own API keys: each merchant account has a secret key (`sk_test_...`, every
//! permission) and a restricted key (`rk_test_...`) with every read permission the sync uses,
//! both seeded; more restricted keys with chosen permissions come from
//! `POST /_sandbox/restricted_keys` (or `SandboxHandle::create_restricted_key`).
//!
//! A merchant key reads its own account without `Stripe-Account`. A restricted key lacking the
//! permission an endpoint needs gets Stripe's 403:
//! "The provided key 'rk_test_************abcd' does not have the required permissions for this
//! endpoint on account 'acct_...'. Having the 'rak_charge_read' permission would allow this
//! request to continue."

use std::sync::Arc;

use axum::extract::{Request, State as Extract};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::auth::mask_key;
use crate::bearer::bearer_key;
use crate::error::ApiFailure;
use crate::state::State;

pub use crate::state::keys::{permission_for, MerchantKeyInfo, PERMISSIONS};

/// Stripe's 403 for a restricted key without the permission an endpoint needs.
fn permission_error(key: &str, account: &str, permission: &str) -> ApiFailure {
    ApiFailure::new(
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        None,
        format!(
            "The provided key '{}' does not have the required permissions for this endpoint on account '{account}'. Having the '{permission}' permission would allow this request to continue.",
            mask_key(key)
        ),
    )
}

/// Middleware on the API routes: a restricted key may only call the endpoints its
/// permissions cover.
pub(crate) async fn check_permissions(
    Extract(state): Extract<Arc<State>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/v1/") {
        return next.run(request).await;
    }
    let Some(key) = bearer_key(request.headers()) else {
        return next.run(request).await;
    };
    if !key.starts_with("rk_") {
        return next.run(request).await;
    }
    let Some(merchant_key) = state.merchant_keys.get(&state, &key) else {
        return next.run(request).await;
    };
    let Some(permissions) = &merchant_key.permissions else {
        return next.run(request).await;
    };
    let needed = permission_for(path).unwrap_or("rak_unknown_read");
    if permissions.contains(needed) {
        return next.run(request).await;
    }
    let account = state
        .accounts
        .get(merchant_key.account)
        .map(|account| account.merchant.account_id.clone())
        .unwrap_or_default();
    permission_error(&key, &account, needed).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreateKey {
    account: String,
    #[serde(default)]
    permissions: Vec<String>,
}

/// `POST /_sandbox/restricted_keys` with `{"account": "acct_...", "permissions":
/// ["rak_charge_read", ...]}`: answers `{"key": "rk_test_...", "permissions": [...]}`.
pub(crate) async fn create(
    Extract(state): Extract<Arc<State>>,
    Json(request): Json<CreateKey>,
) -> Response {
    match state
        .merchant_keys
        .create(&state, &request.account, &request.permissions)
    {
        Ok(key) => Json(serde_json::json!({
            "key": key,
            "account": request.account,
            "permissions": request.permissions,
        }))
        .into_response(),
        Err(error) => ApiFailure::from(error).into_response(),
    }
}
