//! The dashboard's query-string and form extractors. Like the API, they read parameters with
//! [`crate::routes::query_params`]: a repeated name counts once, with its last value (axum's
//! `Query`/`Form` answer such requests with a plain-text 400), and a body is read as a form
//! whatever its declared type (the CSRF check decides whether a form is taken).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::ui::html::message_page;

/// Query-string parameters as `T` (a struct of optional strings).
pub(crate) struct Params<T>(pub(crate) T);

/// A form body as `T` (a struct of optional strings).
pub(crate) struct FormBody<T>(pub(crate) T);

fn decode<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, serde_json::Error> {
    let params: Map<String, Value> = crate::routes::query_params(raw)
        .into_iter()
        .map(|(name, value)| (name, Value::String(value)))
        .collect();
    serde_json::from_value(Value::Object(params))
}

fn refused(error: &serde_json::Error) -> Response {
    message_page(
        StatusCode::BAD_REQUEST,
        "Bad request",
        &format!("The request's parameters cannot be used: {error}."),
        Some(("/ui", "Back to the dashboard")),
    )
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        decode(parts.uri.query())
            .map(Params)
            .map_err(|error| refused(&error))
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let text = String::from_utf8_lossy(&body);
        decode(Some(&text))
            .map(FormBody)
            .map_err(|error| refused(&error))
    }
}
