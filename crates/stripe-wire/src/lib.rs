//! Stripe API objects as forward-compatible Rust types.
//!
//! This crate mirrors Stripe's JSON as it is on the wire (API version pinned by `stripe-client`).
//! It does no I/O, has no HTTP dependency and knows nothing of the commerce model:
//! amounts stay integers in minor units and currencies stay as Stripe sends them.
//!
//! Forward compatibility: unknown fields are ignored, every enum is `#[non_exhaustive]` with an
//! `Unknown(String)` fallback that re-serializes as the same string, and nullable or expandable
//! fields are `Option` / [`Expandable`].
//!
//! Construction: resource structs have public fields and derive `Default`, and are deliberately
//! *not* `#[non_exhaustive]`, so fakes and tests in other crates can write
//! `Charge { id: "ch_1".into(), amount: 100, ..Default::default() }`.
//! Adding a field is therefore a (minor) breaking change for code that builds these structs
//! without `..Default::default()`; always use it.
//! The `object` member is not a field: each resource writes its own constant `object` when
//! serialized and ignores it when deserialized.
//!
//! Nulls: `None` serializes as `null`, as Stripe sends explicit nulls; fields Stripe omits when
//! absent (`charge.refunds`, `price.tiers`, `event.account`, `data.previous_attributes`, ...)
//! are skipped instead. Decode with [`from_slice`] / [`from_str`] to get the JSON path of a
//! failure in the error.

mod account;
mod balance_transaction;
mod charge;
mod common;
pub mod currency;
mod customer;
mod dispute;
mod error;
mod event;
mod listable;
mod payment_intent;
mod payout;
mod product;
mod refund;
mod shared;
mod string_enum;

pub use crate::account::{
    Account, AccountController, AccountRequirements, AccountSettings, AccountType, AnnualRevenue,
    Balance, BalanceAmount, BrandingSettings, BusinessProfile, BusinessType, Company,
    ControllerType, DashboardSettings, PaymentsSettings, PayoutInterval, PayoutSchedule,
    PayoutSettings,
};
pub use crate::balance_transaction::{
    BalanceTransaction, BalanceTransactionStatus, BalanceTransactionType, BalanceType, FeeDetail,
    FeeType,
};
pub use crate::charge::{
    BillingDetails, CardDetails, Charge, ChargeOutcome, ChargeStatus, FraudDetails, OutcomeType,
    PaymentMethodDetails, TransferData,
};
pub use crate::common::{
    ApiError, ApiErrorBody, Deleted, Expandable, HasId, List, OAuthErrorBody, SearchResult,
};
pub use crate::customer::{Customer, TaxExempt};
pub use crate::dispute::{
    Dispute, DisputeEvidence, DisputePaymentMethodDetails, DisputeReason, DisputeStatus,
    EvidenceDetails,
};
pub use crate::error::{from_slice, from_str, WireError};
pub use crate::event::{Event, EventData, EventObject, EventRequest};
pub use crate::listable::Listable;
pub use crate::payment_intent::{
    CancellationReason, CaptureMethod, ConfirmationMethod, PaymentIntent, PaymentIntentStatus,
};
pub use crate::payout::{
    Payout, PayoutMethod, PayoutStatus, PayoutTraceId, PayoutType, ReconciliationStatus,
};
pub use crate::product::{
    BillingScheme, CustomUnitAmount, MarketingFeature, PackageDimensions, Price, PriceTier,
    PriceType, Product, ProductType, Recurring, RecurringInterval, TaxBehavior, TiersMode,
    TransformQuantity, TransformRound, UsageType,
};
pub use crate::refund::{
    Refund, RefundDestinationDetails, RefundFailureReason, RefundPendingReason, RefundReason,
    RefundStatus,
};
pub use crate::shared::{Address, Metadata, Shipping};

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
