//! Integration tests of the mapping crate, through its public API only.
//!
//! - `rules`: data-driven checks of each mapping rule (amounts, statuses, fee rows, ids, errors);
//! - `currency`: every currency in Stripe's fixtures and the sandbox is in the currency table;
//! - `goldens`: every file in `fixtures/stripe/` maps to its golden in `fixtures/commerce/`, and every
//!   record validates against Codat's schema;
//! - `shared_examples`: Stripe's own example objects (`../shared/stripe-openapi/fixtures3.json`, read in
//!   place) map and validate too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod currency;
mod goldens;
mod platform;
mod rules;
mod schema;
mod shared_examples;
