//! Integration tests for `stripe-connect`: the public API against a wiremock Connect host.
//!
//! No network beyond 127.0.0.1: every HTTP exchange goes to a per-test `MockServer`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod apps;
mod authorize;
mod deauthorize;
mod debug;
mod exchange;
mod integration;
mod parse;
mod support;
mod webhook;
