//! Integration tests of commerce-sync: the engine against an in-test platform, on SQLite and on
//! PostgreSQL (a fresh database per test; see `support.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod engine;
mod fake;
mod process;
mod support;
