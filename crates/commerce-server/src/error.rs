//! The crate's error type ([`ServerError`]) and the HTTP error responses in Codat's
//! `ErrorMessage` shape.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use commerce_store::StoreError;
use commerce_sync::SyncError;
use serde::Serialize;

/// Everything that can stop the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The configuration is invalid; one line per problem.
    #[error("invalid configuration:\n{}", problems.iter().map(|problem| format!("  - {problem}")).collect::<Vec<_>>().join("\n"))]
    InvalidConfig {
        /// Each problem, one sentence.
        problems: Vec<String>,
    },
    /// The listening socket could not be opened.
    #[error("cannot listen on {address}")]
    Bind {
        /// The address.
        address: std::net::SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP server failed while running.
    #[error("http server failed")]
    Serve(#[source] std::io::Error),
    /// The store failed (e.g. opening the database).
    #[error("store error")]
    Store(#[from] StoreError),
    /// The sync engine stopped with an error.
    #[error("sync engine error")]
    Sync(#[from] SyncError),
    /// A connection could not be unlinked (unknown, or the platform refused to revoke access).
    #[error("cannot unlink the connection: {message}")]
    Unlink {
        /// Why.
        message: String,
    },
    /// The HTTP client for client webhooks could not be built.
    #[error("cannot build the client webhooks' http client")]
    WebhookClient {
        /// Why.
        #[source]
        source: reqwest::Error,
    },
}

/// An HTTP error with Codat's `ErrorMessage` body.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    pub(crate) validation: Vec<String>,
    /// The `itemId` of the validation errors: the parameter or field that is wrong.
    pub(crate) item: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    status_code: u16,
    service: &'static str,
    error: &'a str,
    correlation_id: String,
    validation: Validation,
    can_be_retried: &'static str,
    detailed_error_code: u32,
}

#[derive(Serialize)]
struct Validation {
    errors: Vec<ValidationItem>,
    warnings: Vec<ValidationItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ValidationItem {
    item_id: String,
    message: String,
    validator_name: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            validation: Vec::new(),
            item: "request",
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::invalid("request", message)
    }

    /// A 400 whose validation error names the parameter or field `item` (`query`, `pageSize`,
    /// `name`).
    pub(crate) fn invalid(item: &'static str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError {
            status: StatusCode::BAD_REQUEST,
            validation: vec![message.clone()],
            message,
            item,
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    pub(crate) fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: supply an API key as `Authorization: Basic <base64 of the key>`",
        )
    }

    pub(crate) fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An internal error occurred; see the server's logs",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = if self.status.is_server_error() {
            "Unknown"
        } else {
            "False"
        };
        let body = ErrorBody {
            status_code: self.status.as_u16(),
            service: "PublicApi",
            error: &self.message,
            correlation_id: uuid::Uuid::new_v4().simple().to_string(),
            validation: Validation {
                errors: self
                    .validation
                    .iter()
                    .map(|message| ValidationItem {
                        item_id: self.item.to_owned(),
                        message: message.clone(),
                        validator_name: "QueryValidator".to_owned(),
                    })
                    .collect(),
                warnings: Vec::new(),
            },
            can_be_retried: retry,
            detailed_error_code: 0,
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match &error {
            StoreError::NotFound { entity, id } => ApiError::not_found(match *entity {
                "company" => format!("No company was found with ID {id}"),
                "connection" => format!("Data connection {id} not found"),
                "dataset" => format!("Pull operation {id} not found"),
                other => format!("No {other} was found with ID {id}"),
            }),
            StoreError::DatasetInProgress {
                data_type,
                dataset_id,
                connection_id,
            } => ApiError::conflict(format!(
                "DatasetAlreadyInProgressException: Cannot queue {data_type} sync for connection {connection_id} as previous sync {dataset_id} is still in progress"
            )),
            _ if error.is_bad_request() => ApiError::bad_request(error.to_string()),
            _ if error.is_conflict() => ApiError::conflict(error.to_string()),
            _ => {
                tracing::error!(error = %error, source = ?std::error::Error::source(&error), "store failure");
                ApiError::internal()
            }
        }
    }
}

impl From<SyncError> for ApiError {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::Store(error) => error.into(),
            SyncError::ConnectionNotLinked {
                connection_id,
                status,
            } => ApiError::bad_request(format!(
                "Data connection {connection_id} is {status}: only Linked connections can be synced"
            )),
            SyncError::UnknownPlatform { key } => ApiError::not_found(format!(
                "Integration not found: {key} is not enabled on this server"
            )),
            other => {
                tracing::error!(error = %other, "sync engine failure");
                ApiError::internal()
            }
        }
    }
}
