#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]
#![allow(unreachable_pub, missing_docs)]
//! End-to-end tests: the real `commerce_stripe::StripePlatform` against `stripe-sandbox`, in
//! the sync engine on SQLite and PostgreSQL (`stripe`) and behind the HTTP server
//! (`stripe_e2e`, and the dashboard in headless Chromium in `ui`).
//!
//! The test support shared with `commerce-sync` (databases, engine helpers) and
//! `commerce-server` (the test server) is `commerce-testkit`'s; `support` adds the
//! sandbox-backed server on top of the server's support.

use commerce_testkit::server as server_support;
use commerce_testkit::sync as sync_support;

mod api_keys;
mod codat_sdks;
mod second_platform;
mod stripe;
mod stripe_apps;
mod stripe_e2e;
#[allow(dead_code)]
mod support;
mod ui;
