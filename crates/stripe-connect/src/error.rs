//! The crate's one error enum, [`ConnectError`], and the small types its variants carry.
//!
//! Messages are lowercase and never contain a secret key, token, authorization code or
//! webhook secret. This module depends on nothing but `thiserror` and the crate's own types.

use std::fmt;

use crate::integration::IntegrationKind;

/// Everything that can go wrong in this crate: configuration, the OAuth link flow and
/// webhook signature checks.
///
/// One enum for the whole crate (house style): a caller of the OAuth flow never sees a
/// webhook variant and a caller of [`crate::webhook`] only sees the `Webhook*` variants, so
/// splitting would add a type without letting anyone match less.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    // ---- configuration ----
    /// The secret key's mode does not match the integration (a live key in Stripe Test, or
    /// a test key in Stripe).
    #[error("the secret key is a {key_mode} key but the {kind} integration needs a {expected_mode} key (sk_{expected_mode}_... or rk_{expected_mode}_...)")]
    KeyModeMismatch {
        /// The integration being configured.
        kind: IntegrationKind,
        /// The mode of the key that was given: `test` or `live`.
        key_mode: &'static str,
        /// The mode the integration needs: `test` or `live`.
        expected_mode: &'static str,
    },
    /// The secret key is not a Stripe secret or restricted key (`sk_` / `rk_`).
    #[error("the secret key for the {kind} integration is not a Stripe secret key: {problem}")]
    InvalidSecretKey {
        /// The integration being configured.
        kind: IntegrationKind,
        /// What is wrong with it (never the key itself).
        problem: &'static str,
    },
    /// The Connect client id is empty or does not start with `ca_`.
    #[error("the client id for the {kind} integration is invalid: {problem}")]
    InvalidClientId {
        /// The integration being configured.
        kind: IntegrationKind,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A URL in the configuration (redirect URI or Connect base URL) is unusable.
    #[error("the {field} for the {kind} integration is invalid: {problem}")]
    InvalidUrl {
        /// The integration being configured.
        kind: IntegrationKind,
        /// Which setting: `redirect uri` or `connect base url`.
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

    // ---- state ----
    /// The callback carried no `state` parameter.
    #[error("the callback has no state parameter")]
    MissingState,
    /// The `state` was never issued here, or it was already used (states are single use).
    #[error("the state is unknown: forged, or already used")]
    UnknownState,
    /// The `state` was issued but its lifetime is over.
    #[error("the state expired {expired_for_secs} s ago")]
    ExpiredState {
        /// How long ago it expired, in whole seconds.
        expired_for_secs: u64,
    },
    /// The `state` was issued for another company or connection than the one completing.
    #[error("the state was issued for another company or connection")]
    StateMismatch,
    /// The [`crate::StateStore`] failed.
    #[error("the state store failed")]
    StateStore {
        /// The store's own error.
        #[source]
        source: StateStoreError,
    },

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
    /// The token's `livemode` does not match the integration: a live account must never be
    /// linked through Stripe Test, nor a test account through Stripe.
    #[error("the token is for a {} account but the integration is {kind}", if *livemode { "live-mode" } else { "test-mode" })]
    LivemodeMismatch {
        /// The integration the link went through.
        kind: IntegrationKind,
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

/// The error a [`crate::StateStore`] implementation reports; it wraps the backend's own error.
///
/// This is a contract type for implementors (a database-backed store lives in another
/// crate), not a second error enum: the flow turns it into [`ConnectError::StateStore`].
#[derive(Debug, thiserror::Error)]
#[error("state store backend error")]
pub struct StateStoreError {
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl StateStoreError {
    /// Wraps a backend error.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            source: source.into(),
        }
    }
}

impl From<StateStoreError> for ConnectError {
    fn from(source: StateStoreError) -> Self {
        Self::StateStore { source }
    }
}
