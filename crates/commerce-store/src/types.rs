//! The values the store takes and returns: companies, connections, credentials, records,
//! datasets, validation issues and sync cursors.
//!
//! Plain data; no I/O. Statuses are persisted as their Codat names.

use chrono::{DateTime, Utc};
use commerce_model::platform::LinkedAccount;
use commerce_model::DataType;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::StoreError;

pub use commerce_model::status::{ConnectionStatus, DatasetStatus};

/// Reads a connection status column.
pub(crate) fn parse_connection_status(value: &str) -> Result<ConnectionStatus, StoreError> {
    ConnectionStatus::from_codat(value).ok_or_else(|| StoreError::CorruptValue {
        column: "connections.status",
        value: value.to_owned(),
    })
}

/// Reads a dataset status column.
pub(crate) fn parse_dataset_status(value: &str) -> Result<DatasetStatus, StoreError> {
    DatasetStatus::from_codat(value).ok_or_else(|| StoreError::CorruptValue {
        column: "datasets.status",
        value: value.to_owned(),
    })
}

/// What creating (or replacing) a company takes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct NewCompany {
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Where the hosted link flow sends the merchant at the end.
    pub redirect: Option<String>,
}

impl NewCompany {
    /// A company with just a name.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: None,
            redirect: None,
        }
    }
}

/// A company (Codat's `companyDetails`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Company {
    /// Identifier.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Redirect URL for the end of the link flow.
    pub redirect: Option<String>,
    /// When it was created.
    pub created: DateTime<Utc>,
    /// When it was last changed.
    pub updated: DateTime<Utc>,
}

/// A data connection of a company to a platform.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Connection {
    /// Identifier.
    pub id: Uuid,
    /// The owning company.
    pub company_id: Uuid,
    /// The platform key (e.g. `stripe-test`).
    pub platform_key: String,
    /// Current status.
    pub status: ConnectionStatus,
    /// The account id at the platform (Stripe: `acct_...`), once linked.
    pub external_account_id: Option<String>,
    /// Whether the linked account is live (not test) mode, once linked.
    pub livemode: Option<bool>,
    /// The granted scope, once linked.
    pub scope: Option<String>,
    /// The last error (e.g. why it was deauthorized).
    pub last_error: Option<String>,
    /// When the last error happened.
    pub last_error_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created: DateTime<Utc>,
    /// When it was last changed.
    pub updated: DateTime<Utc>,
}

/// A connection's linked account as stored, with the version of its credentials (see
/// [`crate::Store::claim_credentials_refresh`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoredAccount {
    /// The whole account the platform returned (tokens decrypted, metadata included).
    pub account: LinkedAccount,
    /// Grows with every stored change of the credentials; 0 when none are stored.
    pub credentials_version: i64,
}

/// The answer to [`crate::Store::claim_credentials_refresh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshClaim {
    /// This caller may refresh now; the credentials' version when claimed.
    Claimed {
        /// The credentials' version.
        credentials_version: i64,
    },
    /// Another refresher holds the claim: wait and read the account again.
    Busy,
    /// The connection has no stored credentials.
    NoCredentials,
}

/// A connection's tokens. Kept encrypted at rest; `Debug` shows no secret.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Credentials {
    /// The access token.
    pub access_token: SecretString,
    /// The refresh token, if the platform issues one.
    pub refresh_token: Option<SecretString>,
    /// When the access token expires, if it does.
    pub expires_at: Option<DateTime<Utc>>,
}

impl Credentials {
    /// Credentials with an access token only.
    pub fn new(access_token: SecretString) -> Self {
        Self {
            access_token,
            refresh_token: None,
            expires_at: None,
        }
    }
}

/// A record to upsert: the model's JSON for one object of one data type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RecordInput {
    /// The record id (unique per connection and data type).
    pub id: String,
    /// The model's JSON object, stored as given except `modifiedDate`, which the store owns
    /// and overwrites.
    pub data: serde_json::Value,
    /// When the source last modified the object, if known (kept in its own column; the JSON
    /// carries the model's `sourceModifiedDate` as the model wrote it).
    pub source_modified_date: Option<DateTime<Utc>>,
}

impl From<commerce_model::platform::Record> for RecordInput {
    fn from(record: commerce_model::platform::Record) -> Self {
        Self {
            id: record.id,
            data: record.json,
            source_modified_date: record.source_modified_date.map(|time| time.to_utc_lossy()),
        }
    }
}

impl RecordInput {
    /// A record with no source modification date.
    pub fn new(id: impl Into<String>, data: serde_json::Value) -> Self {
        Self {
            id: id.into(),
            data,
            source_modified_date: None,
        }
    }
}

/// A stored record as read back.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StoredRecord {
    /// The record id.
    pub id: String,
    /// The model's JSON with the store's `modifiedDate`.
    pub data: serde_json::Value,
    /// SHA-256 (hex) of the canonical JSON without `modifiedDate`.
    pub content_hash: String,
    /// When the content last changed in the store.
    pub modified_date: DateTime<Utc>,
    /// When the source last modified the object, if known.
    pub source_modified_date: Option<DateTime<Utc>>,
    /// Whether it was deleted at the source (soft delete).
    pub deleted: bool,
}

/// How bad a validation issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum IssueSeverity {
    /// The record could not be stored.
    Error,
    /// The record was stored but something is off.
    Warning,
}

impl IssueSeverity {
    fn as_str(self) -> &'static str {
        match self {
            Self::Error => "Error",
            Self::Warning => "Warning",
        }
    }

    pub(crate) fn parse(value: &str) -> Result<Self, StoreError> {
        match value {
            "Error" => Ok(Self::Error),
            "Warning" => Ok(Self::Warning),
            other => Err(StoreError::CorruptValue {
                column: "dataset_issues.severity",
                value: other.to_owned(),
            }),
        }
    }
}

impl std::fmt::Display for IssueSeverity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A per-record problem found while pulling a dataset (e.g. an unmappable object).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationIssue {
    /// The record concerned, if known.
    pub record_id: Option<String>,
    /// Error or warning.
    pub severity: IssueSeverity,
    /// What is wrong.
    pub message: String,
}

impl From<commerce_model::platform::RecordIssue> for ValidationIssue {
    fn from(issue: commerce_model::platform::RecordIssue) -> Self {
        Self {
            record_id: issue.id,
            severity: IssueSeverity::Error,
            message: issue.message,
        }
    }
}

impl ValidationIssue {
    /// An error about `record_id`.
    pub fn error(record_id: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            record_id: Some(record_id.into()),
            severity: IssueSeverity::Error,
            message: message.into(),
        }
    }
}

/// A dataset: one pull operation of one data type for one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dataset {
    /// Identifier.
    pub id: Uuid,
    /// The connection's company.
    pub company_id: Uuid,
    /// The connection.
    pub connection_id: Uuid,
    /// The data type.
    pub data_type: DataType,
    /// Current status.
    pub status: DatasetStatus,
    /// Why it failed, if it did.
    pub error_message: Option<String>,
    /// Pages written so far.
    pub pages: u64,
    /// Records written (upserted or deleted) so far.
    pub records: u64,
    /// When it was queued.
    pub requested: DateTime<Utc>,
    /// When a worker first claimed it.
    pub started: Option<DateTime<Utc>>,
    /// When it finished.
    pub completed: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated: DateTime<Utc>,
    /// The worker holding the lease, if any.
    pub lease_owner: Option<String>,
    /// When that lease expires.
    pub lease_expires_at: Option<DateTime<Utc>>,
}

/// Where an incremental sync of one data type stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SyncCursor {
    /// The platform's opaque cursor (a page token during backfill, an event cursor after).
    pub cursor: Option<String>,
    /// Whether a full backfill has completed.
    pub backfill_complete: bool,
    /// The time of the last change-feed event applied.
    pub last_event_time: Option<DateTime<Utc>>,
    /// The generation of the full pull (backfill) this cursor is part of, if it is marking
    /// the records it sees (see [`PageWrite::seen_generation`]); kept so that a resumed
    /// backfill goes on marking with the same generation.
    pub backfill_generation: Option<Uuid>,
}

impl SyncCursor {
    /// A cursor with the given fields.
    pub fn new(
        cursor: Option<String>,
        backfill_complete: bool,
        last_event_time: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            cursor,
            backfill_complete,
            last_event_time,
            backfill_generation: None,
        }
    }

    /// Sets the backfill generation.
    pub fn with_backfill_generation(mut self, generation: Option<Uuid>) -> Self {
        self.backfill_generation = generation;
        self
    }
}

/// Everything one page of a sync writes, in one transaction (see [`crate::Store::write_page`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PageWrite {
    /// The connection.
    pub connection_id: Uuid,
    /// The data type.
    pub data_type: DataType,
    /// Records to upsert.
    pub records: Vec<RecordInput>,
    /// Ids of records deleted at the source (soft-deleted here).
    pub deletions: Vec<String>,
    /// The cursor to store with this page; `None` leaves the stored cursor as it is.
    pub cursor: Option<SyncCursor>,
    /// The dataset this page belongs to, with its issues; `None` outside a dataset.
    pub dataset: Option<DatasetPage>,
    /// Marks every record of this page as seen by this full pull (backfill generation).
    pub seen_generation: Option<Uuid>,
    /// With [`PageWrite::seen_generation`], on the last page of a complete full pull: after
    /// writing the page, soft-deletes every live record of the connection's data type that
    /// this generation did not see (it is gone at the source). Same transaction.
    pub sweep_unseen: bool,
}

impl PageWrite {
    /// An empty page for `connection_id` and `data_type`.
    pub fn new(connection_id: Uuid, data_type: DataType) -> Self {
        Self {
            connection_id,
            data_type,
            records: Vec::new(),
            deletions: Vec::new(),
            cursor: None,
            dataset: None,
            seen_generation: None,
            sweep_unseen: false,
        }
    }
}

/// The dataset side of a page: progress is counted on it and the lease is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatasetPage {
    /// The dataset.
    pub dataset_id: Uuid,
    /// The worker that must hold its lease.
    pub worker_id: String,
    /// Validation issues found on this page.
    pub issues: Vec<ValidationIssue>,
}

impl DatasetPage {
    /// A dataset page with no issues.
    pub fn new(dataset_id: Uuid, worker_id: impl Into<String>) -> Self {
        Self {
            dataset_id,
            worker_id: worker_id.into(),
            issues: Vec::new(),
        }
    }
}

/// What [`crate::Store::write_page`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PageWriteSummary {
    /// Records inserted or whose content changed (their `modifiedDate` moved).
    pub changed: u64,
    /// Records whose content was already stored as is.
    pub unchanged: u64,
    /// Records newly soft-deleted.
    pub deleted: u64,
    /// Records soft-deleted by the sweep because the full pull did not see them.
    pub swept: u64,
}

/// One data type's status for a connection (Codat's `DataStatus`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataTypeStatus {
    /// The data type.
    pub data_type: DataType,
    /// The latest dataset's status.
    pub current_status: DatasetStatus,
    /// The latest dataset.
    pub latest_sync_id: Uuid,
    /// The latest `Complete` dataset, if any.
    pub latest_successful_sync_id: Option<Uuid>,
    /// When that one completed.
    pub last_successful_sync: Option<DateTime<Utc>>,
}

/// One day's sum for one currency (and group).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DailyTotal {
    /// The day (the date part of the records' `createdDate`).
    pub day: chrono::NaiveDate,
    /// The records' `currency`, if they have one.
    pub currency: Option<String>,
    /// The value of the group field, when the query has one and the records carry it.
    pub group: Option<String>,
    /// The sum of the amounts (as a float: for display, not for accounting); records whose
    /// amount is missing or not a number count as zero.
    pub total: f64,
    /// How many records were summed.
    pub count: u64,
}

impl DailyTotal {
    /// A day's total (e.g. to build charts in tests).
    pub fn new(
        day: chrono::NaiveDate,
        currency: Option<String>,
        group: Option<String>,
        total: f64,
        count: u64,
    ) -> Self {
        Self {
            day,
            currency,
            group,
            total,
            count,
        }
    }
}
