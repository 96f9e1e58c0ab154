//! The crate's public error type and the internal HTTP error responses (Stripe's bodies).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use stripe_wire::{ApiError, OAuthErrorBody};

/// What can go wrong when starting or driving a sandbox from code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The listening socket could not be opened.
    #[error("cannot listen on 127.0.0.1:{port}")]
    Bind {
        /// The requested port (0 for any).
        port: u16,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration is not usable.
    #[error("invalid sandbox configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: &'static str,
    },
    /// No account with this id exists in the sandbox.
    #[error("no such account: {account}")]
    UnknownAccount {
        /// The account id asked for.
        account: String,
    },
    /// No object with this id exists for the account.
    #[error("no such {object}: {id}")]
    UnknownObject {
        /// The object type, e.g. `charge`.
        object: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The requested change does not apply to the object in its current state.
    #[error("cannot apply activity: {reason}")]
    InvalidActivity {
        /// Why.
        reason: String,
    },
    /// An internal lock was poisoned by a panic in another thread.
    #[error("sandbox state is unavailable after an internal failure")]
    Poisoned,
}

/// An error answered to an HTTP client, with Stripe's status and body.
#[derive(Debug)]
pub(crate) struct ApiFailure {
    pub(crate) status: StatusCode,
    pub(crate) error: Box<ApiError>,
    pub(crate) should_retry: Option<bool>,
}

impl ApiFailure {
    pub(crate) fn new(
        status: StatusCode,
        error_type: &str,
        code: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error: Box::new(ApiError::new(error_type, code, message)),
            should_retry: None,
        }
    }

    pub(crate) fn invalid(
        code: Option<&str>,
        param: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        let mut failure = Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            code,
            message,
        );
        failure.error.param = param.map(str::to_owned);
        failure
    }

    pub(crate) fn missing(object: &str, id: &str, param: Option<&str>) -> Self {
        let mut failure = Self::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            Some("resource_missing"),
            format!("No such {object}: '{id}'"),
        );
        failure.error.param = param.map(str::to_owned);
        failure.error.doc_url =
            Some("https://stripe.com/docs/error-codes/resource-missing".to_owned());
        failure
    }

    pub(crate) fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            None,
            "An unknown error occurred in the sandbox.",
        )
    }
}

impl From<SandboxError> for ApiFailure {
    fn from(error: SandboxError) -> Self {
        match error {
            SandboxError::UnknownObject { object, id } => Self::missing(object, &id, Some("id")),
            SandboxError::UnknownAccount { account } => Self::missing("account", &account, None),
            SandboxError::InvalidActivity { reason } => Self::invalid(None, None, reason),
            _ => Self::internal(),
        }
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            axum::Json(serde_json::json!({ "error": self.error })),
        )
            .into_response();
        if let Some(retry) = self.should_retry {
            response.headers_mut().insert(
                "stripe-should-retry",
                HeaderValue::from_static(if retry { "true" } else { "false" }),
            );
        }
        response
    }
}

/// An OAuth error answered with `{"error": "...", "error_description": "..."}`.
#[derive(Debug)]
pub(crate) struct OAuthFailure {
    pub(crate) status: StatusCode,
    pub(crate) body: OAuthErrorBody,
}

impl OAuthFailure {
    pub(crate) fn new(status: StatusCode, error: &str, description: impl Into<String>) -> Self {
        Self {
            status,
            body: OAuthErrorBody::new(error, description),
        }
    }

    /// Whether this is an `invalid_grant` answer.
    pub(crate) fn is_invalid_grant(&self) -> bool {
        self.body.error == "invalid_grant"
    }
}

impl IntoResponse for OAuthFailure {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}
