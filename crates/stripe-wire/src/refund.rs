//! The Stripe `refund` object (`GET /v1/refunds`). Depends on serde only; no I/O.

use serde::{Deserialize, Serialize};

use crate::balance_transaction::BalanceTransaction;
use crate::charge::Charge;
use crate::common::{Expandable, HasId};
use crate::payment_intent::PaymentIntent;
use crate::shared::Metadata;
use crate::string_enum::string_enum;

/// A refund of a charge. Refund has no `livemode`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "object", rename = "refund", default)]
pub struct Refund {
    /// The refund id (`re_...` or `pyr_...`).
    pub id: String,
    /// The amount in minor units.
    pub amount: i64,
    /// The balance transaction that moved the funds.
    pub balance_transaction: Option<Expandable<BalanceTransaction>>,
    /// The refunded charge.
    pub charge: Option<Expandable<Charge>>,
    /// When it was created (unix seconds).
    pub created: i64,
    /// The currency (lowercase code).
    pub currency: String,
    /// The customer id, if any.
    pub customer: Option<String>,
    /// The v2 customer account id, if any.
    pub customer_account: Option<String>,
    /// An arbitrary description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the money goes back to.
    pub destination_details: Option<RefundDestinationDetails>,
    /// The balance transaction reversing a failed refund.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_balance_transaction: Option<Expandable<BalanceTransaction>>,
    /// Why the refund failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<RefundFailureReason>,
    /// The email that received refund instructions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions_email: Option<String>,
    /// Your own key-value pairs.
    pub metadata: Option<Metadata>,
    /// The refunded payment intent.
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    /// The payment method id.
    pub payment_method: Option<String>,
    /// Why the refund is pending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_reason: Option<RefundPendingReason>,
    /// Why it was refunded.
    pub reason: Option<RefundReason>,
    /// The receipt number.
    pub receipt_number: Option<String>,
    /// The transfer reversal funding this refund (Connect).
    pub source_transfer_reversal: Option<Expandable<serde_json::Value>>,
    /// The status.
    pub status: Option<RefundStatus>,
    /// The transfer reversal of a destination charge (Connect).
    pub transfer_reversal: Option<Expandable<serde_json::Value>>,
}

/// `refund.destination_details` (the type; the per-type details are not modelled).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RefundDestinationDetails {
    /// The destination type (`card`, `paypal`, ...; kept as sent).
    #[serde(rename = "type")]
    pub destination_type: String,
}

string_enum! {
    /// `refund.status`.
    RefundStatus {
        /// `pending`.
        Pending = "pending",
        /// `requires_action`.
        RequiresAction = "requires_action",
        /// `succeeded`.
        Succeeded = "succeeded",
        /// `failed`.
        Failed = "failed",
        /// `canceled`.
        Canceled = "canceled",
    }
}

string_enum! {
    /// `refund.reason`.
    RefundReason {
        /// `duplicate`.
        Duplicate = "duplicate",
        /// `fraudulent`.
        Fraudulent = "fraudulent",
        /// `requested_by_customer`.
        RequestedByCustomer = "requested_by_customer",
        /// `expired_uncaptured_charge`.
        ExpiredUncapturedCharge = "expired_uncaptured_charge",
    }
}

string_enum! {
    /// `refund.pending_reason`.
    RefundPendingReason {
        /// `processing`.
        Processing = "processing",
        /// `insufficient_funds`.
        InsufficientFunds = "insufficient_funds",
        /// `charge_pending`.
        ChargePending = "charge_pending",
    }
}

string_enum! {
    /// `refund.failure_reason`.
    RefundFailureReason {
        /// `lost_or_stolen_card`.
        LostOrStolenCard = "lost_or_stolen_card",
        /// `expired_or_canceled_card`.
        ExpiredOrCanceledCard = "expired_or_canceled_card",
        /// `charge_for_pending_refund_disputed`.
        ChargeForPendingRefundDisputed = "charge_for_pending_refund_disputed",
        /// `insufficient_funds`.
        InsufficientFunds = "insufficient_funds",
        /// `declined`.
        Declined = "declined",
        /// `merchant_request`.
        MerchantRequest = "merchant_request",
        /// `unknown` (Stripe's own value, not this crate's fallback).
        StripeUnknown = "unknown",
    }
}

impl HasId for Refund {
    fn id(&self) -> &str {
        &self.id
    }
}
