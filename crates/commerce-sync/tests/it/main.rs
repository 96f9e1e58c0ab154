//! Integration tests of commerce-sync: the engine against an in-test platform, on SQLite and on
//! PostgreSQL (a fresh database per test; see `commerce-testkit`'s `sync` module).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod engine;
mod process;

// The shared test support (`commerce-testkit`), under the names the tests use.
use commerce_testkit::paged as fake;
use commerce_testkit::sync as support;
