//! Codat's vocabulary shared by every layer: the statuses of connections and pull operations
//! (datasets), and the paging limits of list reads. The store persists these names, the sync
//! engine sets them, the server writes them; platforms reach them only through
//! `platform::PlatformError::dataset_status`.

use serde::{Deserialize, Serialize};

/// The largest `pageSize` a list read accepts (Codat's limit).
pub const MAX_PAGE_SIZE: u32 = 5000;
/// The `pageSize` when none is given (Codat's default).
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The largest `page` a list read accepts: Codat's OAS types it `int32` (2³¹ − 1).
pub const MAX_PAGE_NUMBER: u32 = i32::MAX as u32;

/// A connection's status (Codat's `dataConnectionStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ConnectionStatus {
    /// Created; the merchant has not completed authorization.
    PendingAuth,
    /// Authorized: data can be pulled.
    Linked,
    /// The client severed the connection; data stays readable.
    Unlinked,
    /// Access was revoked or expired; data stays readable, no new syncs.
    Deauthorized,
}

impl ConnectionStatus {
    /// The Codat name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingAuth => "PendingAuth",
            Self::Linked => "Linked",
            Self::Unlinked => "Unlinked",
            Self::Deauthorized => "Deauthorized",
        }
    }

    /// The status with this Codat name, if any.
    pub fn from_codat(value: &str) -> Option<Self> {
        Some(match value {
            "PendingAuth" => Self::PendingAuth,
            "Linked" => Self::Linked,
            "Unlinked" => Self::Unlinked,
            "Deauthorized" => Self::Deauthorized,
            _ => return None,
        })
    }
}

impl std::fmt::Display for ConnectionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A dataset's (pull operation's) status, with Codat's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DatasetStatus {
    /// Codat's `Initial`.
    Initial,
    /// Codat's `Queued`.
    Queued,
    /// Codat's `Fetching`.
    Fetching,
    /// Codat's `MapQueued`.
    MapQueued,
    /// Codat's `Mapping`.
    Mapping,
    /// Codat's `Complete`.
    Complete,
    /// Codat's `FetchError`.
    FetchError,
    /// Codat's `MapError`.
    MapError,
    /// Codat's `InternalError`.
    InternalError,
    /// Codat's `ProcessingQueued`.
    ProcessingQueued,
    /// Codat's `Processing`.
    Processing,
    /// Codat's `ProcessingError`.
    ProcessingError,
    /// Codat's `ValidationQueued`.
    ValidationQueued,
    /// Codat's `Validating`.
    Validating,
    /// Codat's `ValidationError`.
    ValidationError,
    /// Codat's `AuthError`.
    AuthError,
    /// Codat's `Cancelled`.
    Cancelled,
    /// Codat's `NotSupported`.
    NotSupported,
    /// Codat's `RateLimitError`.
    RateLimitError,
    /// Codat's `PermissionsError`.
    PermissionsError,
    /// Codat's `PrerequisiteNotMet`.
    PrerequisiteNotMet,
}

impl DatasetStatus {
    /// Every status, in Codat's order.
    pub const ALL: [Self; 21] = [
        Self::Initial,
        Self::Queued,
        Self::Fetching,
        Self::MapQueued,
        Self::Mapping,
        Self::Complete,
        Self::FetchError,
        Self::MapError,
        Self::InternalError,
        Self::ProcessingQueued,
        Self::Processing,
        Self::ProcessingError,
        Self::ValidationQueued,
        Self::Validating,
        Self::ValidationError,
        Self::AuthError,
        Self::Cancelled,
        Self::NotSupported,
        Self::RateLimitError,
        Self::PermissionsError,
        Self::PrerequisiteNotMet,
    ];

    /// The Codat name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "Initial",
            Self::Queued => "Queued",
            Self::Fetching => "Fetching",
            Self::MapQueued => "MapQueued",
            Self::Mapping => "Mapping",
            Self::Complete => "Complete",
            Self::FetchError => "FetchError",
            Self::MapError => "MapError",
            Self::InternalError => "InternalError",
            Self::ProcessingQueued => "ProcessingQueued",
            Self::Processing => "Processing",
            Self::ProcessingError => "ProcessingError",
            Self::ValidationQueued => "ValidationQueued",
            Self::Validating => "Validating",
            Self::ValidationError => "ValidationError",
            Self::AuthError => "AuthError",
            Self::Cancelled => "Cancelled",
            Self::NotSupported => "NotSupported",
            Self::RateLimitError => "RateLimitError",
            Self::PermissionsError => "PermissionsError",
            Self::PrerequisiteNotMet => "PrerequisiteNotMet",
        }
    }

    /// Still queued or running: another dataset for the same type cannot be queued.
    /// Must match the partial unique index `datasets_one_in_progress`.
    pub fn is_in_progress(self) -> bool {
        matches!(
            self,
            Self::Initial
                | Self::Queued
                | Self::Fetching
                | Self::MapQueued
                | Self::Mapping
                | Self::ProcessingQueued
                | Self::Processing
                | Self::ValidationQueued
                | Self::Validating
        )
    }

    /// Finished (Codat's `isCompleted`): neither queued nor running.
    pub fn is_completed(self) -> bool {
        !self.is_in_progress()
    }

    /// Finished with an error (Codat's `isErrored`).
    pub fn is_errored(self) -> bool {
        matches!(
            self,
            Self::FetchError
                | Self::MapError
                | Self::InternalError
                | Self::ProcessingError
                | Self::ValidationError
                | Self::AuthError
                | Self::RateLimitError
                | Self::PermissionsError
                | Self::PrerequisiteNotMet
        )
    }

    /// The status with this Codat name, if any.
    pub fn from_codat(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }
}

impl std::fmt::Display for DatasetStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
