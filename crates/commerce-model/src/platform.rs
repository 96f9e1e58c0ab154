//! The plug-in door: the traits and values through which a commerce platform (Stripe today, Square or
//! Shopify later) links merchants' accounts and delivers their data.
//!
//! A platform crate implements [`Platform`]; the server and the sync engine use only `dyn Platform`
//! and never learn which platform they talk to.
//! The OAuth `state` that binds a link attempt to a connection is kept by a [`LinkStateStore`], which
//! the store crate implements on its database.
//!
//! A platform also describes itself in one value, [`PlatformInfo`]: its keys (its own, Codat's
//! four-letter one and any aliases), display name, data types, the path segment of its OAuth
//! callback, the settings it reads ([`SettingSpec`]) and the link parameters a client may supply
//! ([`LinkParam`]). The server and the CLI take everything platform-specific from it; nothing is
//! guessed from a key's shape.
//!
//! This module must not name any platform: no platform's types or words.

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
use crate::status::DatasetStatus;
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

/// How a setting's text is checked when the configuration is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SettingKind {
    /// Any non-empty text.
    Text,
    /// An absolute `http://` or `https://` URL without query or fragment.
    HttpUrl,
    /// One of the listed words.
    OneOf(&'static [&'static str]),
    /// A whole number of at least 1 (`commerce.toml` may give it as an integer).
    PositiveInteger,
}

/// One setting a platform (or the server) reads: an environment variable of that name, or the
/// same name in lower case in `commerce.toml`.
///
/// A platform is enabled when every one of its `required` settings is set; some set and others
/// not is a configuration problem, none set leaves the platform off. Settings several
/// platforms declare (e.g. a shared API base) must be declared alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingSpec {
    /// The variable name, upper case (e.g. `ACME_CLIENT_ID`).
    pub name: &'static str,
    /// Whether the value is a secret: kept as a `SecretString`, never echoed or logged.
    pub secret: bool,
    /// Whether the platform needs it to be enabled.
    pub required: bool,
    /// How the value is checked.
    pub kind: SettingKind,
    /// One line for `--help`-style listings and error messages.
    pub help: &'static str,
}

impl SettingSpec {
    /// An optional, non-secret text setting.
    pub const fn new(name: &'static str, help: &'static str) -> Self {
        SettingSpec {
            name,
            secret: false,
            required: false,
            kind: SettingKind::Text,
            help,
        }
    }

    /// Marks it secret.
    pub const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    /// Marks it required (the platform is off without it).
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Sets how it is checked.
    pub const fn kind(mut self, kind: SettingKind) -> Self {
        self.kind = kind;
        self
    }

    /// Checks a value of this setting; the error is a reason to append to the setting's name
    /// and never contains a secret value.
    pub fn check(&self, value: &str) -> Result<(), String> {
        let shown = |value: &str| {
            if self.secret {
                String::new()
            } else {
                format!(" {value:?}")
            }
        };
        match self.kind {
            SettingKind::Text => Ok(()),
            SettingKind::HttpUrl => check_http_url(value)
                .map_err(|reason| format!("{}{} {reason}", self.name, shown(value))),
            SettingKind::OneOf(words) => {
                if words.contains(&value) {
                    Ok(())
                } else {
                    Err(format!(
                        "{}{} must be one of {}",
                        self.name,
                        shown(value),
                        words.join(", ")
                    ))
                }
            }
            SettingKind::PositiveInteger => match value.trim().parse::<u64>() {
                Ok(number) if number >= 1 => Ok(()),
                _ => Err(format!(
                    "{}{} must be a whole number of at least 1",
                    self.name,
                    shown(value)
                )),
            },
        }
    }
}

/// Whether `text` is an absolute `http`/`https` URL without query or fragment; the error is a
/// reason such as "must be an http:// or https:// URL".
pub fn check_http_url(text: &str) -> Result<(), &'static str> {
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            if url.query().is_some() || url.fragment().is_some() {
                Err("must not have a query or fragment")
            } else {
                Ok(())
            }
        }
        Ok(_) => Err("must be an http:// or https:// URL"),
        Err(_) => Err("is not a URL"),
    }
}

/// A parameter a client may (or must) supply when a merchant starts linking, as a query
/// parameter of the link URL (e.g. a shop's domain, for platforms whose authorize page lives on
/// the merchant's own host).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkParam {
    /// The query parameter's name.
    pub name: &'static str,
    /// Whether a link without it is refused.
    pub required: bool,
    /// One line saying what it is.
    pub help: &'static str,
}

/// What a platform says about itself. It owns this value; the server, the engine and the CLI
/// read every platform-specific fact from it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlatformInfo {
    /// The key naming the integration in URLs, the API and the database (e.g. `stripe-test`).
    pub key: PlatformKey,
    /// Codat's four-letter integration key (answered as `integrationKey`, accepted as a key).
    pub codat_key: PlatformKey,
    /// Other keys accepted for this integration.
    pub aliases: Vec<PlatformKey>,
    /// Display name, e.g. "Stripe Test".
    pub name: String,
    /// The data types it can pull, in the order a first sync pulls them.
    pub data_types: Vec<DataType>,
    /// The path segment of its OAuth callback: the redirect URI is
    /// `{public_url}/oauth/{callback_segment}/callback`. Integrations of one platform family
    /// (test and live) share it; it also names the family in Codat's `sourceId`.
    pub callback_segment: String,
    /// The settings it reads.
    pub settings: Vec<SettingSpec>,
    /// The link parameters a client may supply.
    pub link_params: Vec<LinkParam>,
    /// Whether (and how) a connection can be linked with credentials the merchant hands over
    /// (e.g. an API key), through [`Platform::link_with_credentials`]; `None`: OAuth only.
    pub credentials_link: Option<CredentialsLink>,
}

/// One credential a merchant hands over to link without OAuth (e.g. an API key), named as in the
/// body of Codat's `PUT .../connections/{connectionId}/authorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialField {
    /// The field's name in the body (e.g. `apiKey`).
    pub name: &'static str,
    /// A label for a form.
    pub label: &'static str,
    /// One line saying what to paste, for a form and error messages.
    pub help: &'static str,
}

/// How a platform links with credentials the merchant hands over ([`PlatformInfo::credentials_link`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsLink {
    /// The fields, all required.
    pub fields: Vec<CredentialField>,
    /// Whether the link page offers a form for them beside the OAuth button (the platform turns
    /// it on from one of its own settings).
    pub on_link_page: bool,
}

impl PlatformInfo {
    /// A platform with its keys, display name and callback segment; add the rest with the
    /// builder methods.
    pub fn new(
        key: PlatformKey,
        codat_key: PlatformKey,
        name: impl Into<String>,
        callback_segment: impl Into<String>,
    ) -> Self {
        PlatformInfo {
            key,
            codat_key,
            aliases: Vec::new(),
            name: name.into(),
            data_types: Vec::new(),
            callback_segment: callback_segment.into(),
            settings: Vec::new(),
            link_params: Vec::new(),
            credentials_link: None,
        }
    }

    /// Declares linking with credentials the merchant hands over.
    pub fn credentials_link(mut self, link: CredentialsLink) -> Self {
        self.credentials_link = Some(link);
        self
    }

    /// Adds an alias.
    pub fn alias(mut self, alias: PlatformKey) -> Self {
        self.aliases.push(alias);
        self
    }

    /// Sets the data types it can pull.
    pub fn supports(mut self, data_types: &[DataType]) -> Self {
        self.data_types = data_types.to_vec();
        self
    }

    /// Declares settings.
    pub fn settings(mut self, settings: &[SettingSpec]) -> Self {
        self.settings.extend_from_slice(settings);
        self
    }

    /// Declares a link parameter.
    pub fn link_param(mut self, param: LinkParam) -> Self {
        self.link_params.push(param);
        self
    }

    /// Every key it answers to: its key, its Codat key and its aliases.
    pub fn all_keys(&self) -> impl Iterator<Item = &PlatformKey> {
        std::iter::once(&self.key)
            .chain(std::iter::once(&self.codat_key))
            .chain(self.aliases.iter())
    }

    /// Whether `key` names this platform (its key, Codat key or an alias).
    pub fn answers_to(&self, key: &str) -> bool {
        self.all_keys().any(|known| known.as_str() == key)
    }

    /// The names of its required settings, joined with "and" (for messages such as
    /// "set ACME_CLIENT_ID and ACME_CLIENT_SECRET").
    pub fn required_settings(&self) -> String {
        let names: Vec<&str> = self
            .settings
            .iter()
            .filter(|setting| setting.required)
            .map(|setting| setting.name)
            .collect();
        names.join(" and ")
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
    /// The link parameters the client supplied (only names the platform declared in
    /// [`PlatformInfo::link_params`]; required ones are present).
    pub params: BTreeMap<String, String>,
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

/// A merchant account the platform granted access to. The store keeps all of it per connection
/// (tokens encrypted) and hands it back to the platform for every pull, unlink and refresh.
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
    /// When the access token stops working, if it expires.
    pub access_expires_at: Option<DateTime<Utc>>,
    /// Other non-secret facts the platform wants back later (e.g. a publishable key, a shop
    /// domain).
    pub metadata: BTreeMap<String, String>,
}

impl LinkedAccount {
    /// An account with an id and mode, and nothing else yet.
    pub fn new(external_id: impl Into<String>, livemode: bool) -> Self {
        LinkedAccount {
            external_id: external_id.into(),
            livemode,
            scope: None,
            access_token: None,
            refresh_token: None,
            access_expires_at: None,
            metadata: BTreeMap::new(),
        }
    }

    /// Whether the access token has expired at `now` or will within `margin`.
    pub fn access_expires_within(&self, now: DateTime<Utc>, margin: Duration) -> bool {
        let margin = chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::zero());
        self.access_expires_at
            .is_some_and(|expires_at| expires_at <= now + margin)
    }
}

/// How long before its expiry an access token is refreshed by default
/// ([`Platform::needs_refresh`]).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

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
    /// A remark for the dataset's status description when the pull ends (e.g. why it ran as a
    /// full pull rather than an incremental one); the last batch's note is kept.
    pub note: Option<String>,
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
/// - Credentials that expire: before a pull the engine asks [`Platform::needs_refresh`]; during
///   one a platform answers [`PlatformError::AccessExpired`]. Either way the engine calls
///   [`Platform::refresh_credentials`] at most once at a time per connection (across processes,
///   through the store), persists the returned account before using it, and goes on with the
///   pull from its last cursor. A refresh token the platform rejects is
///   [`PlatformError::RelinkNeeded`].
///
/// Errors are the concrete [`PlatformError`] rather than an associated type so that the server and
/// engine can hold platforms as `Arc<dyn Platform>` in one registry.
#[async_trait]
pub trait Platform: Send + Sync {
    /// What the platform says about itself (keys, name, data types, callback, settings).
    fn info(&self) -> &PlatformInfo;

    /// The integration's key, e.g. `stripe-test` (from [`Platform::info`]).
    fn key(&self) -> &PlatformKey {
        &self.info().key
    }

    /// Other keys accepted for this integration besides its Codat key (from [`Platform::info`]).
    fn aliases(&self) -> &[PlatformKey] {
        &self.info().aliases
    }

    /// Display name, e.g. "Stripe Test" (from [`Platform::info`]).
    fn name(&self) -> &str {
        &self.info().name
    }

    /// The data types this platform can pull (from [`Platform::info`]).
    fn supports(&self) -> &[DataType] {
        &self.info().data_types
    }

    /// Whether the engine must refresh `account`'s credentials before using them at `now`.
    /// The default: the access token expires within [`DEFAULT_REFRESH_MARGIN`].
    fn needs_refresh(&self, account: &LinkedAccount, now: DateTime<Utc>) -> bool {
        account.access_expires_within(now, DEFAULT_REFRESH_MARGIN)
    }

    /// New credentials for `account` (typically from its refresh token). The result replaces
    /// the stored account as a whole, so it must carry everything to keep (id, metadata, the
    /// new refresh token when the platform rotates them).
    ///
    /// The engine calls it for one connection at a time only, and persists the result before
    /// any use. The default answers [`PlatformError::Unsupported`], which the engine treats as
    /// "link again".
    async fn refresh_credentials(
        &self,
        account: &LinkedAccount,
    ) -> Result<LinkedAccount, PlatformError> {
        let _ = account;
        Err(PlatformError::Unsupported {
            what: "credential refresh",
        })
    }

    /// Starts linking: the URL to send the merchant to.
    async fn begin_link(&self, request: LinkRequest) -> Result<LinkStart, PlatformError>;

    /// Finishes linking from the callback (the server has already checked `state`).
    async fn complete_link(&self, callback: LinkCallback) -> Result<LinkedAccount, PlatformError>;

    /// Revokes this service's access to the account. Data already pulled stays.
    async fn unlink(&self, account: &LinkedAccount) -> Result<(), PlatformError>;

    /// Links an account with credentials the merchant handed over (the fields the platform
    /// declares in [`PlatformInfo::credentials_link`], e.g. an API key), checking them at the
    /// platform. Credentials the platform refuses (wrong, of the wrong mode, lacking a
    /// permission) are [`PlatformError::LinkFailed`] with a reason safe to show, which never
    /// contains a credential. The default answers [`PlatformError::Unsupported`].
    async fn link_with_credentials(
        &self,
        credentials: &BTreeMap<String, SecretString>,
    ) -> Result<LinkedAccount, PlatformError> {
        let _ = credentials;
        Err(PlatformError::Unsupported {
            what: "linking with credentials",
        })
    }

    /// Whether [`Platform::unlink`] revokes anything at the platform for `account`. An account
    /// linked with credentials the merchant handed over (an API key) has nothing this service
    /// can revoke: only the merchant can. True by default.
    fn unlink_revokes(&self, account: &LinkedAccount) -> bool {
        let _ = account;
        true
    }

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
    fn settings_in_use(&self) -> Vec<(String, String)> {
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
    /// Access was revoked or can no longer be refreshed: the merchant must link again.
    #[error("the account must be linked again: {reason}")]
    RelinkNeeded {
        /// What the platform said.
        reason: String,
    },
    /// The access token expired: refresh the credentials ([`Platform::refresh_credentials`])
    /// and try again.
    #[error("access expired: {reason}")]
    AccessExpired {
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
    /// Refresh the credentials, then go on.
    RefreshCredentials,
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
            PlatformError::AccessExpired { .. } => ErrorAction::RefreshCredentials,
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

    /// The Codat dataset status a pull ending with this error takes.
    pub fn dataset_status(&self) -> DatasetStatus {
        match self {
            PlatformError::RetryLater {
                kind: RetryKind::RateLimited,
                ..
            } => DatasetStatus::RateLimitError,
            PlatformError::RetryLater { .. } | PlatformError::CursorExpired { .. } => {
                DatasetStatus::FetchError
            }
            PlatformError::RelinkNeeded { .. }
            | PlatformError::AccessExpired { .. }
            | PlatformError::LinkFailed { .. } => DatasetStatus::AuthError,
            PlatformError::NotSupported { .. } | PlatformError::Unsupported { .. } => {
                DatasetStatus::NotSupported
            }
            PlatformError::PermissionDenied { .. } => DatasetStatus::PermissionsError,
            PlatformError::BadRecord { .. } => DatasetStatus::MapError,
            PlatformError::InvalidWebhook { .. } | PlatformError::Internal { .. } => {
                DatasetStatus::InternalError
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

    /// A state saved for the binding's connection that is still valid at `valid_at`, with its
    /// expiry, to hand out again instead of saving a new one; `None` when there is none (or the
    /// store cannot give states back, the default).
    async fn reusable(
        &self,
        binding: &LinkBinding,
        valid_at: DateTime<Utc>,
    ) -> Result<Option<(String, DateTime<Utc>)>, ModelError> {
        let _ = (binding, valid_at);
        Ok(None)
    }
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
