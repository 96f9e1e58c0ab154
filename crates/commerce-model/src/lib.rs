//! A Codat-compatible commerce data model, its query language (parsed, and evaluated in memory
//! with [`Query::matches`] and [`OrderBy::compare`]), and the platform traits through which any
//! commerce platform plugs into a sync engine.
//!
//! - [`records`]: the eleven Commerce data types (company info, customers, disputes, locations,
//!   orders, payments, payment methods, products, product categories, tax components,
//!   transactions) with Codat's exact JSON; [`shared`] holds the types they share.
//! - [`money`] and [`Timestamp`]: exact decimals written as JSON numbers, and Codat's date forms.
//! - [`DataType`]: each type's Codat key and URL segment; [`Page`]: the paging envelope.
//! - [`currency`]: the one currency table (ISO 4217 minor-unit exponents).
//! - [`status`]: Codat's connection and pull-operation statuses and paging limits, shared by the
//!   store, the engine and the server.
//! - `platform` (default feature `platform`): the plug-in door (`Platform`, `PlatformInfo`,
//!   `SettingSpec`, `LinkedAccount`, `LinkStateStore`). Without it (`default-features = false`)
//!   the crate has no async-trait, futures, secrecy or url.
//! - `schema_check` (feature `schema-check`): validates values against a Codat OpenAPI file.
//! - Feature `arbitrary-precision`: decimals of any length exact through JSON (see [`money`]).
//!
//! This crate depends on no platform crate and names no platform in its types.

mod codat_enum;
pub mod currency;
pub mod data_type;
pub mod date;
pub mod error;
pub mod fields;
pub mod money;
pub mod page;
#[cfg(feature = "platform")]
#[cfg_attr(docsrs, doc(cfg(feature = "platform")))]
pub mod platform;
pub mod query;
pub mod query_check;
#[cfg(feature = "platform")]
#[cfg_attr(docsrs, doc(cfg(feature = "platform")))]
pub mod rate_budget;
pub mod records;
#[cfg(feature = "schema-check")]
#[cfg_attr(docsrs, doc(cfg(feature = "schema-check")))]
pub mod schema_check;
pub mod shared;
pub mod status;

/// The date-time crate [`Timestamp`] converts from and to (re-exported).
pub use chrono;
/// The exact decimal type of every amount (re-exported from `rust_decimal`).
pub use rust_decimal::Decimal;
/// The secret type of [`platform::LinkedAccount`]'s tokens (re-exported from `secrecy`).
#[cfg(feature = "platform")]
pub use secrecy::{ExposeSecret, SecretString};

pub use crate::data_type::{CommerceRecord, DataType, COMPANY_INFO_RECORD_ID};
pub use crate::date::Timestamp;
pub use crate::error::ModelError;
pub use crate::fields::{Field, FieldContent, FieldKind, ResolvedField, ScalarField, ValueType};
pub use crate::page::{HalRef, Links, Page};
pub use crate::query::{Expr, FieldPath, Literal, Op, OrderBy, Query, SortKey};
pub use crate::records::company_info::{AccountBalance, CompanyInfo};
pub use crate::records::customer::Customer;
pub use crate::records::dispute::{Dispute, DisputeStatus};
pub use crate::records::location::Location;
pub use crate::records::order::{
    Order, OrderDiscountAllocation, OrderLineItem, ServiceCharge, ServiceChargeType,
};
pub use crate::records::payment::{Payment, PaymentRef, PaymentStatus, PaymentType};
pub use crate::records::payment_method::{PaymentMethod, PaymentMethodStatus};
pub use crate::records::product::{
    Product, ProductInventory, ProductInventoryLocation, ProductPrice, ProductVariant,
    ProductVariantStatus,
};
pub use crate::records::product_category::ProductCategory;
pub use crate::records::tax_component::{TaxComponent, TaxComponentAllocation};
pub use crate::records::transaction::{Transaction, TransactionType};
pub use crate::shared::{
    Address, AddressType, CustomerRef, LocationRef, NamedRef, PaymentMethodRef, PhoneNumber,
    PhoneNumberType, ProductCategoryRef, ProductRef, ProductVariantRef, RecordRef,
    SupplementalData, TaxComponentRef, TransactionSourceRef, TransactionSourceType, WebLink,
    WebLinkType,
};
pub use crate::status::{ConnectionStatus, DatasetStatus, MAX_PAGE_NUMBER};

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
