//! The Stripe `dispute` object (`GET /v1/disputes`). Depends on serde only; no I/O.

use serde::{Deserialize, Serialize};

use crate::balance_transaction::BalanceTransaction;
use crate::charge::Charge;
use crate::common::{Expandable, HasId};
use crate::payment_intent::PaymentIntent;
use crate::shared::Metadata;
use crate::string_enum::string_enum;

/// A dispute (chargeback or inquiry) raised against a charge.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "object", rename = "dispute", default)]
pub struct Dispute {
    /// The dispute id (`dp_...` or `du_...`).
    pub id: String,
    /// The disputed amount in minor units.
    pub amount: i64,
    /// Zero to two balance transactions withdrawing or reinstating funds.
    pub balance_transactions: Vec<BalanceTransaction>,
    /// The disputed charge.
    pub charge: Expandable<Charge>,
    /// When it was created (unix seconds).
    pub created: i64,
    /// The currency (lowercase code).
    pub currency: String,
    /// Enhanced evidence programmes the dispute qualifies for.
    pub enhanced_eligibility_types: Vec<String>,
    /// The evidence submitted or to submit.
    pub evidence: Option<DisputeEvidence>,
    /// Deadlines and submission state of the evidence.
    pub evidence_details: Option<EvidenceDetails>,
    /// Whether the charge can still be refunded.
    pub is_charge_refundable: bool,
    /// Whether this is live-mode data.
    pub livemode: bool,
    /// Your own key-value pairs.
    pub metadata: Metadata,
    /// The network's reason code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_reason_code: Option<String>,
    /// The disputed payment intent.
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    /// The payment method type of the disputed payment.
    pub payment_method_details: Option<DisputePaymentMethodDetails>,
    /// The reason given by the cardholder's bank.
    pub reason: DisputeReason,
    /// The status.
    pub status: DisputeStatus,
}

/// `dispute.evidence`: text fields, and file fields (file ids, or `file` objects when expanded).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DisputeEvidence {
    /// Server or activity logs (text).
    pub access_activity_log: Option<String>,
    /// The billing address.
    pub billing_address: Option<String>,
    /// Subscription cancellation policy (file).
    pub cancellation_policy: Option<Expandable<serde_json::Value>>,
    /// How the cancellation policy was shown (text).
    pub cancellation_policy_disclosure: Option<String>,
    /// Why the customer's cancellation claim is wrong (text).
    pub cancellation_rebuttal: Option<String>,
    /// Communication with the customer (file).
    pub customer_communication: Option<Expandable<serde_json::Value>>,
    /// The customer's email address.
    pub customer_email_address: Option<String>,
    /// The customer's name.
    pub customer_name: Option<String>,
    /// The customer's IP address at purchase.
    pub customer_purchase_ip: Option<String>,
    /// The customer's signature (file).
    pub customer_signature: Option<Expandable<serde_json::Value>>,
    /// Documentation of the other, non-duplicate charge (file).
    pub duplicate_charge_documentation: Option<Expandable<serde_json::Value>>,
    /// Why the charges are not duplicates (text).
    pub duplicate_charge_explanation: Option<String>,
    /// The id of the charge alleged to be duplicated.
    pub duplicate_charge_id: Option<String>,
    /// What was sold.
    pub product_description: Option<String>,
    /// The receipt (file).
    pub receipt: Option<Expandable<serde_json::Value>>,
    /// The refund policy (file).
    pub refund_policy: Option<Expandable<serde_json::Value>>,
    /// How the refund policy was shown (text).
    pub refund_policy_disclosure: Option<String>,
    /// Why no refund was given (text).
    pub refund_refusal_explanation: Option<String>,
    /// When the service was provided (text).
    pub service_date: Option<String>,
    /// Proof of service (file).
    pub service_documentation: Option<Expandable<serde_json::Value>>,
    /// The shipping address.
    pub shipping_address: Option<String>,
    /// The shipping carrier.
    pub shipping_carrier: Option<String>,
    /// The shipping date.
    pub shipping_date: Option<String>,
    /// Proof of shipping (file).
    pub shipping_documentation: Option<Expandable<serde_json::Value>>,
    /// The tracking number.
    pub shipping_tracking_number: Option<String>,
    /// Any other evidence (file).
    pub uncategorized_file: Option<Expandable<serde_json::Value>>,
    /// Any other evidence (text).
    pub uncategorized_text: Option<String>,
}

/// `dispute.evidence_details`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EvidenceDetails {
    /// The evidence deadline (unix seconds; `0` when the dispute cannot be challenged).
    pub due_by: Option<i64>,
    /// Whether evidence has been saved.
    pub has_evidence: bool,
    /// Whether the deadline has passed.
    pub past_due: bool,
    /// How many times evidence was submitted.
    pub submission_count: i64,
}

/// `dispute.payment_method_details` (the type; the per-type details are not modelled).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DisputePaymentMethodDetails {
    /// `card`, `amazon_pay`, `klarna`, `paypal`, ... (kept as sent).
    #[serde(rename = "type")]
    pub method_type: String,
}

string_enum! {
    /// `dispute.status`.
    DisputeStatus {
        /// `warning_needs_response`.
        WarningNeedsResponse = "warning_needs_response",
        /// `warning_under_review`.
        WarningUnderReview = "warning_under_review",
        /// `warning_closed`.
        WarningClosed = "warning_closed",
        /// `needs_response`.
        NeedsResponse = "needs_response",
        /// `under_review`.
        UnderReview = "under_review",
        /// `won`.
        Won = "won",
        /// `lost`.
        Lost = "lost",
        /// `prevented`.
        Prevented = "prevented",
    }
}

string_enum! {
    /// `dispute.reason` (an open string in Stripe's spec).
    DisputeReason {
        /// `bank_cannot_process`.
        BankCannotProcess = "bank_cannot_process",
        /// `check_returned`.
        CheckReturned = "check_returned",
        /// `credit_not_processed`.
        CreditNotProcessed = "credit_not_processed",
        /// `customer_initiated`.
        CustomerInitiated = "customer_initiated",
        /// `debit_not_authorized`.
        DebitNotAuthorized = "debit_not_authorized",
        /// `duplicate`.
        Duplicate = "duplicate",
        /// `fraudulent`.
        Fraudulent = "fraudulent",
        /// `general`.
        General = "general",
        /// `incorrect_account_details`.
        IncorrectAccountDetails = "incorrect_account_details",
        /// `insufficient_funds`.
        InsufficientFunds = "insufficient_funds",
        /// `noncompliant`.
        Noncompliant = "noncompliant",
        /// `product_not_received`.
        ProductNotReceived = "product_not_received",
        /// `product_unacceptable`.
        ProductUnacceptable = "product_unacceptable",
        /// `subscription_canceled`.
        SubscriptionCanceled = "subscription_canceled",
        /// `unrecognized`.
        Unrecognized = "unrecognized",
    }
}

impl HasId for Dispute {
    fn id(&self) -> &str {
        &self.id
    }
}
