//! Persistence for companies, connections, credentials, records, datasets and sync cursors,
//! on SQLite (embedded, the default) or PostgreSQL (to scale out), chosen by the URL.
//!
//! The same behaviour and the same tests on both engines. Migrations are embedded and run
//! when the store opens. Credentials are encrypted at rest with AES-256-GCM, under several keys
//! newest first ([`EncryptionKeys`]: each sealed value records its key's id; reads use that key,
//! writes the newest; [`Store::rotate_encryption_keys`] re-seals everything under the newest).
//!
//! This crate knows platforms only through `commerce-model`; it must never depend on a
//! `stripe-*` crate.
//!
//! # Design
//!
//! - [`Store`] wraps either an `SqlitePool` or a `PgPool` (not `sqlx::Any`, which cannot
//!   carry engine-specific JSON functions, `jsonb`, `uuid` or `FOR UPDATE SKIP LOCKED`).
//!   Most statements are the same text on both engines (`$N` parameters, `ON CONFLICT`,
//!   `RETURNING`); only the query translation, soft delete and dataset claiming differ.
//!   Queries are checked at run time (`sqlx::query` with binds), never interpolated.
//! - Migrations live in `migrations/sqlite` and `migrations/postgres` (one schema, two
//!   dialects: `uuid`/`jsonb`/`timestamptz` on PostgreSQL, `BLOB`/`TEXT` on SQLite) and are
//!   embedded with `sqlx::migrate!`; [`Store::connect`] runs them.
//! - SQLite opens in WAL mode with a busy timeout; write transactions use `BEGIN IMMEDIATE`.
//! - Times are kept to the millisecond so both engines return identical values.
//!
//! # Records
//!
//! Records are keyed by (connection, data type, id) and hold the model's JSON. The store owns
//! `modifiedDate`: it moves only when the content hash (SHA-256 of the canonical JSON without
//! `modifiedDate`) changes. Deletes are soft. [`Store::write_page`] writes a whole sync page
//! (records, deletions, issues, dataset progress, cursor) in one transaction.
//!
//! # Aggregates
//!
//! [`Store::daily_totals`] sums a numeric field per day of `createdDate` and per currency
//! (optionally split by one more field) in SQL, over at most [`MAX_DAILY_TOTALS_DAYS`] days,
//! found through an expression index on `createdDate`; it feeds the dashboard's chart
//! without reading the records into memory. Sums are floats: for display, not accounting.
//!
//! # Query semantics
//!
//! [`RecordQuery`] carries Codat's `page`, `pageSize` (at most [`MAX_PAGE_SIZE`]), `query`
//! and `orderBy` as the model's typed values ([`RecordQuery::new`]; the server parses and checks
//! them against the data type's declared fields first, see `docs/querying.md`), translated into SQL (`json_extract`/`json_each` on SQLite, `jsonb` and
//! `jsonb_path_query` on PostgreSQL); `totalResults` counts after the filter. Identically on
//! both engines:
//! - Field names are `[A-Za-z0-9_]+`, dot-separated (`customerRef.id`); anything else is
//!   [`StoreError::InvalidQuery`].
//! - Where a path meets an array (at any level), the clause holds if it holds for any element:
//!   `addresses.city=Paris` matches a record with one of several addresses in Paris.
//! - An unquoted number compares numerically with JSON numbers; with `=`/`!=` it also matches
//!   a JSON string of the same text (`id=100`); ranges with a number match only numbers.
//!   Other values compare as text with JSON strings, by code point (ISO dates order as
//!   time). `true`/`false` match JSON booleans. A quoted value is always text.
//! - `~` is "contains" on strings, ASCII case-insensitive (PostgreSQL also folds other
//!   letters); `%`, `_` and `\` are literal.
//! - `!=` holds when no element equals the value, including when the field is missing.
//! - Ordering puts numbers first (numerically), then text; missing values last in both
//!   directions; ties by record id. Ordering does not look into arrays.
//!
//! How it runs: a field the model declares scalar ([`commerce_model::DataType::scalar_fields`])
//! is compared directly on its extracted value. The declared `indexed` fields have partial
//! indexes (migration 0007): an equality on an indexed text field (`currency=EUR`) reads only
//! the matching records, in id order; on SQLite a range on an indexed number field
//! (`totalAmount>100`) is tested on the index while stepping through it in id order. A page
//! (its records joined in one text, with the live count) is one statement.

mod accounts;
mod aggregates;
mod cache;
mod client_settings;
mod companies;
mod consumers;
mod convert;
mod crypto;
mod datasets;
mod deliveries;
mod error;
mod link_state_store;
mod query;
mod rate_budgets;
mod records;
mod rotation;
mod store;
mod types;
mod webhook_events;

pub use crate::aggregates::{DailyTotalsQuery, MAX_DAILY_TOTALS_DAYS};
pub use crate::client_settings::{Profile, StoredApiKey, SyncSetting, SyncSettings};
pub use crate::consumers::{NewWebhookConsumer, WebhookConsumer};
pub use crate::crypto::{
    EncryptionKey, EncryptionKeys, KeyId, ENCRYPTION_KEYS_ENV, ENCRYPTION_KEY_ENV,
};
pub use crate::deliveries::{
    AttemptOutcome, ClientEvent, ClientEventFilter, DeliveryAttempt, DeliveryStatus, NewClientEvent,
};
pub use crate::error::StoreError;
pub use crate::link_state_store::MAX_PENDING_LINK_STATES;
pub use crate::rate_budgets::SharedRateBudgets;
pub use crate::records::{
    RawRecordPage, RecordPage, RecordQuery, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE,
};
pub use crate::rotation::{KeyRotationReport, DEFAULT_ROTATION_BATCH};
pub use crate::store::{Engine, Store, StoreConfig, DEFAULT_DATABASE_URL};
pub use crate::types::{
    Company, Connection, ConnectionStatus, Credentials, DailyTotal, DataTypeStatus, Dataset,
    DatasetPage, DatasetStatus, IssueSeverity, NewCompany, PageWrite, PageWriteSummary,
    RecordInput, RefreshClaim, StoredAccount, StoredRecord, SyncCursor, ValidationIssue,
};

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
