//! Integration tests of `stripe-wire`: Stripe's example objects round-trip, mutated objects still
//! parse, malformed input fails with a JSON path, and events carry typed objects.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Test helpers panic on broken fixtures and print one "skipped" line (rust-clippy #13981).
#![allow(clippy::panic, clippy::print_stdout)]

mod enums;
mod events;
mod fixtures;
mod malformed;
mod mutations;
mod support;
