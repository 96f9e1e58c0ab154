//! Stripe's answers from `/oauth/token` and `/oauth/deauthorize`, parsed without I/O.
//!
//! [`parse_token_response`] and [`parse_deauthorize_response`] take the HTTP status and body of
//! an answer, so any HTTP stack can use them; [`crate::OAuthClient`] (feature `oauth`) uses them
//! after its own requests.

use std::fmt;

use secrecy::SecretString;
use serde::Deserialize;

use crate::error::{ConnectError, OAuthErrorCode};
use crate::integration::Mode;

/// A connected account's tokens and ids, from a code exchange or a refresh.
///
/// `Debug` shows no token: they are [`SecretString`]s.
#[derive(Debug, Clone)]
pub struct ConnectedAccount {
    stripe_user_id: String,
    livemode: bool,
    scope: Option<String>,
    token_type: String,
    access_token: SecretString,
    refresh_token: Option<SecretString>,
    stripe_publishable_key: Option<String>,
}

/// The result of a deauthorize call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deauthorization {
    /// Stripe disconnected the account now.
    Deauthorized {
        /// The account Stripe confirmed (`acct_...`).
        stripe_user_id: String,
    },
    /// The account was not connected to this platform any more (the merchant revoked access,
    /// or it was deauthorized before), or does not exist. Nothing left to undo.
    AlreadyDisconnected {
        /// Stripe's description.
        description: Option<String>,
    },
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    token_type: String,
    livemode: bool,
    stripe_user_id: String,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    stripe_publishable_key: Option<String>,
}

#[derive(Deserialize)]
struct DeauthorizeBody {
    stripe_user_id: String,
}

/// Reads an answer of `POST /oauth/token` (code exchange or refresh) and checks that the
/// account is in `expected` mode.
///
/// - A success (2xx) with Stripe's token fields is a [`ConnectedAccount`].
/// - An OAuth error body (`{"error": ..., "error_description": ...}`) is
///   [`ConnectError::OAuth`] (e.g. `invalid_grant` for a used or expired code).
/// - A token of the other mode is [`ConnectError::LivemodeMismatch`]: a live account must never
///   be linked through test-mode settings, nor a test account through live ones.
/// - Anything else is [`ConnectError::UnexpectedResponse`], naming where it failed to parse
///   but never quoting the body (it may hold tokens).
pub fn parse_token_response(
    status: u16,
    body: &[u8],
    expected: Mode,
) -> Result<ConnectedAccount, ConnectError> {
    if !(200..300).contains(&status) {
        return Err(oauth_error(status, body, "token"));
    }
    let token: TokenBody =
        serde_json::from_slice(body).map_err(|error| ConnectError::UnexpectedResponse {
            problem: format!(
                "the token response does not parse at line {} column {}",
                error.line(),
                error.column()
            ),
        })?;
    if !token.token_type.eq_ignore_ascii_case("bearer") {
        return Err(ConnectError::UnexpectedResponse {
            problem: format!("the token type is {:?}, not bearer", token.token_type),
        });
    }
    if token.livemode != expected.is_live() {
        return Err(ConnectError::LivemodeMismatch {
            mode: expected,
            livemode: token.livemode,
        });
    }
    Ok(ConnectedAccount {
        stripe_user_id: token.stripe_user_id,
        livemode: token.livemode,
        scope: token.scope,
        token_type: token.token_type,
        access_token: SecretString::from(token.access_token),
        refresh_token: token.refresh_token.map(SecretString::from),
        stripe_publishable_key: token.stripe_publishable_key,
    })
}

/// Reads an answer of `POST /oauth/deauthorize` for `stripe_user_id`.
///
/// A success must confirm the same account. An account that is already disconnected, or does
/// not exist, is [`Deauthorization::AlreadyDisconnected`]: Stripe answers `invalid_client`
/// saying the account is not connected or does not exist. Any other error (including another
/// `invalid_client`: a wrong client id, a key of the other mode) is [`ConnectError::OAuth`].
pub fn parse_deauthorize_response(
    status: u16,
    body: &[u8],
    stripe_user_id: &str,
) -> Result<Deauthorization, ConnectError> {
    if (200..300).contains(&status) {
        let body: DeauthorizeBody =
            serde_json::from_slice(body).map_err(|_| ConnectError::UnexpectedResponse {
                problem: format!("deauthorize answered {status} without a stripe_user_id"),
            })?;
        if body.stripe_user_id != stripe_user_id {
            return Err(ConnectError::UnexpectedResponse {
                problem: "deauthorize confirmed another account".to_owned(),
            });
        }
        return Ok(Deauthorization::Deauthorized {
            stripe_user_id: body.stripe_user_id,
        });
    }
    match oauth_error(status, body, "deauthorize") {
        ConnectError::OAuth {
            code: OAuthErrorCode::InvalidClient,
            description: Some(description),
        } if describes_missing_connection(&description) => {
            Ok(Deauthorization::AlreadyDisconnected {
                description: Some(description),
            })
        }
        error => Err(error),
    }
}

/// The error of a non-2xx answer: Stripe's OAuth error body, or an unexpected response.
pub(crate) fn oauth_error(status: u16, body: &[u8], endpoint: &str) -> ConnectError {
    match serde_json::from_slice::<stripe_wire::OAuthErrorBody>(body) {
        Ok(error) => ConnectError::OAuth {
            code: OAuthErrorCode::parse(&error.error),
            description: error.error_description,
        },
        Err(_) => ConnectError::UnexpectedResponse {
            problem: format!("{endpoint} answered {status} without an oauth error body"),
        },
    }
}

/// Whether an `invalid_client` description says the account is not (or no longer) connected.
fn describes_missing_connection(description: &str) -> bool {
    let description = description.to_ascii_lowercase();
    description.contains("not connected") || description.contains("does not exist")
}

impl ConnectedAccount {
    /// The connected account's id (`acct_...`), to send as `Stripe-Account` with the platform
    /// secret key.
    pub fn stripe_user_id(&self) -> &str {
        &self.stripe_user_id
    }

    /// Whether the token is for live mode.
    pub fn livemode(&self) -> bool {
        self.livemode
    }

    /// The token's mode.
    pub fn mode(&self) -> Mode {
        Mode::from_livemode(self.livemode)
    }

    /// The scope granted (`read_only` or `read_write`), if Stripe said.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The token type (`bearer`).
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// The access token; it acts like a secret key for this account only.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The refresh token, if Stripe sent one.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// The account's publishable key (`pk_...`), if Stripe sent one.
    pub fn stripe_publishable_key(&self) -> Option<&str> {
        self.stripe_publishable_key.as_deref()
    }
}

impl fmt::Display for Deauthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Deauthorized { stripe_user_id } => write!(f, "{stripe_user_id} deauthorized"),
            Self::AlreadyDisconnected { .. } => f.write_str("already disconnected"),
        }
    }
}
