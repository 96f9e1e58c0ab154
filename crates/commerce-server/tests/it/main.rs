#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(unreachable_pub, missing_docs)]
//! Integration tests of the HTTP server over real loopback HTTP, on temporary SQLite databases.

mod contract;
mod fake;
mod link;
mod support;
