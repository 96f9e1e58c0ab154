//! Codat `Transaction` ("Commerce: Transaction"): payments, refunds, payouts, fees.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::codat_enum::codat_enum;
use crate::shared::{SupplementalData, TransactionSourceRef};
use crate::Timestamp;

/// A financial transaction on the merchant's account. Fees and refunds are negative.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Signed amount.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub total_amount: Option<Decimal>,
    /// Currency (ISO 4217).
    pub currency: Option<String>,
    /// Standardised kind.
    #[serde(rename = "type")]
    pub transaction_type: Option<TransactionType>,
    /// The platform's own, non-standardised kind (e.g. `charge`, `stripe_fee`).
    pub sub_type: Option<String>,
    /// The event that caused it.
    pub transaction_source_ref: Option<TransactionSourceRef>,
    /// Client-configured extra fields.
    pub supplemental_data: Option<SupplementalData>,
    /// When the transaction was created.
    pub created_date: Option<Timestamp>,
    /// When it was created in the originating system.
    pub source_created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}

codat_enum! {
    /// Codat `transactionType`.
    pub enum TransactionType {
        /// Credit and debit card payments.
        Payment,
        /// Refunds to a customer's card.
        Refund,
        /// Transfer from the merchant account to the seller's bank account.
        Payout,
        /// A payout that failed.
        FailedPayout,
        /// Secure transfer of funds to the seller's bank account.
        Transfer,
        /// The payment provider's fee on a card payment.
        PaymentFee,
        /// A provider fee refunded to the seller.
        PaymentFeeRefund,
    }
}
