//! The plug-in door: the traits and values through which a commerce platform (Stripe today, Square or
//! Shopify later) links merchants' accounts and delivers their data.
//!
//! A platform crate implements [`Platform`]; the server and the sync engine use only `dyn Platform`
//! and never learn which platform they talk to.
//! The OAuth `state` that binds a link attempt to a connection is kept by a [`LinkStateStore`], which
//! the store crate implements on its database.
//!
//! This module must not name any platform: no Stripe types or words.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::data_type::{CommerceRecord, DataType};
use crate::error::ModelError;
use crate::Timestamp;

/// A boxed error for `#[source]` fields.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The key that names a platform integration in URLs, the API and the database
/// (`stripe-test`, `stripe`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlatformKey(std::borrow::Cow<'static, str>);

impl PlatformKey {
    /// A key known at compile time.
    pub const fn from_static(key: &'static str) -> Self {
        PlatformKey(std::borrow::Cow::Borrowed(key))
    }

    /// A key read at run time (e.g. from a URL).
    pub fn new(key: impl Into<String>) -> Self {
        PlatformKey(std::borrow::Cow::Owned(key.into()))
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlatformKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the server gives a platform to start linking a merchant's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRequest {
    /// Single-use, unguessable value the server created and saved in a [`LinkStateStore`];
    /// the platform must send it back in the callback (OAuth `state`).
    pub state: String,
    /// Where the platform must send the merchant back (must be registered with the platform).
    pub redirect_uri: String,
}

/// Where to send the merchant to authorize access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkStart {
    /// The platform's authorization page, with every parameter filled in.
    pub authorize_url: String,
}

/// The merchant coming back from the platform's authorization page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkCallback {
    /// The callback's query parameters (e.g. `code` and `state`, or `error` and
    /// `error_description`), already URL-decoded.
    pub params: BTreeMap<String, String>,
    /// The redirect URI used in [`LinkRequest`] (some platforms require it again for the token
    /// exchange).
    pub redirect_uri: String,
}

impl LinkCallback {
    /// A query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// The `state` parameter, which the server looks up in its [`LinkStateStore`] before calling
    /// [`Platform::complete_link`].
    pub fn state(&self) -> Option<&str> {
        self.param("state")
    }
}

/// A merchant account the platform granted access to. The store keeps it per connection.
///
/// `Debug` never shows the tokens (they are [`SecretString`]s).
#[derive(Debug, Clone)]
pub struct LinkedAccount {
    /// The account's id on the platform (e.g. `acct_...`).
    pub external_id: String,
    /// Whether this is a live (production) account rather than a test one.
    pub livemode: bool,
    /// The access scope granted, if the platform reports one.
    pub scope: Option<String>,
    /// Access token, if the platform issues one.
    pub access_token: Option<SecretString>,
    /// Refresh token, if the platform issues one.
    pub refresh_token: Option<SecretString>,
    /// Other non-secret facts the platform wants back later (e.g. a publishable key).
    pub metadata: BTreeMap<String, String>,
}

/// An opaque position in a platform's data, from which a pull can resume.
///
/// Only the platform that produced it can read it; the engine stores it with the records of the
/// batch that carried it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(String);

impl Cursor {
    /// Wraps a platform's cursor text.
    pub fn new(text: impl Into<String>) -> Self {
        Cursor(text.into())
    }

    /// The cursor text, for storing.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One mapped record, ready to store: its id, type and Codat JSON.
///
/// Platforms build it from a typed value with [`Record::new`]; the store keeps `json` as is.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The record's id within the connection.
    pub id: String,
    /// Its data type.
    pub data_type: DataType,
    /// Its Codat JSON (an object).
    pub json: serde_json::Value,
    /// When it last changed in the platform, if known.
    pub source_modified_date: Option<Timestamp>,
}

impl Record {
    /// Serializes a typed record.
    ///
    /// Fails with [`ModelError::MissingRecordId`] for a product category without id.
    pub fn new<T: CommerceRecord>(value: &T) -> Result<Record, ModelError> {
        let id = value
            .record_id()
            .ok_or(ModelError::MissingRecordId {
                data_type: T::DATA_TYPE,
            })?
            .to_owned();
        let json = serde_json::to_value(value).map_err(|source| ModelError::RecordJson {
            data_type: T::DATA_TYPE,
            source,
        })?;
        Ok(Record {
            id,
            data_type: T::DATA_TYPE,
            json,
            source_modified_date: value.source_modified_date(),
        })
    }

    /// Reads the JSON back as a typed record.
    pub fn to_typed<T: CommerceRecord>(&self) -> Result<T, ModelError> {
        T::deserialize(&self.json).map_err(|source| ModelError::RecordJson {
            data_type: T::DATA_TYPE,
            source,
        })
    }
}

/// A platform object that could not be mapped; the rest of its batch is still good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordIssue {
    /// The platform object's id, when it could be read.
    pub id: Option<String>,
    /// What was wrong, e.g. "missing field `currency`".
    pub message: String,
}

/// How far a pull has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Platform objects read so far in this pull (across batches).
    pub fetched: u64,
    /// Total expected, when the platform knows it.
    pub estimated_total: Option<u64>,
}

/// One page of mapped records from [`Platform::pull`].
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The data type pulled.
    pub data_type: DataType,
    /// Records created or changed.
    pub records: Vec<Record>,
    /// Ids of records deleted on the platform.
    pub deleted_ids: Vec<String>,
    /// Objects that failed to map (reported, not stored).
    pub issues: Vec<RecordIssue>,
    /// Where to resume after this batch. Store it atomically with the batch's records.
    pub cursor: Cursor,
    /// `true` when the records are changes since the pull's starting cursor; `false` when this pull
    /// lists every live record from the start (a full pull).
    pub incremental: bool,
    /// `true` on the pull's last batch. Its cursor is where the next (incremental) pull starts.
    pub complete: bool,
    /// How far the pull has come.
    pub progress: Progress,
}

/// An incoming webhook call, as the server received it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WebhookRequest {
    /// Headers as received (names in any case; use [`WebhookRequest::header`]).
    pub headers: Vec<(String, String)>,
    /// The raw body, byte for byte (signatures are computed over it).
    pub body: Vec<u8>,
}

impl WebhookRequest {
    /// The first header named `name`, compared without regard to ASCII case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header_name, _)| header_name.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// What an incoming webhook means for the service.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookOutcome {
    /// Verified, but nothing to do (an event type the platform does not act on).
    Ignored {
        /// Why, for logs (e.g. the event type).
        reason: String,
    },
    /// The merchant revoked access: the connection becomes `Deauthorized`.
    AccountDeauthorized {
        /// [`LinkedAccount::external_id`] of the account.
        external_account_id: String,
    },
    /// Records changed on the platform: queue incremental pulls of these data types.
    RecordsChanged {
        /// [`LinkedAccount::external_id`] of the account.
        external_account_id: String,
        /// The data types affected.
        data_types: Vec<DataType>,
    },
}

/// A commerce platform integration (one per platform key: a test and a live integration of the
/// same platform are two values).
///
/// Contract:
/// - Linking is two calls around a browser redirect. The server creates a single-use `state`, saves
///   it in a [`LinkStateStore`] bound to the connection, calls [`Platform::begin_link`] and redirects
///   the merchant to [`LinkStart::authorize_url`]. On the callback it takes the state from the store
///   (rejecting unknown or expired ones) and calls [`Platform::complete_link`].
/// - [`Platform::pull`] streams batches of mapped records. With no cursor it starts a full pull;
///   with a cursor from an earlier batch it resumes (mid-way through a full pull, or incrementally
///   after a complete one). The stream ends after the batch with `complete: true`.
///   An `Err` item tells the engine what to do ([`PlatformError::action`]); after an error whose
///   action is [`ErrorAction::SkipRecord`] the stream may go on, after any other it ends.
/// - Pulling a data type not in [`Platform::supports`] yields one [`PlatformError::NotSupported`].
///
/// Errors are the concrete [`PlatformError`] rather than an associated type so that the server and
/// engine can hold platforms as `Arc<dyn Platform>` in one registry.
#[async_trait]
pub trait Platform: Send + Sync {
    /// The integration's key, e.g. `stripe-test`.
    fn key(&self) -> &PlatformKey;

    /// Other keys accepted for this integration (e.g. Codat's four-letter keys).
    fn aliases(&self) -> &[PlatformKey] {
        &[]
    }

    /// Display name, e.g. "Stripe Test".
    fn name(&self) -> &str;

    /// The data types this platform can pull.
    fn supports(&self) -> &[DataType];

    /// Starts linking: the URL to send the merchant to.
    async fn begin_link(&self, request: LinkRequest) -> Result<LinkStart, PlatformError>;

    /// Finishes linking from the callback (the server has already checked `state`).
    async fn complete_link(&self, callback: LinkCallback) -> Result<LinkedAccount, PlatformError>;

    /// Revokes this service's access to the account. Data already pulled stays.
    async fn unlink(&self, account: &LinkedAccount) -> Result<(), PlatformError>;

    /// Pulls one data type as a stream of batches (see the trait docs for the cursor contract).
    fn pull<'a>(
        &'a self,
        account: &'a LinkedAccount,
        data_type: DataType,
        cursor: Option<Cursor>,
    ) -> BoxStream<'a, Result<Batch, PlatformError>>;

    /// Verifies and interprets a webhook call sent by the platform.
    ///
    /// A call that fails verification is [`PlatformError::InvalidWebhook`]. The default answers
    /// [`PlatformError::Unsupported`] for platforms without webhooks.
    async fn handle_webhook(
        &self,
        request: WebhookRequest,
    ) -> Result<WebhookOutcome, PlatformError> {
        let _ = request;
        Err(PlatformError::Unsupported { what: "webhooks" })
    }

    /// Operating settings worth showing an operator, as `(name, value)` pairs (e.g. request
    /// rate budgets); never secrets. The dashboard lists them per platform. None by default.
    fn settings(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// Why a platform asks to be called again later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryKind {
    /// The platform's rate limit was hit (HTTP 429).
    RateLimited,
    /// The platform is temporarily failing or unreachable (5xx, timeouts, connection errors).
    Unavailable,
}

/// A platform failure, classified by what the engine must do about it ([`PlatformError::action`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlatformError {
    /// Try again later.
    #[error("platform {}, retry later: {message}", match kind { RetryKind::RateLimited => "rate limited", RetryKind::Unavailable => "unavailable" })]
    RetryLater {
        /// Rate limit or outage.
        kind: RetryKind,
        /// How long the platform asked us to wait, if it said.
        retry_after: Option<Duration>,
        /// What happened.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// Access was revoked or expired: the merchant must link again.
    #[error("the account must be linked again: {reason}")]
    RelinkNeeded {
        /// What the platform said.
        reason: String,
    },
    /// The platform does not offer this data type.
    #[error("data type {data_type} is not supported by this platform")]
    NotSupported {
        /// The data type asked for.
        data_type: DataType,
    },
    /// The platform does not offer this operation (e.g. webhooks).
    #[error("{what} not supported by this platform")]
    Unsupported {
        /// The operation.
        what: &'static str,
    },
    /// The link is valid but lacks permission for this data.
    #[error("permission denied: {message}")]
    PermissionDenied {
        /// What the platform said.
        message: String,
    },
    /// One platform object could not be mapped; the pull goes on without it.
    #[error("bad record{}: {message}", id.as_deref().map(|id| format!(" {id}")).unwrap_or_default())]
    BadRecord {
        /// The object's id, when known.
        id: Option<String>,
        /// What was wrong.
        message: String,
    },
    /// The cursor can no longer be used (e.g. older than the platform keeps history): start a full
    /// pull again.
    #[error("cursor cannot be resumed: {reason}")]
    CursorExpired {
        /// Why.
        reason: String,
    },
    /// Linking failed: the merchant declined, the callback was malformed, or the account is of the
    /// wrong kind (e.g. a test account for a live integration).
    #[error("link failed: {reason}")]
    LinkFailed {
        /// Why, safe to show to the merchant.
        reason: String,
    },
    /// A webhook call failed verification or could not be read.
    #[error("invalid webhook: {reason}")]
    InvalidWebhook {
        /// Why.
        reason: String,
    },
    /// Anything else: a bug, a misconfiguration, an unexpected answer.
    #[error("{message}")]
    Internal {
        /// What happened.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<BoxError>,
    },
}

/// What the sync engine (or server) does about a [`PlatformError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorAction {
    /// Back off and retry the same call.
    RetryLater {
        /// Wait at least this long, when the platform said.
        retry_after: Option<Duration>,
    },
    /// Mark the connection `Deauthorized`; no pulls until the merchant links again.
    Relink,
    /// Give up on this data type for this connection (not supported, no permission).
    SkipDataType,
    /// Report the record and go on with the rest.
    SkipRecord,
    /// Drop the cursor and start a full pull.
    RestartFullPull,
    /// Fail the operation (dataset error status, or an error page for a link).
    Fail,
}

impl PlatformError {
    /// What the engine must do about this error.
    pub fn action(&self) -> ErrorAction {
        match self {
            PlatformError::RetryLater { retry_after, .. } => ErrorAction::RetryLater {
                retry_after: *retry_after,
            },
            PlatformError::RelinkNeeded { .. } => ErrorAction::Relink,
            PlatformError::NotSupported { .. } | PlatformError::PermissionDenied { .. } => {
                ErrorAction::SkipDataType
            }
            PlatformError::BadRecord { .. } => ErrorAction::SkipRecord,
            PlatformError::CursorExpired { .. } => ErrorAction::RestartFullPull,
            PlatformError::Unsupported { .. }
            | PlatformError::LinkFailed { .. }
            | PlatformError::InvalidWebhook { .. }
            | PlatformError::Internal { .. } => ErrorAction::Fail,
        }
    }

    /// The Codat dataset status a pull ending with this error takes
    /// (`RateLimitError`, `AuthError`, `NotSupported`, `PermissionsError`, `FetchError`, ...).
    pub fn dataset_status(&self) -> &'static str {
        match self {
            PlatformError::RetryLater {
                kind: RetryKind::RateLimited,
                ..
            } => "RateLimitError",
            PlatformError::RetryLater { .. } | PlatformError::CursorExpired { .. } => "FetchError",
            PlatformError::RelinkNeeded { .. } | PlatformError::LinkFailed { .. } => "AuthError",
            PlatformError::NotSupported { .. } | PlatformError::Unsupported { .. } => {
                "NotSupported"
            }
            PlatformError::PermissionDenied { .. } => "PermissionsError",
            PlatformError::BadRecord { .. } => "MapError",
            PlatformError::InvalidWebhook { .. } | PlatformError::Internal { .. } => {
                "InternalError"
            }
        }
    }

    /// An [`PlatformError::Internal`] error from a message and a source error.
    pub fn internal(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        PlatformError::Internal {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

/// The connection a link attempt belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkBinding {
    /// The company's id.
    pub company_id: String,
    /// The connection's id.
    pub connection_id: String,
}

/// Keeps OAuth `state` values between [`Platform::begin_link`] and the callback.
///
/// Contract: `save` stores a new state (a duplicate is an error); `take` removes and returns it
/// atomically, so a state can be used once even with several server processes; `take` returns
/// expired entries too (with their expiry) so the caller can tell "expired" from "unknown", and the
/// caller must refuse an entry whose `expires_at` has passed.
#[async_trait]
pub trait LinkStateStore: Send + Sync {
    /// Saves `state` bound to `binding` until `expires_at`.
    async fn save(
        &self,
        state: &str,
        binding: LinkBinding,
        expires_at: DateTime<Utc>,
    ) -> Result<(), ModelError>;

    /// Removes `state` and returns what it was bound to, or `None` if it was never saved or
    /// already taken.
    async fn take(&self, state: &str) -> Result<Option<(LinkBinding, DateTime<Utc>)>, ModelError>;
}

/// A [`LinkStateStore`] in process memory, for tests and single-process demos.
#[derive(Debug, Default)]
pub struct MemoryLinkStateStore {
    entries: Mutex<HashMap<String, (LinkBinding, DateTime<Utc>)>>,
}

#[async_trait]
impl LinkStateStore for MemoryLinkStateStore {
    async fn save(
        &self,
        state: &str,
        binding: LinkBinding,
        expires_at: DateTime<Utc>,
    ) -> Result<(), ModelError> {
        let mut entries = self.entries.lock().map_err(|_| poisoned())?;
        if entries.contains_key(state) {
            return Err(ModelError::LinkStateStore {
                message: "state already saved".to_owned(),
                source: None,
            });
        }
        entries.insert(state.to_owned(), (binding, expires_at));
        Ok(())
    }

    async fn take(&self, state: &str) -> Result<Option<(LinkBinding, DateTime<Utc>)>, ModelError> {
        let mut entries = self.entries.lock().map_err(|_| poisoned())?;
        Ok(entries.remove(state))
    }
}

fn poisoned() -> ModelError {
    ModelError::LinkStateStore {
        message: "in-memory store lock poisoned".to_owned(),
        source: None,
    }
}
