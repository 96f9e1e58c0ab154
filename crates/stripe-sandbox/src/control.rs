//! The control API under `/_sandbox/`: info, request log, clock, activity, faults and
//! deauthorization, for tests and people driving a standalone sandbox. No authentication:
//! the sandbox only listens on 127.0.0.1.

use std::sync::Arc;

use axum::extract::State as Extract;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::activity::Activity;
use crate::error::ApiFailure;
use crate::faults::FaultRule;
use crate::info::SandboxInfo;
use crate::state::{lock, State};

/// `GET /_sandbox/info`.
pub(crate) async fn info(Extract(state): Extract<Arc<State>>) -> Json<serde_json::Value> {
    Json(SandboxInfo::from_state(&state).to_json())
}

/// `GET /_sandbox/requests`.
pub(crate) async fn requests(Extract(state): Extract<Arc<State>>) -> Response {
    Json(state.requests()).into_response()
}

/// `DELETE /_sandbox/requests`.
pub(crate) async fn clear_requests(Extract(state): Extract<Arc<State>>) -> Json<serde_json::Value> {
    state.clear_requests();
    Json(serde_json::json!({ "cleared": true }))
}

#[derive(Debug, Deserialize)]
pub(crate) struct Advance {
    seconds: i64,
}

/// `POST /_sandbox/clock/advance` with `{"seconds": n}`.
pub(crate) async fn advance_clock(
    Extract(state): Extract<Arc<State>>,
    Json(advance): Json<Advance>,
) -> Json<serde_json::Value> {
    let now = state.clock.advance(advance.seconds);
    Json(serde_json::json!({ "now": now }))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ActivityRequest {
    account: String,
    /// Apply this many random activities instead of one described one.
    #[serde(default)]
    random: Option<usize>,
    #[serde(default)]
    activity: Option<Activity>,
}

/// `POST /_sandbox/activity` with `{"account": "acct_...", "activity": {"type": "new_charge", ...}}`
/// or `{"account": "acct_...", "random": 5}`.
pub(crate) async fn activity(
    Extract(state): Extract<Arc<State>>,
    Json(request): Json<ActivityRequest>,
) -> Result<Response, ApiFailure> {
    if let Some(count) = request.random {
        let outcomes = crate::activity::random(&state, &request.account, count)?;
        return Ok(Json(outcomes).into_response());
    }
    let Some(activity) = request.activity else {
        return Err(ApiFailure::invalid(
            None,
            Some("activity"),
            "Pass `activity` or `random`.",
        ));
    };
    let outcome = crate::activity::apply(&state, &request.account, activity)?;
    Ok(Json(outcome).into_response())
}

/// `POST /_sandbox/faults` with a fault rule.
pub(crate) async fn add_fault(
    Extract(state): Extract<Arc<State>>,
    Json(rule): Json<FaultRule>,
) -> Result<Json<serde_json::Value>, ApiFailure> {
    lock(&state.faults)
        .map_err(|_| ApiFailure::internal())?
        .add_rule(rule);
    Ok(Json(serde_json::json!({ "added": true })))
}

/// `DELETE /_sandbox/faults`: removes every rule and random rate.
pub(crate) async fn clear_faults(
    Extract(state): Extract<Arc<State>>,
) -> Result<Json<serde_json::Value>, ApiFailure> {
    lock(&state.faults)
        .map_err(|_| ApiFailure::internal())?
        .clear();
    Ok(Json(serde_json::json!({ "cleared": true })))
}

#[derive(Debug, Deserialize)]
pub(crate) struct Deauthorize {
    account: String,
}

/// `POST /_sandbox/deauthorize` with `{"account": "acct_..."}`: the merchant disconnects.
pub(crate) async fn deauthorize(
    Extract(state): Extract<Arc<State>>,
    Json(request): Json<Deauthorize>,
) -> Result<Json<serde_json::Value>, ApiFailure> {
    let index = state
        .account_index(&request.account)
        .ok_or_else(|| ApiFailure::missing("account", &request.account, Some("account")))?;
    crate::activity::disconnect(&state, index);
    Ok(Json(
        serde_json::json!({ "stripe_user_id": request.account }),
    ))
}
