//! Codat `Payment` ("Commerce: Payment") and the `paymentRef` form embedded in orders.
//!
//! Refunds are separate payments with a negative amount.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::codat_enum::codat_enum;
use crate::shared::{PaymentMethodRef, SupplementalData};
use crate::Timestamp;

/// Money reserved against, or taken from, a customer's funding source.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Amount including gratuity; negative for refunds.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub amount: Option<Decimal>,
    /// Currency (ISO 4217).
    pub currency: Option<String>,
    /// The payment method used.
    pub payment_method_ref: Option<PaymentMethodRef>,
    /// Where the payment stands.
    pub status: Option<PaymentStatus>,
    /// Kind of payment. Not in Codat's `Payment` schema but present in its examples.
    #[serde(rename = "type")]
    pub payment_type: Option<PaymentType>,
    /// Who processed it, e.g. `Stripe`.
    pub payment_provider: Option<String>,
    /// When it is due.
    pub due_date: Option<Timestamp>,
    /// Client-configured extra fields.
    pub supplemental_data: Option<SupplementalData>,
    /// When the payment was created.
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}

/// Codat `paymentRef`: a payment as embedded in [`crate::Order::payments`].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PaymentRef {
    /// The payment's id.
    pub id: String,
    /// Amount (nullable in Codat's schema).
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub amount: Option<Decimal>,
    /// Currency (ISO 4217).
    pub currency: Option<String>,
    /// Kind of payment.
    #[serde(rename = "type")]
    pub payment_type: Option<PaymentType>,
    /// Where the payment stands.
    pub status: Option<PaymentStatus>,
    /// Who processed it.
    pub payment_provider: Option<String>,
    /// When it is due.
    pub due_date: Option<Timestamp>,
    /// When the payment was created.
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}

codat_enum! {
    /// Codat `paymentStatus`.
    pub enum PaymentStatus {
        /// Not yet settled.
        Pending,
        /// Authorized but not captured.
        Authorized,
        /// Completed.
        Paid,
        /// Failed.
        Failed,
        /// Cancelled before completion.
        Cancelled,
    }
}

codat_enum! {
    /// Codat `paymentType`.
    pub enum PaymentType {
        /// Cash.
        Cash,
        /// Card present.
        Card,
        /// Invoice.
        Invoice,
        /// Card not present (online).
        OnlineCard,
        /// Swish.
        Swish,
        /// Vipps.
        Vipps,
        /// Mobile payment.
        Mobile,
        /// Store credit.
        StoreCredit,
        /// PayPal.
        Paypal,
        /// A merchant-defined type.
        Custom,
        /// Prepaid.
        Prepaid,
    }
}
