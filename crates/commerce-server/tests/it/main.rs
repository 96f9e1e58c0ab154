#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]
#![allow(unreachable_pub, missing_docs)]
//! Integration tests of the HTTP server over real loopback HTTP, on temporary SQLite databases.

mod client_webhooks;
mod codat_statuses;
mod contract;
mod edge;
mod errors;
mod isolation;
mod link;
mod openapi;
mod platform_api;
mod ui;
mod webhooks;

// The shared test support (`commerce-testkit`), under the names the tests use.
use commerce_testkit::linked as fake;
use commerce_testkit::server as support;
