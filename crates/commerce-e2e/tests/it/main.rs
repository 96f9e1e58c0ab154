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
//! The test support of `commerce-sync` (databases, engine helpers) and of `commerce-server`
//! (the test server) is included from those crates by path, not copied; `support` adds the
//! sandbox-backed server on top of the server's support.

// `commerce-sync`'s support expects its fake platform at `crate::fake`.
#[allow(dead_code)]
#[path = "../../../commerce-sync/tests/it/fake.rs"]
mod fake;
#[allow(dead_code)]
#[path = "../../../commerce-server/tests/it/support.rs"]
mod server_support;
#[allow(dead_code)]
#[path = "../../../commerce-sync/tests/it/support.rs"]
mod sync_support;

mod api_keys;
mod codat_sdks;
mod second_platform;
mod stripe;
mod stripe_apps;
mod stripe_e2e;
#[allow(dead_code)]
mod support;
mod ui;
