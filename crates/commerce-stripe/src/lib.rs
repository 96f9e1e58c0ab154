//! Maps Stripe objects (`stripe-wire`) into the Codat-compatible commerce model (`commerce-model`).
//!
//! The mapping functions are pure and synchronous: one Stripe object in, one record (or a
//! deletion, or a typed [`MapError`] for that record) out. The rules are in `docs/mapping/stripe.md`
//! and the golden files in `fixtures/commerce/` pin their exact output.
//!
//! - [`map_account`]: `Account` (+ `Balance`) into `CompanyInfo`;
//! - [`map_customer`], [`map_dispute`];
//! - [`map_charge`], [`map_refund`], [`map_payment_intent`]: the three kinds of `Payment`;
//! - [`map_product`]: a `Product` and its `Price`s into a `Product` with one variant per price;
//! - [`map_balance_transaction`]: a `BalanceTransaction` into a main `Transaction` row and fee rows;
//! - [`map_document`]: any of the above from a Stripe JSON document (list pages, arrays, NDJSON).
//!
//! - [`StripePlatform`]: the platform trait for "Stripe Test" and "Stripe": link through
//!   `stripe-connect`, resumable full pulls and incremental pulls (Events API) through
//!   `stripe-client` under `Stripe-Account`, and Connect webhooks.
//!
//! This is the only crate that knows both Stripe and the commerce model.
//! The mapping functions do no I/O; only [`StripePlatform`] talks to Stripe, through the client crates.

mod address;
mod company_info;
mod customer;
mod date;
mod dispute;
mod document;
mod error;
mod mapped;
mod money;
mod payment;
mod platform;
mod product;
mod transaction;

pub use crate::company_info::map_account;
pub use crate::customer::map_customer;
pub use crate::dispute::map_dispute;
pub use crate::document::{data_type_of_object, map_document, MappedRecord};
pub use crate::error::MapError;
pub use crate::mapped::{Deletion, Mapped};
pub use crate::money::exponent as currency_exponent;
pub use crate::payment::{map_charge, map_payment_intent, map_refund, PAYMENT_PROVIDER};
pub use crate::platform::api_key;
pub use crate::platform::{
    display_name, platform_info, platform_key, setting_names, Clock, SharedBudgetAdapter,
    StripePlatform, StripeSettingNames, StripeWebhook, SystemClock, WebhookChanges,
    ACCESS_TTL_METADATA, API_BASE_SETTING, API_KEY_LINKING_SETTING, CALLBACK_SEGMENT,
    CODAT_KEY_LIVE, CODAT_KEY_TEST, CONNECT_BASE_SETTING, DEFAULT_BACKFILL_SEGMENTS,
    EVENT_RETENTION_SECS, LINK_METHOD_APP, LINK_METHOD_METADATA, PUBLISHABLE_KEY_METADATA,
    SCOPE_SETTING, SUPPORTED_DATA_TYPES, WEBHOOK_SECRET_SETTING,
};
pub use crate::product::map_product;
pub use crate::transaction::map_balance_transaction;

/// The object's id, or a [`MapError::MissingField`] when Stripe sent none.
pub(crate) fn require_id<'a>(object: &'static str, id: &'a str) -> Result<&'a str, MapError> {
    if id.is_empty() {
        return Err(MapError::MissingField {
            object,
            id: String::new(),
            field: "id",
        });
    }
    Ok(id)
}

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
