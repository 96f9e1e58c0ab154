//! The one error type of `commerce-sync`.

use commerce_store::{ConnectionStatus, StoreError};
use uuid::Uuid;

/// Everything the sync engine's operations can fail with.
///
/// Failures of a single pull are not errors of the engine: they end the dataset in an error
/// status (see [`crate::SyncEngine`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The store failed, or refused (a dataset already in progress is
    /// [`StoreError::DatasetInProgress`]; see [`SyncError::is_conflict`]).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No platform is registered under the connection's platform key.
    #[error("no platform is registered for key {key:?}")]
    UnknownPlatform {
        /// The key asked for.
        key: String,
    },
    /// The connection is not `Linked`, so nothing can be pulled for it.
    #[error("connection {connection_id} is {status}, not Linked")]
    ConnectionNotLinked {
        /// The connection.
        connection_id: Uuid,
        /// Its status.
        status: ConnectionStatus,
    },
    /// A worker task stopped abnormally (panicked or was aborted).
    #[error("sync worker stopped abnormally: {message}")]
    Worker {
        /// What happened.
        message: String,
    },
}

impl SyncError {
    /// Whether this is a conflict with the current state (HTTP 409), e.g. queueing a data type
    /// whose dataset is still queued or running.
    pub fn is_conflict(&self) -> bool {
        match self {
            Self::Store(error) => error.is_conflict(),
            Self::ConnectionNotLinked { .. } => true,
            Self::UnknownPlatform { .. } | Self::Worker { .. } => false,
        }
    }

    /// Whether the addressed connection or dataset does not exist (HTTP 404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Store(StoreError::NotFound { .. }))
    }
}
