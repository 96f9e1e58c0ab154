//! Linking with credentials the merchant hands over instead of OAuth (e.g. an API key):
//! Codat's `PUT /companies/{companyId}/connections/{connectionId}/authorization` with a body of
//! strings (`{"apiKey": "..."}`), and the paste form of the link page (`POST
//! /link/{connectionId}/credentials`), for platforms that declare it
//! (`PlatformInfo::credentials_link`).
//!
//! The platform checks the credentials (`Platform::link_with_credentials`); a refusal is a 400
//! with the platform's reason (which never shows a credential). On success the account and its
//! credentials (encrypted) are stored, the connection becomes `Linked`, `connection.connected`
//! is sent and the first sync of every data type is queued, as after an OAuth callback.
//! Credentials are never logged.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, Json};
use commerce_model::platform::CredentialsLink;
use commerce_store::{ConnectionStatus, StoreError};
use secrecy::SecretString;
use serde_json::Value;
use uuid::Uuid;

use super::ConnectionPath;
use crate::error::ApiError;
use crate::pages::{escape, page};
use crate::state::AppState;

/// The body's strings as secrets; anything but an object of strings is a 400.
fn credentials_from(body: Value) -> Result<BTreeMap<String, SecretString>, ApiError> {
    let Value::Object(fields) = body else {
        return Err(ApiError::bad_request(
            "the body must be a JSON object of strings, e.g. {\"apiKey\": \"rk_test_...\"}",
        ));
    };
    fields
        .into_iter()
        .map(|(name, value)| match value {
            Value::String(text) => Ok((name, SecretString::from(text))),
            _ => Err(ApiError::bad_request(format!(
                "field {name:?} must be a string"
            ))),
        })
        .collect()
}

/// `PUT /companies/{companyId}/connections/{connectionId}/authorization`.
pub(crate) async fn put(
    State(state): State<AppState>,
    ConnectionPath(connection): ConnectionPath,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Ok(Json(body)) = body else {
        return Err(ApiError::bad_request(
            "the body must be a JSON object of strings, e.g. {\"apiKey\": \"rk_test_...\"}",
        ));
    };
    let credentials = credentials_from(body)?;
    let linked = crate::app::link_with_credentials(&state, &connection, credentials).await?;
    Ok(Json(super::json::connection_json(&state, &linked).await?.0))
}

/// Whether the link page offers the paste form for this platform's connections.
pub(crate) fn offered_on_link_page(link: Option<&CredentialsLink>) -> bool {
    link.is_some_and(|link| link.on_link_page && !link.fields.is_empty())
}

/// The link page with both ways: the platform's authorization page and the paste form.
pub(crate) fn choice_page(
    platform_name: &str,
    connection_id: Uuid,
    authorize_url: &str,
    link: &CredentialsLink,
) -> Response {
    let fields: String = link
        .fields
        .iter()
        .map(|field| {
            format!(
                "<p><label>{label}<br><input type=\"password\" name=\"{name}\" autocomplete=\"off\" required size=\"60\"></label><br><small>{help}</small></p>",
                label = escape(field.label),
                name = escape(field.name),
                help = escape(field.help),
            )
        })
        .collect();
    let name = escape(platform_name);
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Link your {name} account</title></head><body>\
<h1>Link your {name} account</h1>\
<p><a href=\"{authorize}\" id=\"oauth\">Sign in to {name} and authorize access</a></p>\
<p>or paste a key:</p>\
<form method=\"post\" action=\"/link/{connection_id}/credentials\" id=\"credentials\">{fields}<p><button type=\"submit\">Link with this key</button></p></form>\
</body></html>",
        authorize = escape(authorize_url),
    );
    (
        StatusCode::OK,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Html(body),
    )
        .into_response()
}

/// `POST /link/{connectionId}/credentials`: the link page's paste form (form-encoded fields).
pub(crate) async fn submit(
    State(state): State<AppState>,
    Path(connection_id): Path<String>,
    form: Result<Form<BTreeMap<String, String>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let unknown = || {
        page(
            StatusCode::NOT_FOUND,
            "Unknown link",
            "This link does not exist. Ask the sender for a new one.",
        )
    };
    let Ok(id) = Uuid::parse_str(&connection_id) else {
        return unknown();
    };
    let connection = match state.store().get_connection(id).await {
        Ok(connection) => connection,
        Err(StoreError::NotFound { .. }) => return unknown(),
        Err(error) => {
            tracing::error!(error = %error, "loading a connection for a credentials link failed");
            return page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The link could not be finished because of a problem on our side. Please try again later.",
            );
        }
    };
    if connection.status == ConnectionStatus::Linked {
        return page(
            StatusCode::CONFLICT,
            "Already linked",
            "This account is already linked. There is nothing more to do.",
        );
    }
    let offered = state
        .platform(&connection.platform_key)
        .is_some_and(|platform| offered_on_link_page(platform.info().credentials_link.as_ref()));
    if !offered {
        return page(
            StatusCode::NOT_FOUND,
            "Not available",
            "This link does not take keys. Start again from your link.",
        );
    }
    let Ok(Form(fields)) = form else {
        return page(
            StatusCode::BAD_REQUEST,
            "Link refused",
            "The form could not be read. Start again from your link.",
        );
    };
    let credentials = fields
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| (name, SecretString::from(value)))
        .collect();
    match crate::app::link_with_credentials(&state, &connection, credentials).await {
        Ok(_) => page(
            StatusCode::OK,
            "Account linked",
            "Your account is now linked. You can close this page.",
        ),
        Err(error) => page(error.status, "Link refused", &error.message),
    }
}
