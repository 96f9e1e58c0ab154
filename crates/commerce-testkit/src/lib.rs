//! Test support shared by the tests of `commerce-sync`, `commerce-server` and `commerce-e2e`
//! (and `commerce-sync`'s `sync_worker` example), so no crate includes another's test files by
//! `#[path]` and no helper exists twice.
//!
//! - [`paged`]: a deterministic platform for the sync engine: pages per data type and account,
//!   a change feed, injectable faults, a log of every page served.
//! - [`linked`]: a platform with a real OAuth-style provider on 127.0.0.1 and signed webhooks,
//!   serving the records a test hands it (the server's tests).
//! - [`sync`]: throwaway SQLite and PostgreSQL databases and sync-engine helpers.
//! - [`server`]: the HTTP server on 127.0.0.1 with a test API key, and its request helpers.
//! - [`html`]: reading the dashboard's HTML.
//!
//! A dev-dependency only (`publish = false`). It must not depend on any `stripe-*` crate: the
//! Stripe-agnostic crates take it as a dev-dependency and `cargo xtask deps` checks their dev
//! edges. Helpers panic on failure, as tests want.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    // `TempDir::new` creates a directory: not a `Default`.
    clippy::new_without_default,
    missing_docs
)]

pub mod html;
pub mod linked;
pub mod paged;
pub mod server;
pub mod sync;
