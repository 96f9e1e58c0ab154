//! The link flow: `GET /link/{connectionId}` sends the merchant to the platform's authorization
//! page with a single-use `state` bound to the connection (an unexpired one with at least half
//! its lifetime left is reused, so repeated visits add no rows; the store caps the states kept
//! per connection and the server purges expired ones on a timer); `GET /oauth/{platform}/callback`
//! takes the state back (refusing unknown, used or expired ones), finishes the link at the
//! platform, stores the account and its encrypted credentials, marks the connection `Linked`,
//! queues the initial sync and sends the merchant to the company's redirect URL (or a plain
//! success page).
//!
//! The OAuth redirect URI is `{public_url}/oauth/{segment}/callback`, where the segment is the one
//! the platform declares in its `PlatformInfo::callback_segment` (a test and a live integration of
//! one platform may share it); the callback finds the connection, and so the platform, through the
//! state alone, and refuses a state whose platform declares another segment.
//!
//! Link parameters: the link URL takes the query parameters the platform declares in
//! `PlatformInfo::link_params` (e.g. a shop's domain) and hands them to `Platform::begin_link`;
//! a missing required one or an undeclared one is refused with a page saying which.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use commerce_model::platform::{LinkCallback, Platform, PlatformError};
use commerce_store::{ConnectionStatus, StoreError};
use uuid::Uuid;

use super::query_params;
use crate::app::BeginLinkError;
use crate::pages::page;
use crate::state::AppState;

fn found(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, "no-store"),
        ],
    )
        .into_response()
}

fn unavailable() -> Response {
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The link could not be started or finished because of a problem on our side. Please try again later.",
    )
}

pub(crate) async fn start(
    State(state): State<AppState>,
    Path(connection_id): Path<String>,
    RawQuery(raw): RawQuery,
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
            tracing::error!(error = %error, "loading a connection for a link failed");
            return unavailable();
        }
    };
    if connection.status == ConnectionStatus::Linked {
        return page(
            StatusCode::CONFLICT,
            "Already linked",
            "This account is already linked. There is nothing more to do.",
        );
    }
    let Some(platform) = state.platform(&connection.platform_key) else {
        return page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Integration not available",
            "This integration is not enabled on the server at the moment.",
        );
    };
    let params = match link_params(platform.as_ref(), raw.as_deref()) {
        Ok(params) => params,
        Err(message) => return page(StatusCode::BAD_REQUEST, "Link refused", &message),
    };
    match crate::app::begin_link(&state, &connection, platform.as_ref(), params).await {
        Ok(authorize_url) => match platform.info().credentials_link.as_ref() {
            Some(link) if super::authorization::offered_on_link_page(Some(link)) => {
                super::authorization::choice_page(
                    platform.name(),
                    connection.id,
                    &authorize_url,
                    link,
                )
            }
            _ => found(&authorize_url),
        },
        Err(BeginLinkError::Store(error)) => {
            tracing::error!(error = %error, "keeping a link state failed");
            unavailable()
        }
        Err(BeginLinkError::Platform(error)) => {
            tracing::error!(connection = %connection.id, error = %error, "starting a link failed");
            unavailable()
        }
    }
}

pub(crate) async fn callback(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = query_params(raw.as_deref());
    let refused = |message: &str| page(StatusCode::BAD_REQUEST, "Link refused", message);
    let Some(token) = params.get("state").filter(|token| !token.is_empty()) else {
        return refused(
            "The response from the platform carries no state. Start again from your link.",
        );
    };
    let taken = match state.inner.link_states.take(token).await {
        Ok(taken) => taken,
        Err(error) => {
            tracing::error!(error = %error, "taking a link state failed");
            return unavailable();
        }
    };
    let Some((binding, expires_at)) = taken else {
        tracing::warn!("link callback with an unknown or already used state");
        return refused(
            "This link response is not valid or was already used. Start again from your link.",
        );
    };
    if expires_at <= Utc::now() {
        tracing::warn!(connection = %binding.connection_id, "link callback with an expired state");
        return refused("This link has expired. Start again from your link.");
    }
    let connection = match Uuid::parse_str(&binding.connection_id) {
        Ok(id) => match state.store().get_connection(id).await {
            Ok(connection) => connection,
            Err(StoreError::NotFound { .. }) => {
                return refused("The connection this link was for no longer exists.")
            }
            Err(error) => {
                tracing::error!(error = %error, "loading a connection for a callback failed");
                return unavailable();
            }
        },
        Err(_) => return refused("This link response is not valid."),
    };
    let Some(platform) = state.platform(&connection.platform_key) else {
        return page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Integration not available",
            "This integration is not enabled on the server at the moment.",
        );
    };
    if connection.company_id.to_string() != binding.company_id
        || platform.info().callback_segment != segment
    {
        return refused("This link response does not belong to this integration.");
    }
    if let Some(error) = params.get("error") {
        let description = params
            .get("error_description")
            .map(String::as_str)
            .unwrap_or(error.as_str());
        tracing::info!(connection = %connection.id, error = %error, "merchant did not grant access");
        return page(
            StatusCode::OK,
            "Access not granted",
            &format!(
                "The account was not linked ({description}). You can close this page, or start again from your link."
            ),
        );
    }
    let callback = LinkCallback {
        params: params.clone(),
        redirect_uri: crate::app::redirect_uri(&state, platform.as_ref()),
    };
    let account = match platform.complete_link(callback).await {
        Ok(account) => account,
        Err(PlatformError::LinkFailed { reason }) => {
            tracing::warn!(connection = %connection.id, reason = %reason, "link failed");
            return page(
                StatusCode::BAD_REQUEST,
                "Link failed",
                &format!("The account could not be linked: {reason}"),
            );
        }
        Err(error) => {
            tracing::error!(connection = %connection.id, error = %error, "completing a link failed");
            return page(
                StatusCode::BAD_GATEWAY,
                "Link failed",
                "The platform could not complete the link. Please try again later.",
            );
        }
    };
    let connection = match crate::app::complete_link(&state, &connection, &account).await {
        Ok(connection) => connection,
        Err(error) => {
            tracing::error!(error = %error.message, "storing a linked account failed");
            return unavailable();
        }
    };
    let redirect = match state.store().get_company(connection.company_id).await {
        Ok(company) => company.redirect,
        Err(error) => {
            tracing::warn!(error = %error, "loading the company for its redirect failed");
            None
        }
    };
    // Without a redirect of the company's own: the profile's (`PUT /profile`).
    let redirect = match redirect {
        Some(redirect) => Some(redirect),
        None => match state.store().get_profile().await {
            Ok(profile) => profile.map(|profile| {
                profile
                    .redirect_url
                    .replace("{companyId}", &connection.company_id.to_string())
            }),
            Err(error) => {
                tracing::warn!(error = %error, "loading the profile for its redirect failed");
                None
            }
        },
    };
    match redirect.and_then(|redirect| url::Url::parse(&redirect).ok()) {
        Some(mut url) => {
            url.query_pairs_mut()
                .append_pair("connectionId", &connection.id.to_string())
                .append_pair("status", connection.status.as_str());
            found(url.as_str())
        }
        None => page(
            StatusCode::OK,
            "Account linked",
            "Your account is now linked. You can close this page.",
        ),
    }
}

/// The link URL's query parameters the platform declares; an undeclared one or a missing
/// required one is refused with a message naming it.
fn link_params(
    platform: &dyn Platform,
    raw: Option<&str>,
) -> Result<std::collections::BTreeMap<String, String>, String> {
    let declared = &platform.info().link_params;
    let mut params = query_params(raw);
    params.retain(|_, value| !value.trim().is_empty());
    if let Some(name) = params
        .keys()
        .find(|name| !declared.iter().any(|param| param.name == name.as_str()))
    {
        return Err(format!(
            "This link does not take a parameter named {name:?}. Start again from your link."
        ));
    }
    if let Some(param) = declared
        .iter()
        .find(|param| param.required && !params.contains_key(param.name))
    {
        return Err(format!(
            "This link needs the parameter {:?} ({}).",
            param.name, param.help
        ));
    }
    Ok(params)
}
