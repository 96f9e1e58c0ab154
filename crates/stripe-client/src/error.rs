//! The crate's one error type, [`StripeError`], and how an HTTP response maps onto it.
//!
//! Messages never contain the secret key: configuration errors name only the problem, and text
//! Stripe sends back is scrubbed of the key before it is stored.

use std::time::Duration;

use stripe_wire::ApiError;

/// Everything that can go wrong talking to Stripe.
///
/// Every variant built from an HTTP response carries Stripe's `Request-Id` when the response had
/// one ([`StripeError::request_id`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StripeError {
    /// The secret key is malformed or has an unknown prefix. The key is never echoed.
    #[error("invalid stripe secret key: {reason}")]
    InvalidSecretKey {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A configuration value or request argument is unusable.
    #[error("invalid {field}: {reason}")]
    InvalidConfig {
        /// The setting or argument, e.g. `api_base`, `stripe_account`, `path`.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// Stripe rejected the platform key (HTTP 401 that is not about a connected account).
    #[error(
        "stripe rejected the api key (status {status}){}",
        display_message(message)
    )]
    InvalidApiKey {
        /// The HTTP status (401).
        status: u16,
        /// Stripe's error code, if any.
        code: Option<String>,
        /// Stripe's message (scrubbed of the key).
        message: Option<String>,
        /// Stripe's `Request-Id`.
        request_id: Option<String>,
    },

    /// The platform has no access to the connected account: the merchant revoked the
    /// application, or the account does not exist. The connection needs to be re-linked.
    #[error(
        "no access to connected account {account} (status {status}){}",
        display_message(message)
    )]
    AccountAccessRevoked {
        /// The `acct_...` sent as `Stripe-Account`.
        account: String,
        /// The HTTP status (401 or 403, or 400 with `account_invalid`).
        status: u16,
        /// Stripe's error code, e.g. `account_invalid`.
        code: Option<String>,
        /// Stripe's message (scrubbed of the key).
        message: Option<String>,
        /// Stripe's `Request-Id`.
        request_id: Option<String>,
    },

    /// The object or endpoint does not exist (HTTP 404).
    #[error("stripe object not found{}", display_message(message))]
    NotFound {
        /// Stripe's error code, e.g. `resource_missing`.
        code: Option<String>,
        /// Stripe's message.
        message: Option<String>,
        /// Stripe's `Request-Id`.
        request_id: Option<String>,
    },

    /// Stripe still answered 429 (or `rate_limit`) after every retry.
    #[error(
        "rate limited by stripe after {attempts} attempts{}",
        display_message(message)
    )]
    RateLimited {
        /// Attempts made.
        attempts: u32,
        /// Stripe's error code (`rate_limit`, `lock_timeout`, ...).
        code: Option<String>,
        /// Stripe's message.
        message: Option<String>,
        /// The last `Retry-After`, if any.
        retry_after: Option<Duration>,
        /// Stripe's `Request-Id` of the last response.
        request_id: Option<String>,
    },

    /// Any other error Stripe described with an error body.
    #[error(
        "stripe api error (status {status}, type {}, code {}){}",
        error_type.as_deref().unwrap_or("-"),
        code.as_deref().unwrap_or("-"),
        display_message(message)
    )]
    Api {
        /// The HTTP status.
        status: u16,
        /// Stripe's error `type`, e.g. `invalid_request_error`, `api_error`.
        error_type: Option<String>,
        /// Stripe's error `code`.
        code: Option<String>,
        /// Stripe's message.
        message: Option<String>,
        /// Stripe's `param`, if the error concerns one.
        param: Option<String>,
        /// Attempts made.
        attempts: u32,
        /// Stripe's `Request-Id`.
        request_id: Option<String>,
    },

    /// An error status whose body is not a Stripe error, e.g. an HTML page from a proxy.
    #[error(
        "unexpected stripe response (status {status}, content type {}) after {attempts} attempts",
        content_type.as_deref().unwrap_or("-")
    )]
    UnexpectedResponse {
        /// The HTTP status.
        status: u16,
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// Attempts made.
        attempts: u32,
        /// Stripe's `Request-Id`, if the response had one.
        request_id: Option<String>,
    },

    /// A successful response whose body does not decode into the expected type
    /// (malformed or truncated JSON, or a shape the type does not accept).
    #[error("cannot decode stripe response (status {status}) at {path}: {source}")]
    Decode {
        /// The HTTP status.
        status: u16,
        /// The JSON path where decoding failed, e.g. `data[3].amount` (`.` for the root).
        path: String,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
        /// Stripe's `Request-Id`.
        request_id: Option<String>,
    },

    /// The request did not get a response: connection refused or reset, TLS, DNS, a body cut
    /// off mid-stream.
    #[error("stripe request failed after {attempts} attempts")]
    Transport {
        /// Attempts made.
        attempts: u32,
        /// Stripe's `Request-Id`, when headers arrived before the body failed.
        request_id: Option<String>,
        /// The HTTP client's error (never contains the key).
        #[source]
        source: reqwest::Error,
    },

    /// No response within the configured timeout, on every attempt.
    #[error("stripe request timed out after {attempts} attempts")]
    Timeout {
        /// Attempts made.
        attempts: u32,
        /// Stripe's `Request-Id`, when headers arrived before the body timed out.
        request_id: Option<String>,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },

    /// A list endpoint said `has_more` but its last object was the cursor already sent, so
    /// following it would loop forever.
    #[error("stripe list {path} did not advance past cursor {cursor}")]
    PagingStalled {
        /// The list path.
        path: String,
        /// The cursor that did not advance.
        cursor: String,
    },

    /// A typed list ([`crate::StripeClient::list_all`]) was given a filter its endpoint does
    /// not take (see [`stripe_wire::Listable::FILTERS`]); nothing was sent.
    #[error("the list {path} does not take the filter {filter}")]
    UnknownFilter {
        /// The list path.
        path: &'static str,
        /// The filter key as given.
        filter: String,
    },
}

fn display_message(message: &Option<String>) -> String {
    match message {
        Some(message) => format!(": {message}"),
        None => String::new(),
    }
}

impl StripeError {
    /// Stripe's `Request-Id` of the response this error came from, if it had one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            StripeError::InvalidApiKey { request_id, .. }
            | StripeError::AccountAccessRevoked { request_id, .. }
            | StripeError::NotFound { request_id, .. }
            | StripeError::RateLimited { request_id, .. }
            | StripeError::Api { request_id, .. }
            | StripeError::UnexpectedResponse { request_id, .. }
            | StripeError::Decode { request_id, .. }
            | StripeError::Transport { request_id, .. }
            | StripeError::Timeout { request_id, .. } => request_id.as_deref(),
            StripeError::InvalidSecretKey { .. }
            | StripeError::InvalidConfig { .. }
            | StripeError::PagingStalled { .. }
            | StripeError::UnknownFilter { .. } => None,
        }
    }

    /// The HTTP status of the response this error came from, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            StripeError::InvalidApiKey { status, .. }
            | StripeError::AccountAccessRevoked { status, .. }
            | StripeError::Api { status, .. }
            | StripeError::UnexpectedResponse { status, .. }
            | StripeError::Decode { status, .. } => Some(*status),
            StripeError::NotFound { .. } => Some(404),
            StripeError::RateLimited { .. } => Some(429),
            StripeError::InvalidSecretKey { .. }
            | StripeError::InvalidConfig { .. }
            | StripeError::Transport { .. }
            | StripeError::Timeout { .. }
            | StripeError::PagingStalled { .. }
            | StripeError::UnknownFilter { .. } => None,
        }
    }

    /// Whether trying again later may succeed: rate limits, lock timeouts, server errors,
    /// timeouts and transport failures. The client has already retried these within its
    /// policy; a caller may schedule a later run.
    pub fn is_retryable(&self) -> bool {
        match self {
            StripeError::RateLimited { .. }
            | StripeError::Transport { .. }
            | StripeError::Timeout { .. } => true,
            StripeError::Api { status, code, .. } => {
                *status >= 500 || (*status == 409 && code.as_deref() == Some("lock_timeout"))
            }
            StripeError::UnexpectedResponse { status, .. } => *status >= 500 || *status == 429,
            StripeError::InvalidSecretKey { .. }
            | StripeError::InvalidConfig { .. }
            | StripeError::InvalidApiKey { .. }
            | StripeError::AccountAccessRevoked { .. }
            | StripeError::NotFound { .. }
            | StripeError::Decode { .. }
            | StripeError::PagingStalled { .. }
            | StripeError::UnknownFilter { .. } => false,
        }
    }

    /// Whether the platform lost access to the connected account (revoked or unknown account):
    /// the connection must be re-linked before syncing again.
    pub fn is_access_revoked(&self) -> bool {
        matches!(self, StripeError::AccountAccessRevoked { .. })
    }

    /// Whether Stripe rejected the platform key itself.
    pub fn is_invalid_api_key(&self) -> bool {
        matches!(self, StripeError::InvalidApiKey { .. })
    }

    /// Whether the object or endpoint does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, StripeError::NotFound { .. })
    }
}

/// What a failed response said, before it is turned into a [`StripeError`].
#[derive(Debug)]
pub(crate) struct ErrorResponse {
    pub(crate) status: u16,
    pub(crate) api_error: Option<ApiError>,
    pub(crate) content_type: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) request_id: Option<String>,
}

/// Markers in Stripe's messages for a `Stripe-Account` the key cannot reach, e.g.
/// "The provided key 'sk_test_***' does not have access to account 'acct_...' (or that account
/// does not exist). Application access may have been revoked."
const ACCOUNT_ACCESS_MARKERS: [&str; 3] = [
    "does not have access to account",
    "application access may have been revoked",
    "that account does not exist",
];

impl ErrorResponse {
    /// Whether this is a rate limit answer (429, or 400 `rate_limit`), not a lock timeout.
    pub(crate) fn is_rate_limit(&self) -> bool {
        let code = self
            .api_error
            .as_ref()
            .and_then(|error| error.code.as_deref());
        (self.status == 429 && code != Some("lock_timeout"))
            || (self.status == 400 && code == Some("rate_limit"))
    }

    /// Whether Stripe says the connected account is out of reach.
    fn is_account_access_error(&self) -> bool {
        let Some(api_error) = &self.api_error else {
            return false;
        };
        if api_error.code.as_deref() == Some("account_invalid") {
            return true;
        }
        if !matches!(self.status, 401 | 403) {
            return false;
        }
        let message = api_error
            .message
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        ACCOUNT_ACCESS_MARKERS
            .iter()
            .any(|marker| message.contains(marker))
    }

    /// Maps the final failed response of a request made with an account's own key (see
    /// `StripeClient::with_account_key`): a `401` other than `api_key_expired` means the key was
    /// revoked, so the account is out of reach.
    pub(crate) fn into_account_key_error(
        self,
        account: &str,
        attempts: u32,
        secret: &str,
    ) -> StripeError {
        let code = self.api_error.as_ref().and_then(|error| error.code.clone());
        if self.status == 401 && code.as_deref() != Some("api_key_expired") {
            let message = self
                .api_error
                .as_ref()
                .and_then(|error| error.message.clone())
                .map(|text| text.replace(secret, "[redacted]"));
            return StripeError::AccountAccessRevoked {
                account: account.to_owned(),
                status: self.status,
                code,
                message,
                request_id: self.request_id,
            };
        }
        self.into_error(Some(account), attempts, secret)
    }

    /// Maps the final failed response (after retries) onto the error enum.
    pub(crate) fn into_error(
        self,
        stripe_account: Option<&str>,
        attempts: u32,
        secret: &str,
    ) -> StripeError {
        let scrub = |text: Option<String>| text.map(|text| text.replace(secret, "[redacted]"));
        let Some(api_error) = &self.api_error else {
            return StripeError::UnexpectedResponse {
                status: self.status,
                content_type: self.content_type,
                attempts,
                request_id: self.request_id,
            };
        };
        if let Some(account) = stripe_account {
            if self.is_account_access_error() {
                return StripeError::AccountAccessRevoked {
                    account: account.to_owned(),
                    status: self.status,
                    code: api_error.code.clone(),
                    message: scrub(api_error.message.clone()),
                    request_id: self.request_id,
                };
            }
        }
        let api_error = api_error.clone();
        let code = api_error.code;
        let message = scrub(api_error.message);
        if self.status == 401 {
            return StripeError::InvalidApiKey {
                status: self.status,
                code,
                message,
                request_id: self.request_id,
            };
        }
        if self.status == 404 && api_error.error_type != "idempotency_error" {
            return StripeError::NotFound {
                code,
                message,
                request_id: self.request_id,
            };
        }
        if self.status == 429 || (self.status == 400 && code.as_deref() == Some("rate_limit")) {
            return StripeError::RateLimited {
                attempts,
                code,
                message,
                retry_after: self.retry_after,
                request_id: self.request_id,
            };
        }
        StripeError::Api {
            status: self.status,
            error_type: Some(api_error.error_type).filter(|error_type| !error_type.is_empty()),
            code,
            message,
            param: api_error.param,
            attempts,
            request_id: self.request_id,
        }
    }
}
