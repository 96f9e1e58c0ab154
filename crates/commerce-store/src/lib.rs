//! Persistence for companies, connections, credentials, records, datasets and sync cursors,
//! on SQLite (embedded, the default) or PostgreSQL (to scale out), chosen by the URL.
//!
//! The same behaviour and the same tests on both engines. Migrations are embedded and run
//! when the store opens. Credentials are encrypted at rest with AES-256-GCM.
//!
//! This crate knows platforms only through `commerce-model`; it must never depend on a
//! `stripe-*` crate.

mod companies;
mod crypto;
mod datasets;
mod error;
mod link_state_store;
mod query;
mod records;
mod store;
mod types;
mod webhook_events;

pub use crate::crypto::{EncryptionKey, ENCRYPTION_KEY_ENV};
pub use crate::error::StoreError;
pub use crate::records::{RecordPage, RecordQuery, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use crate::store::{Engine, Store, StoreConfig, DEFAULT_DATABASE_URL};
pub use crate::types::{
    Company, Connection, ConnectionStatus, Credentials, DataTypeStatus, Dataset, DatasetPage,
    DatasetStatus, IssueSeverity, LinkedAccount, NewCompany, PageWrite, PageWriteSummary,
    RecordInput, StoredRecord, SyncCursor, ValidationIssue,
};
