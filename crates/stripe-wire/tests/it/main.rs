//! Integration tests of `stripe-wire`: Stripe's example objects round-trip, mutated objects still
//! parse, malformed input fails with a JSON path, and events carry typed objects.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod events;
mod fixtures;
mod malformed;
mod mutations;
mod support;
