//! Connect OAuth endpoints: `/oauth/authorize` (auto-approve or a consent page),
//! `/oauth/token` (single-use, expiring codes; refresh tokens) and `/oauth/deauthorize`.
//!
//! Which account an authorization approves: the account named by the `sandbox_account`
//! parameter if given; otherwise the account whose email equals `stripe_user[email]`;
//! otherwise the first account of the client id's mode that is not connected; otherwise the
//! first account of that mode.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{RawQuery, State as Extract};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::bearer::bearer_key;
use crate::error::OAuthFailure;
use crate::state::{lock, CodeGrant, Mode, State, TokenGrant};

pub(crate) type Pairs = Vec<(String, String)>;

pub(crate) fn value<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

pub(crate) fn parse_pairs(text: &str) -> Result<Pairs, OAuthFailure> {
    serde_urlencoded::from_str(text).map_err(|_| {
        OAuthFailure::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request could not be parsed.",
        )
    })
}

pub(crate) fn redirect(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!("{redirect_uri}{separator}{query}");
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// A validated authorize request.
struct AuthorizeRequest {
    mode: Mode,
    redirect_uri: String,
    state: Option<String>,
    scope: String,
    account: usize,
}

enum Rejection {
    /// Cannot redirect: answer with an error body.
    Direct(OAuthFailure),
    /// Redirect back with `error=...`.
    Redirect(Box<Response>),
}

fn validate(state: &State, pairs: &Pairs) -> Result<AuthorizeRequest, Rejection> {
    let client_id = value(pairs, "client_id").unwrap_or_default();
    let mode = [Mode::Test, Mode::Live]
        .into_iter()
        .find(|mode| state.keys(*mode).client_id == client_id)
        .ok_or_else(|| {
            Rejection::Direct(OAuthFailure::new(
                StatusCode::BAD_REQUEST,
                "invalid_client",
                format!("No such application: '{client_id}'"),
            ))
        })?;
    let redirect_uri = match value(pairs, "redirect_uri") {
        Some(uri) if state.config.redirect_uris.is_empty() || state.config.redirect_uris.iter().any(|known| known == uri) => uri.to_owned(),
        Some(uri) => {
            return Err(Rejection::Direct(OAuthFailure::new(
                StatusCode::BAD_REQUEST,
                "invalid_redirect_uri",
                format!("Invalid redirect URI '{uri}'. Ensure this uri exactly matches one of the uris specified in your application settings"),
            )))
        }
        None => state.config.redirect_uris.first().cloned().ok_or_else(|| {
            Rejection::Direct(OAuthFailure::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "No redirect_uri was provided and the application has none registered.",
            ))
        })?,
    };
    let oauth_state = value(pairs, "state").map(str::to_owned);
    let fail = |error: &str, description: &str| {
        let mut params = vec![("error", error), ("error_description", description)];
        if let Some(oauth_state) = &oauth_state {
            params.push(("state", oauth_state));
        }
        Rejection::Redirect(Box::new(redirect(&redirect_uri, &params)))
    };
    if value(pairs, "response_type") != Some("code") {
        return Err(fail(
            "unsupported_response_type",
            "Only response_type=code is supported.",
        ));
    }
    let scope = value(pairs, "scope").unwrap_or("read_only");
    if scope != "read_only" && scope != "read_write" {
        return Err(fail(
            "invalid_scope",
            "Invalid scope: use read_only or read_write.",
        ));
    }
    let of_mode = |index: &usize| {
        state
            .accounts
            .get(*index)
            .is_some_and(|account| account.merchant.mode == mode)
    };
    let chosen = if let Some(wanted) = value(pairs, "sandbox_account") {
        state.account_index(wanted).filter(of_mode)
    } else if let Some(email) = value(pairs, "stripe_user[email]").filter(|email| !email.is_empty())
    {
        (0..state.accounts.len())
            .filter(of_mode)
            .find(|index| {
                state
                    .accounts
                    .get(*index)
                    .is_some_and(|account| account.merchant.email == email)
            })
            .or_else(|| default_account(state, mode))
    } else {
        default_account(state, mode)
    };
    let Some(account) = chosen else {
        return Err(fail(
            "access_denied",
            "No sandbox merchant account of this mode can approve the request.",
        ));
    };
    Ok(AuthorizeRequest {
        mode,
        redirect_uri,
        state: oauth_state,
        scope: scope.to_owned(),
        account,
    })
}

pub(crate) fn default_account(state: &State, mode: Mode) -> Option<usize> {
    let of_mode = || {
        state
            .accounts
            .iter()
            .enumerate()
            .filter(move |(_, account)| account.merchant.mode == mode)
    };
    of_mode()
        .find(|(_, account)| !account.connected.load(Ordering::SeqCst))
        .or_else(|| of_mode().next())
        .map(|(index, _)| index)
}

fn approve(state: &State, request: &AuthorizeRequest) -> Response {
    let code = match lock(&state.oauth) {
        Ok(mut grants) => {
            let code = state.issue_token(&mut grants, "ac_", 32);
            grants.codes.insert(
                code.clone(),
                CodeGrant {
                    account: request.account,
                    mode: request.mode,
                    scope: request.scope.clone(),
                    expires_at: state.clock.now()
                        + i64::try_from(state.config.code_ttl.as_secs()).unwrap_or(i64::MAX / 2),
                    used: false,
                    app: false,
                },
            );
            code
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let mut params = vec![("scope", request.scope.as_str()), ("code", code.as_str())];
    if let Some(oauth_state) = &request.state {
        params.push(("state", oauth_state));
    }
    redirect(&request.redirect_uri, &params)
}

fn deny(request: &AuthorizeRequest) -> Response {
    let mut params = vec![
        ("error", "access_denied"),
        ("error_description", "The user denied your request"),
    ];
    if let Some(oauth_state) = &request.state {
        params.push(("state", oauth_state));
    }
    redirect(&request.redirect_uri, &params)
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The merchant's escaped name and account id for a consent page, and its forms' hidden fields:
/// the request's parameters and the account chosen.
pub(crate) struct ConsentFields {
    pub(crate) name: String,
    pub(crate) account_id: String,
    hidden: String,
}

impl ConsentFields {
    pub(crate) fn new(state: &State, pairs: &Pairs, account: usize) -> Self {
        let merchant = state.accounts.get(account).map(|account| &account.merchant);
        let name = merchant.map_or("", |merchant| merchant.business_name.as_str());
        let account_id = merchant.map_or("", |merchant| merchant.account_id.as_str());
        let mut hidden = String::new();
        for (key, val) in pairs.iter().filter(|(key, _)| key != "sandbox_account") {
            hidden.push_str(&format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(key),
                escape(val)
            ));
        }
        hidden.push_str(&format!(
            "<input type=\"hidden\" name=\"sandbox_account\" value=\"{}\">",
            escape(account_id)
        ));
        ConsentFields {
            name: escape(name),
            account_id: escape(account_id),
            hidden,
        }
    }

    /// The page: `title`, a heading, `text` (HTML), and the approve and deny buttons posting
    /// to `action`.
    pub(crate) fn page(
        &self,
        title: &str,
        heading: &str,
        text: &str,
        action: &str,
        (approve, deny): (&str, &str),
    ) -> Response {
        let hidden = &self.hidden;
        Html(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
<body style=\"font-family:sans-serif;max-width:32em;margin:3em auto\">\
<h1>{heading}</h1>\
<p>{text}</p>\
<form method=\"post\" action=\"{action}\" style=\"display:inline\">{hidden}\
<button type=\"submit\" name=\"decision\" value=\"approve\">{approve}</button></form> \
<form method=\"post\" action=\"{action}\" style=\"display:inline\">{hidden}\
<button type=\"submit\" name=\"decision\" value=\"deny\">{deny}</button></form>\
<p><small>This is a local sandbox, not Stripe.</small></p></body></html>"
        ))
        .into_response()
    }
}

fn consent_page(state: &State, pairs: &Pairs, request: &AuthorizeRequest) -> Response {
    let fields = ConsentFields::new(state, pairs, request.account);
    let (name, account_id) = (&fields.name, &fields.account_id);
    fields.page(
        "Connect with the Stripe sandbox",
        &format!("Connect {name}"),
        &format!(
            "An application asks for <strong>{scope}</strong> access to the {mode} account <code>{account_id}</code> ({name}).",
            scope = escape(&request.scope),
            mode = request.mode.key_word(),
        ),
        "/oauth/authorize/decision",
        ("Approve", "Deny"),
    )
}

/// `GET /oauth/authorize`.
pub(crate) async fn authorize(
    Extract(state): Extract<Arc<State>>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = match parse_pairs(query.as_deref().unwrap_or_default()) {
        Ok(pairs) => pairs,
        Err(failure) => return failure.into_response(),
    };
    match validate(&state, &pairs) {
        Ok(request) if state.config.consent_page => consent_page(&state, &pairs, &request),
        Ok(request) => approve(&state, &request),
        Err(Rejection::Direct(failure)) => failure.into_response(),
        Err(Rejection::Redirect(response)) => *response,
    }
}

/// `POST /oauth/authorize/decision`: the consent page's Approve / Deny.
pub(crate) async fn decision(Extract(state): Extract<Arc<State>>, body: String) -> Response {
    let pairs = match parse_pairs(&body) {
        Ok(pairs) => pairs,
        Err(failure) => return failure.into_response(),
    };
    match validate(&state, &pairs) {
        Ok(request) if value(&pairs, "decision") == Some("approve") => approve(&state, &request),
        Ok(request) => deny(&request),
        Err(Rejection::Direct(failure)) => failure.into_response(),
        Err(Rejection::Redirect(response)) => *response,
    }
}

/// The token endpoint's success body.
#[derive(Debug, Serialize)]
struct TokenResponse {
    access_token: String,
    refresh_token: String,
    token_type: &'static str,
    stripe_publishable_key: String,
    stripe_user_id: String,
    scope: String,
    livemode: bool,
}

pub(crate) fn platform_mode(
    state: &State,
    headers: &HeaderMap,
    pairs: &Pairs,
) -> Result<Mode, OAuthFailure> {
    let key = bearer_key(headers).or_else(|| value(pairs, "client_secret").map(str::to_owned));
    let Some(key) = key else {
        return Err(OAuthFailure::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "No authentication was provided. Send your secret API key as a Bearer token.",
        ));
    };
    state.platform_key_mode(&key).ok_or_else(|| {
        OAuthFailure::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            format!("Invalid API Key provided: {}", crate::auth::mask_key(&key)),
        )
    })
}

pub(crate) fn invalid_grant(description: String) -> OAuthFailure {
    OAuthFailure::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

fn scope_rank(scope: &str) -> u8 {
    if scope == "read_write" {
        2
    } else {
        1
    }
}

fn exchange(
    state: &State,
    headers: &HeaderMap,
    pairs: &Pairs,
) -> Result<TokenResponse, OAuthFailure> {
    let mode = platform_mode(state, headers, pairs)?;
    let mut grants = lock(&state.oauth).map_err(|_| {
        OAuthFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "sandbox failure",
        )
    })?;
    let (account, scope, newly_connected) = match value(pairs, "grant_type") {
        Some("authorization_code") => {
            let code = value(pairs, "code").ok_or_else(|| {
                OAuthFailure::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "No grant code provided",
                )
            })?;
            let now = state.clock.now();
            let grant = grants.codes.get_mut(code).ok_or_else(|| {
                invalid_grant(format!("Authorization code does not exist: {code}"))
            })?;
            if grant.used || grant.app {
                return Err(invalid_grant(format!(
                    "Authorization code has already been used: {code}"
                )));
            }
            if now > grant.expires_at {
                return Err(invalid_grant(format!("Authorization code expired: {code}")));
            }
            if grant.mode != mode {
                return Err(invalid_grant(format!(
                    "Authorization code {code} was issued to the {} client id; use the {} secret key",
                    grant.mode.key_word(),
                    grant.mode.key_word()
                )));
            }
            grant.used = true;
            let account = state.accounts.get(grant.account).ok_or_else(|| {
                invalid_grant(format!("Authorization code does not exist: {code}"))
            })?;
            let was_connected = account.connected.swap(true, Ordering::SeqCst);
            (grant.account, grant.scope.clone(), !was_connected)
        }
        Some("refresh_token") => {
            let refresh = value(pairs, "refresh_token").ok_or_else(|| {
                OAuthFailure::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "No refresh token provided",
                )
            })?;
            let grant = grants
                .refresh_tokens
                .get(refresh)
                .cloned()
                .filter(|grant| grant.mode == mode && !grant.app)
                .ok_or_else(|| invalid_grant(format!("Refresh token does not exist: {refresh}")))?;
            let connected = state
                .accounts
                .get(grant.account)
                .is_some_and(|account| account.connected.load(Ordering::SeqCst));
            if !connected {
                return Err(invalid_grant(format!(
                    "Refresh token has been revoked: {refresh}"
                )));
            }
            let scope = match value(pairs, "scope") {
                Some(asked)
                    if scope_rank(asked) > scope_rank(&grant.scope)
                        || !matches!(asked, "read_only" | "read_write") =>
                {
                    return Err(OAuthFailure::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_scope",
                        format!("Scope {asked} is not allowed for this refresh token"),
                    ))
                }
                Some(asked) => asked.to_owned(),
                None => grant.scope.clone(),
            };
            (grant.account, scope, false)
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
    let (access_token, refresh_token) = state.grant_tokens(
        &mut grants,
        TokenGrant {
            account,
            mode,
            scope: scope.clone(),
            expires_at_ms: None,
            used: false,
            app: false,
        },
    );
    drop(grants);
    let stripe_user_id = linked(state, account, newly_connected);
    Ok(TokenResponse {
        access_token,
        refresh_token,
        token_type: "bearer",
        stripe_publishable_key: state.keys(mode).publishable_key.clone(),
        stripe_user_id,
        scope,
        livemode: mode.is_live(),
    })
}

/// `POST /oauth/token`.
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

/// `POST /oauth/deauthorize`.
pub(crate) async fn deauthorize(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let result = parse_pairs(&body).and_then(|pairs| {
        let mode = platform_mode(&state, &headers, &pairs)?;
        let client_id = value(&pairs, "client_id").unwrap_or_default();
        if client_id != state.keys(mode).client_id {
            return Err(OAuthFailure::new(
                StatusCode::BAD_REQUEST,
                "invalid_client",
                format!("No such application: '{client_id}'"),
            ));
        }
        let account_id = value(&pairs, "stripe_user_id").unwrap_or_default();
        let index = state
            .account_index(account_id)
            .filter(|index| {
                state.accounts.get(*index).is_some_and(|account| {
                    account.merchant.mode == mode && account.connected.load(Ordering::SeqCst)
                })
            })
            .ok_or_else(|| {
                OAuthFailure::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_client",
                    format!("This application is not connected to stripe account {account_id}, or that account does not exist."),
                )
            })?;
        crate::activity::disconnect(&state, index);
        Ok(account_id.to_owned())
    });
    match result {
        Ok(account_id) => Json(serde_json::json!({ "stripe_user_id": account_id })).into_response(),
        Err(failure) => failure.into_response(),
    }
}

/// Counts a token request's outcome in the `oauth` counters.
pub(crate) fn count_token_request<T>(
    state: &State,
    grant_type: Option<&str>,
    result: &Result<T, OAuthFailure>,
) {
    let Ok(mut grants) = lock(&state.oauth) else {
        return;
    };
    match result {
        Ok(_) if grant_type == Some("authorization_code") => grants.counters.code_exchanges += 1,
        Err(failure) if failure.is_invalid_grant() => grants.counters.invalid_grants += 1,
        _ => {}
    }
}

/// The account id of the account at `account` whose tokens were just issued; announces the
/// connection when the grant is new.
pub(crate) fn linked(state: &State, account: usize, newly_connected: bool) -> String {
    if newly_connected {
        crate::activity::announce_connection(state, account, true);
    }
    state
        .accounts
        .get(account)
        .map(|account| account.merchant.account_id.clone())
        .unwrap_or_default()
}
