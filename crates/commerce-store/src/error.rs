//! The one error type of `commerce-store`.
//!
//! Messages are lowercase and never contain secrets (tokens, keys, database passwords).

use uuid::Uuid;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The addressed entity does not exist.
    #[error("{entity} {id} not found")]
    NotFound {
        /// What was looked up (`company`, `connection`, `dataset`, `record`, ...).
        entity: &'static str,
        /// Its identifier.
        id: String,
    },
    /// A dataset for this connection and data type is still queued or running (Codat's
    /// `DatasetAlreadyInProgressException`).
    #[error(
        "cannot queue {data_type} sync for connection {connection_id}: previous sync {dataset_id} is still in progress"
    )]
    DatasetInProgress {
        /// The connection.
        connection_id: Uuid,
        /// The data type key.
        data_type: String,
        /// The dataset still in progress.
        dataset_id: Uuid,
    },
    /// The worker no longer holds the lease on the dataset (it expired and another worker
    /// claimed it, or the dataset finished).
    #[error("worker {worker_id} does not hold the lease on dataset {dataset_id}")]
    LeaseLost {
        /// The dataset.
        dataset_id: Uuid,
        /// The worker that tried to act on it.
        worker_id: String,
    },
    /// A credential refresh was completed by a process that no longer held its claim (it
    /// expired and another took over).
    #[error("{owner} no longer holds the credential refresh of connection {connection_id}")]
    RefreshClaimLost {
        /// The connection.
        connection_id: Uuid,
        /// The process that tried to complete it.
        owner: String,
    },
    /// A state change that the entity's current state does not allow.
    #[error("{entity} {id} cannot go from {from} to {to}")]
    InvalidTransition {
        /// What was changed.
        entity: &'static str,
        /// Its identifier.
        id: String,
        /// The current state.
        from: String,
        /// The requested state.
        to: String,
    },
    /// The Codat `query` or `orderBy` cannot be translated.
    #[error("invalid query: {reason}")]
    InvalidQuery {
        /// What is wrong with it.
        reason: String,
    },
    /// `pageSize` above the maximum.
    #[error("page size {requested} is larger than the maximum of {max}")]
    PageSizeTooLarge {
        /// The page size asked for.
        requested: u32,
        /// The largest page size allowed.
        max: u32,
    },
    /// `page` or `pageSize` below 1.
    #[error("{parameter} must be at least 1, got {value}")]
    PagingOutOfRange {
        /// `page` or `pageSize`.
        parameter: &'static str,
        /// The value given.
        value: u32,
    },
    /// A record given to the store cannot be stored.
    #[error("record {id} is invalid: {reason}")]
    InvalidRecord {
        /// The record id.
        id: String,
        /// Why.
        reason: String,
    },
    /// Neither `COMMERCE_ENCRYPTION_KEYS` nor `COMMERCE_ENCRYPTION_KEY` is set (or the list is
    /// empty).
    #[error("the encryption key is missing: set COMMERCE_ENCRYPTION_KEY to 32 random bytes, base64-encoded, or COMMERCE_ENCRYPTION_KEYS to several such keys, newest first (`commerce demo` generates one)")]
    EncryptionKeyMissing,
    /// The encryption key is not 32 bytes of standard base64.
    #[error(
        "the encryption key is malformed: {reason} (expected 32 random bytes, base64-encoded)"
    )]
    EncryptionKeyMalformed {
        /// What is wrong with it (never the key itself).
        reason: String,
    },
    /// A stored secret could not be decrypted: wrong key, or the row was tampered with.
    #[error("cannot decrypt the stored {field} of connection {connection_id}: wrong encryption key or corrupted data")]
    Decryption {
        /// The connection whose credential failed.
        connection_id: Uuid,
        /// `access_token` or `refresh_token`.
        field: &'static str,
    },
    /// A stored secret was sealed by an encryption key that is not configured (for example an
    /// old key removed before `commerce rotate-keys` re-sealed every value).
    #[error("the stored {field} of {owner} was sealed with encryption key {key_id}, which is not configured: add that key back to COMMERCE_ENCRYPTION_KEYS (after the newest), run `commerce rotate-keys`, then remove it")]
    EncryptionKeyNotConfigured {
        /// The id (fingerprint) of the key that sealed it; never the key.
        key_id: String,
        /// The connection (or webhook consumer) the secret belongs to.
        owner: Uuid,
        /// Which secret: `access_token`, `refresh_token`, `link_state` or
        /// `webhook consumer secret`.
        field: &'static str,
    },
    /// Encrypting a secret failed.
    #[error("cannot encrypt the {field} of connection {connection_id}")]
    Encryption {
        /// The connection.
        connection_id: Uuid,
        /// `access_token` or `refresh_token`.
        field: &'static str,
    },
    /// The database URL is neither `sqlite:` nor `postgres:`/`postgresql:`.
    #[error("unsupported database url scheme {scheme:?}: use sqlite://path or postgres://...")]
    UnsupportedDatabaseUrl {
        /// The scheme found (never the whole URL, which may hold a password).
        scheme: String,
    },
    /// A value read from the database is not one this version understands.
    #[error("unexpected value {value:?} in column {column}")]
    CorruptValue {
        /// The column.
        column: &'static str,
        /// The value.
        value: String,
    },
    /// The database failed.
    #[error("database error")]
    Database(#[source] sqlx::Error),
    /// Running the embedded migrations failed.
    #[error("database migration failed")]
    Migration(#[source] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether this error is a conflict with the current state (HTTP 409): a dataset already
    /// in progress, a lost lease or a forbidden state change.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            Self::DatasetInProgress { .. }
                | Self::LeaseLost { .. }
                | Self::RefreshClaimLost { .. }
                | Self::InvalidTransition { .. }
        )
    }

    /// Whether this error is the caller's fault in a request (HTTP 400).
    pub fn is_bad_request(&self) -> bool {
        matches!(
            self,
            Self::InvalidQuery { .. }
                | Self::PageSizeTooLarge { .. }
                | Self::PagingOutOfRange { .. }
                | Self::InvalidRecord { .. }
        )
    }

    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub(crate) fn invalid_query(reason: impl Into<String>) -> Self {
        Self::InvalidQuery {
            reason: reason.into(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        Self::Migration(error)
    }
}
