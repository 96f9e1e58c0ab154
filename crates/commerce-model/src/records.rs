//! The commerce data types, one module each, with Codat's exact JSON shape.
//!
//! Conventions shared by every type here:
//! - Fields are `pub` and every type implements `Default`, so other crates (platform mappers,
//!   tests) build records with struct literals and `..Default::default()`.
//!   For that reason the structs are not `#[non_exhaustive]`; a field added later is a minor,
//!   documented change for code that pattern-matches them exhaustively.
//! - Optional fields are `Option` and are left out of the JSON when `None` (as Codat's examples do);
//!   optional lists are `Option<Vec<_>>` so that "absent" and "empty" both round-trip.
//! - Money is `rust_decimal::Decimal` written as a JSON number ([`crate::money`]); dates are
//!   [`crate::Timestamp`]; currencies are ISO 4217 strings as the platform gives them.
//! - Unknown JSON fields are ignored when reading.

pub mod company_info;
pub mod customer;
pub mod dispute;
pub mod location;
pub mod order;
pub mod payment;
pub mod payment_method;
pub mod product;
pub mod product_category;
pub mod tax_component;
pub mod transaction;
