//! Stripe Apps OAuth, without I/O: the install link a merchant follows ([`app_install_url`]) and
//! the answer of `POST /v1/oauth/token` ([`parse_app_token_response`]).
//!
//! A Stripe App whose manifest sets `"stripe_api_access_type": "oauth"` links a merchant through
//! its install link (one for test mode, one for live mode, from the app's "External test" tab).
//! Stripe sends the merchant back to the redirect URI with `code` and `state`; the code is
//! exchanged at `{api_base}/v1/oauth/token`, authenticated with the secret key of the account
//! that owns the app. The access token is the account's API key (sent as the bearer key, with no
//! `Stripe-Account` header) and expires (one hour); each refresh answers a new refresh token and
//! the old one stops working.
//!
//! [`crate::AppOAuthClient`] (feature `oauth`) makes those calls over `reqwest`.

use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

use crate::error::ConnectError;
use crate::integration::Mode;

/// How long an access token lives when Stripe's answer has no `expires_in`: one hour, as Stripe
/// documents for Stripe Apps OAuth.
pub const DEFAULT_APP_ACCESS_TTL: Duration = Duration::from_secs(3600);

/// The install link for one linking attempt: `install_url` (the app's test or live OAuth install
/// link) with `client_id`, `redirect_uri` and `state` added to its query.
///
/// The install link may already carry a query string; its other parameters are kept, and any
/// `client_id`, `redirect_uri` or `state` it carried are replaced. Refused: an install link,
/// client id or redirect URI that is not usable (never quoting `state`).
pub fn app_install_url(
    install_url: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
) -> Result<Url, ConnectError> {
    let mut url = crate::integration::parse_http_url("install url", install_url)?;
    if client_id.trim().is_empty() {
        return Err(ConnectError::InvalidAuthorizeUrl {
            field: "client id",
            problem: "it is empty".to_owned(),
        });
    }
    crate::integration::parse_http_url("redirect uri", redirect_uri)?;
    if state.is_empty() {
        return Err(ConnectError::InvalidAuthorizeUrl {
            field: "state",
            problem: "it is empty".to_owned(),
        });
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !matches!(name.as_ref(), "client_id" | "redirect_uri" | "state"))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    url.set_query(None);
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in &kept {
            query.append_pair(name, value);
        }
        query
            .append_pair("client_id", client_id.trim())
            .append_pair("redirect_uri", redirect_uri.trim())
            .append_pair("state", state);
    }
    Ok(url)
}

/// An installed app's tokens for one account, from a code exchange or a refresh at
/// `/v1/oauth/token`.
///
/// `Debug` shows no token: they are [`SecretString`]s.
#[derive(Debug, Clone)]
pub struct AppTokens {
    stripe_user_id: String,
    livemode: bool,
    scope: Option<String>,
    access_token: SecretString,
    refresh_token: SecretString,
    expires_in: Duration,
}

#[derive(Deserialize)]
struct AppTokenBody {
    access_token: String,
    refresh_token: String,
    #[serde(default)]
    token_type: Option<String>,
    livemode: bool,
    stripe_user_id: String,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// Reads an answer of `POST /v1/oauth/token` (code exchange or refresh) and checks that the
/// account is in `expected` mode.
///
/// - A success (2xx) with `access_token`, `refresh_token`, `stripe_user_id` and `livemode` is
///   [`AppTokens`]; `expires_in` (seconds) is used when present, otherwise
///   [`DEFAULT_APP_ACCESS_TTL`].
/// - An OAuth error body (`{"error": ..., "error_description": ...}`) is
///   [`ConnectError::OAuth`]: `invalid_grant` for a used, expired or revoked code or refresh
///   token (for a refresh: the merchant must link again).
/// - Tokens of the other mode are [`ConnectError::LivemodeMismatch`].
/// - Anything else is [`ConnectError::UnexpectedResponse`], never quoting the body (it may hold
///   tokens).
pub fn parse_app_token_response(
    status: u16,
    body: &[u8],
    expected: Mode,
) -> Result<AppTokens, ConnectError> {
    if !(200..300).contains(&status) {
        return Err(crate::token::oauth_error(status, body, "token"));
    }
    let token: AppTokenBody =
        serde_json::from_slice(body).map_err(|error| ConnectError::UnexpectedResponse {
            problem: format!(
                "the app token response does not parse at line {} column {}",
                error.line(),
                error.column()
            ),
        })?;
    if let Some(token_type) = &token.token_type {
        if !token_type.eq_ignore_ascii_case("bearer") {
            return Err(ConnectError::UnexpectedResponse {
                problem: format!("the token type is {token_type:?}, not bearer"),
            });
        }
    }
    if token.access_token.is_empty() || token.refresh_token.is_empty() {
        return Err(ConnectError::UnexpectedResponse {
            problem: "the app token response has an empty token".to_owned(),
        });
    }
    if token.livemode != expected.is_live() {
        return Err(ConnectError::LivemodeMismatch {
            mode: expected,
            livemode: token.livemode,
        });
    }
    Ok(AppTokens {
        stripe_user_id: token.stripe_user_id,
        livemode: token.livemode,
        scope: token.scope,
        access_token: SecretString::from(token.access_token),
        refresh_token: SecretString::from(token.refresh_token),
        expires_in: token
            .expires_in
            .map_or(DEFAULT_APP_ACCESS_TTL, Duration::from_secs),
    })
}

impl AppTokens {
    /// The account's id (`acct_...`).
    pub fn stripe_user_id(&self) -> &str {
        &self.stripe_user_id
    }

    /// Whether the tokens are for live mode.
    pub fn livemode(&self) -> bool {
        self.livemode
    }

    /// The scope Stripe reported, if any.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The access token: the account's API key until it expires (bearer, no `Stripe-Account`).
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The refresh token; it works once (the refresh answers a new one).
    pub fn refresh_token(&self) -> &SecretString {
        &self.refresh_token
    }

    /// How long the access token lives from when Stripe answered (`expires_in`, or one hour).
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }
}
