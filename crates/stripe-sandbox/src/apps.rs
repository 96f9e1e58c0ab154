//! Stripe Apps OAuth: the install link (`GET /apps/oauth/authorize`, auto-approving or with the
//! consent page), and `POST /v1/oauth/token` (HTTP Basic with the platform key; both grants).
//!
//! Access tokens expire after `SandboxConfig::access_ttl` (the API then answers `401
//! api_key_expired`); each refresh answers a new pair and the refresh token used stops working
//! (reusing it answers `invalid_grant`). The counters in `/_sandbox/info` (`oauth`) let tests
//! count refreshes and `invalid_grant`s.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{RawQuery, State as Extract};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::error::OAuthFailure;
use crate::oauth::{
    count_token_request, default_account, invalid_grant, parse_pairs, platform_mode, redirect,
    value, ConsentFields, Pairs,
};
use crate::state::{lock, CodeGrant, Mode, State, TokenGrant};

/// The scope reported for app tokens (the app's permissions decide what they can read).
const APP_SCOPE: &str = "stripe_apps";

/// The install link of `mode`'s app (what Stripe shows on the app's "External test" tab); it
/// carries a query string of its own, as Stripe's links may.
pub(crate) fn install_url(state: &State, mode: Mode) -> String {
    format!(
        "{}/apps/oauth/authorize?install_link={}",
        state.base_url,
        install_link(state, mode)
    )
}

fn install_link(state: &State, mode: Mode) -> String {
    let client_id = &state.keys(mode).client_id;
    format!(
        "il_{}_{}",
        mode.key_word(),
        client_id.trim_start_matches("ca_")
    )
}

struct Install {
    mode: Mode,
    redirect_uri: String,
    state: Option<String>,
    account: usize,
}

fn validate(state: &State, pairs: &Pairs) -> Result<Install, OAuthFailure> {
    let client_id = value(pairs, "client_id").unwrap_or_default();
    let mode = [Mode::Test, Mode::Live]
        .into_iter()
        .find(|mode| state.keys(*mode).client_id == client_id)
        .ok_or_else(|| {
            OAuthFailure::new(
                StatusCode::BAD_REQUEST,
                "invalid_client",
                format!("No such application: '{client_id}'"),
            )
        })?;
    if value(pairs, "install_link") != Some(install_link(state, mode).as_str()) {
        return Err(OAuthFailure::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!(
                "This install link does not belong to the {} mode of this app.",
                mode.key_word()
            ),
        ));
    }
    let redirect_uri = match value(pairs, "redirect_uri") {
        Some(uri)
            if state.config.redirect_uris.is_empty()
                || state.config.redirect_uris.iter().any(|known| known == uri) =>
        {
            uri.to_owned()
        }
        Some(uri) => {
            return Err(OAuthFailure::new(
                StatusCode::BAD_REQUEST,
                "invalid_redirect_uri",
                format!("Invalid redirect URI '{uri}'. It must be one of the app manifest's allowed_redirect_uris."),
            ))
        }
        None => state.config.redirect_uris.first().cloned().ok_or_else(|| {
            OAuthFailure::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "No redirect_uri was provided and the app has no allowed_redirect_uris.",
            )
        })?,
    };
    let of_mode = |index: &usize| {
        state
            .accounts
            .get(*index)
            .is_some_and(|account| account.merchant.mode == mode)
    };
    let account = match value(pairs, "sandbox_account") {
        Some(wanted) => state.account_index(wanted).filter(of_mode),
        None => default_account(state, mode),
    }
    .ok_or_else(|| {
        OAuthFailure::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "No sandbox merchant account of this mode can install the app.",
        )
    })?;
    Ok(Install {
        mode,
        redirect_uri,
        state: value(pairs, "state").map(str::to_owned),
        account,
    })
}

fn approve(state: &State, install: &Install) -> Response {
    let code = match lock(&state.oauth) {
        Ok(mut grants) => {
            let code = state.issue_token(&mut grants, "ac_", 32);
            grants.codes.insert(
                code.clone(),
                CodeGrant {
                    account: install.account,
                    mode: install.mode,
                    scope: APP_SCOPE.to_owned(),
                    expires_at: state.clock.now()
                        + i64::try_from(state.config.code_ttl.as_secs()).unwrap_or(i64::MAX / 2),
                    used: false,
                    app: true,
                },
            );
            code
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let mut params = vec![("code", code.as_str())];
    if let Some(oauth_state) = &install.state {
        params.push(("state", oauth_state));
    }
    redirect(&install.redirect_uri, &params)
}

fn deny(install: &Install) -> Response {
    let mut params = vec![
        ("error", "access_denied"),
        ("error_description", "The user did not install the app"),
    ];
    if let Some(oauth_state) = &install.state {
        params.push(("state", oauth_state));
    }
    redirect(&install.redirect_uri, &params)
}

fn consent_page(state: &State, pairs: &Pairs, install: &Install) -> Response {
    let fields = ConsentFields::new(state, pairs, install.account);
    let (name, account_id) = (&fields.name, &fields.account_id);
    fields.page(
        "Install app with the Stripe sandbox",
        &format!("Install app on {name}"),
        &format!(
            "An app asks to be installed on the {mode} account <code>{account_id}</code> ({name}) with the permissions of its manifest.",
            mode = install.mode.key_word(),
        ),
        "/apps/oauth/authorize/decision",
        ("Install", "Cancel"),
    )
}

/// `GET /apps/oauth/authorize`: the app's install link.
pub(crate) async fn authorize(
    Extract(state): Extract<Arc<State>>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = parse_pairs(query.as_deref().unwrap_or_default())
        .and_then(|pairs| validate(&state, &pairs).map(|install| (pairs, install)));
    match result {
        Ok((pairs, install)) if state.config.consent_page => consent_page(&state, &pairs, &install),
        Ok((_, install)) => approve(&state, &install),
        Err(failure) => failure.into_response(),
    }
}

/// `POST /apps/oauth/authorize/decision`: the consent page's Install / Cancel.
pub(crate) async fn decision(Extract(state): Extract<Arc<State>>, body: String) -> Response {
    let result = parse_pairs(&body)
        .and_then(|pairs| validate(&state, &pairs).map(|install| (pairs, install)));
    match result {
        Ok((pairs, install)) if value(&pairs, "decision") == Some("approve") => {
            approve(&state, &install)
        }
        Ok((_, install)) => deny(&install),
        Err(failure) => failure.into_response(),
    }
}

/// The success body of `/v1/oauth/token`.
#[derive(Debug, Serialize)]
struct AppTokenResponse {
    access_token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: u64,
    stripe_user_id: String,
    scope: &'static str,
    livemode: bool,
}

fn server_error() -> OAuthFailure {
    OAuthFailure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "sandbox failure",
    )
}

fn exchange(
    state: &State,
    headers: &HeaderMap,
    pairs: &Pairs,
) -> Result<AppTokenResponse, OAuthFailure> {
    let mode = platform_mode(state, headers, pairs)?;
    let mut grants = lock(&state.oauth).map_err(|_| server_error())?;
    let (account, newly_connected) = match value(pairs, "grant_type") {
        Some("authorization_code") => {
            let code = value(pairs, "code").ok_or_else(|| {
                OAuthFailure::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "No grant code provided",
                )
            })?;
            let now = state.clock.now();
            let grant = grants
                .codes
                .get_mut(code)
                .filter(|grant| grant.app)
                .ok_or_else(|| invalid_grant("Authorization code does not exist".to_owned()))?;
            if grant.used {
                return Err(invalid_grant(
                    "Authorization code has already been used".to_owned(),
                ));
            }
            if now > grant.expires_at {
                return Err(invalid_grant("Authorization code expired".to_owned()));
            }
            if grant.mode != mode {
                return Err(invalid_grant(format!(
                    "Authorization code was issued in {} mode; use the {} secret key",
                    grant.mode.key_word(),
                    grant.mode.key_word()
                )));
            }
            grant.used = true;
            let index = grant.account;
            let account = state
                .accounts
                .get(index)
                .ok_or_else(|| invalid_grant("Authorization code does not exist".to_owned()))?;
            let was_connected = account.connected.swap(true, Ordering::SeqCst);
            (index, !was_connected)
        }
        Some("refresh_token") => {
            let refresh = value(pairs, "refresh_token").ok_or_else(|| {
                OAuthFailure::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "No refresh token provided",
                )
            })?;
            // Error messages never quote a token.
            let grant = grants
                .refresh_tokens
                .get_mut(refresh)
                .filter(|grant| grant.app && grant.mode == mode)
                .ok_or_else(|| invalid_grant("Refresh token does not exist".to_owned()))?;
            if grant.used {
                return Err(invalid_grant(
                    "Refresh token has already been used".to_owned(),
                ));
            }
            let index = grant.account;
            let connected = state
                .accounts
                .get(index)
                .is_some_and(|account| account.connected.load(Ordering::SeqCst));
            if !connected {
                return Err(invalid_grant(
                    "Refresh token has been revoked: the app was uninstalled".to_owned(),
                ));
            }
            grant.used = true;
            let half_life =
                i64::try_from(state.config.access_ttl.as_millis() / 2).unwrap_or(i64::MAX);
            let early = grant
                .expires_at_ms
                .is_some_and(|expires_at| expires_at - state.clock.now_millis() > half_life);
            grants.counters.app_refreshes += 1;
            grants.counters.early_app_refreshes += u64::from(early);
            (index, false)
        }
        Some(other) => {
            return Err(OAuthFailure::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("Unsupported grant type: {other}"),
            ))
        }
        None => {
            return Err(OAuthFailure::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "No grant type specified",
            ))
        }
    };
    let ttl = state.config.access_ttl;
    let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 4);
    let (access_token, refresh_token) = state.grant_tokens(
        &mut grants,
        TokenGrant {
            account,
            mode,
            scope: APP_SCOPE.to_owned(),
            expires_at_ms: Some(state.clock.now_millis().saturating_add(ttl_ms)),
            used: false,
            app: true,
        },
    );
    drop(grants);
    let stripe_user_id = crate::oauth::linked(state, account, newly_connected);
    Ok(AppTokenResponse {
        access_token,
        refresh_token,
        token_type: "bearer",
        expires_in: ttl.as_secs().max(1),
        stripe_user_id,
        scope: APP_SCOPE,
        livemode: mode.is_live(),
    })
}

/// `POST /v1/oauth/token`.
pub(crate) async fn token(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let result = parse_pairs(&body).and_then(|pairs| {
        let result = exchange(&state, &headers, &pairs);
        count_token_request(&state, value(&pairs, "grant_type"), &result);
        result
    });
    match result {
        Ok(response) => Json(response).into_response(),
        Err(failure) => failure.into_response(),
    }
}
