#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]
#![allow(unreachable_pub, missing_docs)]
//! Integration tests of the HTTP server over real loopback HTTP, on temporary SQLite databases.

mod client_webhooks;
mod contract;
mod edge;
mod errors;
mod fake;
mod isolation;
mod link;
mod openapi;
mod support;
mod ui;
mod webhooks;
