//! Integration tests of commerce-store. Every test runs twice, on SQLite (a temporary file)
//! and on PostgreSQL (a fresh database per test; `COMMERCE_TEST_PG_URL` overrides the server,
//! `COMMERCE_SKIP_PG=1` skips these when no PostgreSQL is available).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod harness;
mod modules;

mod aggregates;
mod client_settings;
mod companies;
mod datasets;
mod deliveries;
mod query;
mod rate_budgets;
mod records;
mod rotation;
