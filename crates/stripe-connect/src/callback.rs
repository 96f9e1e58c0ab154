//! Parsing the redirect Stripe sends back to the redirect URI into a typed [`Callback`].
//!
//! Pure parsing: no I/O. Checking the `state` against the one you issued is the caller's job.

use std::fmt;

use secrecy::SecretString;

use crate::error::ConnectError;

/// What Stripe sent back to the redirect URI.
#[derive(Debug)]
pub struct Callback {
    state: String,
    outcome: CallbackOutcome,
}

/// The merchant's answer on Stripe's authorize page.
#[derive(Debug)]
#[non_exhaustive]
pub enum CallbackOutcome {
    /// The merchant connected: exchange `code` for a token.
    Authorized {
        /// The single-use authorization code (`ac_...`). Secret: `Debug` hides it.
        code: SecretString,
        /// The scope granted, as Stripe echoed it (`read_only` or `read_write`).
        scope: Option<String>,
    },
    /// The merchant declined, or Stripe refused the authorize request.
    Denied {
        /// The error code; [`AuthorizeErrorCode::AccessDenied`] means the merchant declined.
        error: AuthorizeErrorCode,
        /// Stripe's `error_description`.
        description: Option<String>,
    },
}

/// An error code on the authorize redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizeErrorCode {
    /// The merchant declined the connection.
    AccessDenied,
    /// The authorize request was malformed.
    InvalidRequest,
    /// The requested scope is not allowed.
    InvalidScope,
    /// The `response_type` is not supported.
    UnsupportedResponseType,
    /// Any other code, kept as sent.
    Other(String),
}

impl AuthorizeErrorCode {
    /// Parses an authorize `error` code.
    pub fn parse(code: &str) -> Self {
        match code {
            "access_denied" => Self::AccessDenied,
            "invalid_request" => Self::InvalidRequest,
            "invalid_scope" => Self::InvalidScope,
            "unsupported_response_type" => Self::UnsupportedResponseType,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The code as Stripe spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::AccessDenied => "access_denied",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidScope => "invalid_scope",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::Other(other) => other,
        }
    }
}

impl fmt::Display for AuthorizeErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Callback {
    /// Parses the query string of the callback request (with or without the leading `?`).
    ///
    /// A callback without `state` is [`ConnectError::MissingState`]; one with neither `code`
    /// nor `error` is [`ConnectError::InvalidCallback`]. The state is not checked here.
    pub fn from_query(query: &str) -> Result<Self, ConnectError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query).map_err(|error| ConnectError::InvalidCallback {
                problem: format!("the query string does not parse: {error}"),
            })?;
        let mut state = None;
        let mut code = None;
        let mut scope = None;
        let mut error = None;
        let mut description = None;
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "state" => &mut state,
                "code" => &mut code,
                "scope" => &mut scope,
                "error" => &mut error,
                "error_description" => &mut description,
                _ => continue,
            };
            if slot.is_some() {
                return Err(ConnectError::InvalidCallback {
                    problem: format!("the {name} parameter appears more than once"),
                });
            }
            *slot = Some(value);
        }
        let state = state
            .filter(|state| !state.is_empty())
            .ok_or(ConnectError::MissingState)?;
        let outcome = match (code, error) {
            (_, Some(error)) => CallbackOutcome::Denied {
                error: AuthorizeErrorCode::parse(&error),
                description,
            },
            (Some(code), None) if !code.is_empty() => CallbackOutcome::Authorized {
                code: SecretString::from(code),
                scope,
            },
            _ => {
                return Err(ConnectError::InvalidCallback {
                    problem: "it has neither a code nor an error".to_owned(),
                })
            }
        };
        Ok(Self { state, outcome })
    }

    /// The `state` echoed back (not yet verified).
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The merchant's answer.
    pub fn outcome(&self) -> &CallbackOutcome {
        &self.outcome
    }

    /// Splits the callback into its state and outcome.
    pub fn into_parts(self) -> (String, CallbackOutcome) {
        (self.state, self.outcome)
    }
}
