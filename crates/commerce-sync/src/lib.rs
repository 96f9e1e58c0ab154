//! The sync engine: one dataset (pull operation) per connection and data type, pulled fully and
//! then incrementally through a platform's [`Platform::pull`](commerce_model::platform::Platform),
//! by a pool of workers that claim datasets through the store's expiring leases.
//!
//! Each batch a platform yields is written with its cursor in one store transaction
//! ([`commerce_store::Store::write_page`]), so a crash loses nothing and a restart (in this
//! process or another one on the same database) resumes from the last committed page.
//! Platform errors end a dataset in the matching Codat status (`AuthError` and a
//! `Deauthorized` connection, `RateLimitError` retried later, `NotSupported`, ...); an
//! unmappable record becomes a validation issue on the dataset while the rest goes on.
//!
//! Entry points: [`SyncEngine`] (queueing, [`SyncEngine::run`], [`SyncEngine::run_until_idle`],
//! [`SyncEngine::schedule_due`]), [`PlatformRegistry`], [`SyncConfig`], progress as
//! [`SyncEvent`]s.
//!
//! This crate knows platforms only through the traits in `commerce-model`; it must never
//! depend on a `stripe-*` crate. Rate limits are the platform client's business.

mod config;
mod engine;
mod error;
mod events;
mod refresh;
mod registry;
mod settings;
mod worker;

pub use crate::config::{Schedule, SyncConfig, DEFAULT_LEASE};
pub use crate::engine::{IdleSummary, QueueAll, SyncEngine};
pub use crate::error::SyncError;
pub use crate::events::{DatasetOutcome, SyncEvent};
pub use crate::refresh::{REFRESH_HOLD, REFRESH_WAIT};
pub use crate::registry::PlatformRegistry;
pub use crate::settings::EffectiveSetting;

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
