//! The crate's one error enum, [`ConnectError`], and the small types its variants carry.
//!
//! Messages are lowercase and never contain a secret key, token, authorization code or
//! webhook secret. This module depends on nothing but `thiserror` and the crate's own types.

use std::fmt;

use crate::integration::Mode;

/// Everything that can go wrong in this crate: settings, the authorize URL, the callback, the
/// OAuth endpoints and webhook signature checks.
///
/// One enum for the whole crate: a caller of the OAuth calls never sees a webhook variant and
/// a caller of [`crate::webhook`] only sees the `Webhook*` variants and
/// [`ConnectError::InvalidWebhookSecret`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    // ---- configuration ----
    /// The secret key's mode does not match the settings' mode (a live key for test mode, or
    /// a test key for live mode).
    #[error("the secret key is a {key_mode} key but {mode} mode needs a {mode} key (sk_{mode}_... or rk_{mode}_...)")]
    KeyModeMismatch {
        /// The mode being configured.
        mode: Mode,
        /// The mode of the key that was given: `test` or `live`.
        key_mode: &'static str,
    },
    /// The secret key is not a Stripe secret or restricted key (`sk_` / `rk_`).
    #[error("the {mode}-mode secret key is not a Stripe secret key: {problem}")]
    InvalidSecretKey {
        /// The mode being configured.
        mode: Mode,
        /// What is wrong with it (never the key itself).
        problem: &'static str,
    },
    /// The Connect client id is empty or does not start with `ca_`.
    #[error("the {mode}-mode client id is invalid: {problem}")]
    InvalidClientId {
        /// The mode being configured.
        mode: Mode,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A URL in the configuration (redirect URI or Connect base URL) is unusable.
    #[error("the {mode}-mode {field} is invalid: {problem}")]
    InvalidUrl {
        /// The mode being configured.
        mode: Mode,
        /// Which setting: `redirect uri` or `connect base url`.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A value of an authorize URL is unusable.
    #[error("the authorize url's {field} is invalid: {problem}")]
    InvalidAuthorizeUrl {
        /// Which value: `client id`, `state`, `redirect uri` or `connect base url`.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// The webhook signing secret is empty or does not start with `whsec_`.
    #[error("the webhook signing secret is invalid: {problem}")]
    InvalidWebhookSecret {
        /// What is wrong with it (never the secret itself).
        problem: &'static str,
    },

    /// The callback carried no `state` parameter.
    #[error("the callback has no state parameter")]
    MissingState,

    // ---- callback ----
    /// The callback query is neither a success (`code`) nor an error (`error`) redirect.
    #[error("the callback is malformed: {problem}")]
    InvalidCallback {
        /// What is wrong with it.
        problem: String,
    },

    // ---- token endpoint ----
    /// Stripe's OAuth endpoint answered with an OAuth error body.
    #[error("stripe refused the oauth request: {code}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    OAuth {
        /// The OAuth error code.
        code: OAuthErrorCode,
        /// Stripe's `error_description`, if any.
        description: Option<String>,
    },
    /// The token's `livemode` does not match the expected mode: a live account must never be
    /// linked through test-mode settings, nor a test account through live ones.
    #[error("the token is for a {} account but the settings are for {mode} mode", if *livemode { "live-mode" } else { "test-mode" })]
    LivemodeMismatch {
        /// The mode the link went through.
        mode: Mode,
        /// What Stripe returned.
        livemode: bool,
    },
    /// The HTTP request to Stripe failed before an answer arrived.
    #[error("the request to stripe connect failed")]
    Http {
        /// The transport error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Stripe answered something this crate cannot read.
    #[error("unexpected response from stripe connect: {problem}")]
    UnexpectedResponse {
        /// What was unexpected (never the body, which may hold tokens).
        problem: String,
    },

    // ---- webhooks ----
    /// The `Stripe-Signature` header is missing parts or malformed.
    #[error("the stripe-signature header is malformed: {problem}")]
    WebhookHeaderInvalid {
        /// What is wrong with it.
        problem: &'static str,
    },
    /// No `v1` signature in the header matches the payload.
    #[error("no v1 signature matches the payload")]
    WebhookSignatureMismatch,
    /// The signature is valid but its timestamp is older than the tolerance.
    #[error(
        "the webhook timestamp is {age_secs} s old, more than the {tolerance_secs} s tolerance"
    )]
    WebhookTimestampTooOld {
        /// The age of the signature timestamp.
        age_secs: u64,
        /// The tolerance in force.
        tolerance_secs: u64,
    },
    /// The signed payload is not a Stripe event.
    #[error("the webhook payload is not a stripe event")]
    WebhookPayload {
        /// The decoding error, with the JSON path of the failure.
        #[source]
        source: stripe_wire::WireError,
    },
}

/// An OAuth error code from Stripe's `/oauth/token` or `/oauth/deauthorize` endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// The code or refresh token is unknown, already used, expired or revoked.
    InvalidGrant,
    /// The client or account is not recognised (for example, the account is not connected
    /// to the platform, or the key's mode does not match the client id's).
    InvalidClient,
    /// A parameter is missing or invalid.
    InvalidRequest,
    /// The scope is invalid.
    InvalidScope,
    /// The grant type is not supported.
    UnsupportedGrantType,
    /// The client is not allowed to use this grant.
    UnauthorizedClient,
    /// Any other code, kept as Stripe sent it.
    Other(String),
}

impl OAuthErrorCode {
    /// Parses an OAuth `error` code.
    pub fn parse(code: &str) -> Self {
        match code {
            "invalid_grant" => Self::InvalidGrant,
            "invalid_client" => Self::InvalidClient,
            "invalid_request" => Self::InvalidRequest,
            "invalid_scope" => Self::InvalidScope,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "unauthorized_client" => Self::UnauthorizedClient,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The code as Stripe spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidGrant => "invalid_grant",
            Self::InvalidClient => "invalid_client",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidScope => "invalid_scope",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::Other(other) => other,
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
