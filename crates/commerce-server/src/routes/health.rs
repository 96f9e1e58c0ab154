//! `GET /health`: the process answers (no authentication).

use axum::Json;
use serde_json::{json, Value};

pub(crate) async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}
