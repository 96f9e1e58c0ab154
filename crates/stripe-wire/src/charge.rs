//! The Stripe `charge` object (`GET /v1/charges`). Depends on serde only; no I/O.

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::balance_transaction::BalanceTransaction;
use crate::common::{Expandable, HasId, List};
use crate::customer::Customer;
use crate::payment_intent::PaymentIntent;
use crate::refund::Refund;
use crate::shared::{Address, Metadata, Shipping};
use crate::string_enum::string_enum;

/// A charge: one attempt to move money from a payment method.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "object", rename = "charge", default)]
pub struct Charge {
    /// The charge id (`ch_...` or `py_...`).
    pub id: String,
    /// The amount in minor units.
    pub amount: i64,
    /// The amount captured (less than `amount` after a partial capture).
    pub amount_captured: i64,
    /// The amount refunded so far.
    pub amount_refunded: i64,
    /// The Connect application that created the charge.
    pub application: Option<Expandable<serde_json::Value>>,
    /// The application fee collected.
    pub application_fee: Option<Expandable<serde_json::Value>>,
    /// The application fee amount requested.
    pub application_fee_amount: Option<i64>,
    /// The authorization code on the receipt.
    pub authorization_code: Option<String>,
    /// The balance transaction that moved the funds.
    pub balance_transaction: Option<Expandable<BalanceTransaction>>,
    /// Billing details of the payment method.
    pub billing_details: Option<BillingDetails>,
    /// The full statement descriptor shown to the customer.
    pub calculated_statement_descriptor: Option<String>,
    /// Whether the charge was captured.
    pub captured: bool,
    /// When the charge was created (unix seconds).
    pub created: i64,
    /// The currency (lowercase code).
    pub currency: String,
    /// The customer, if any.
    pub customer: Option<Expandable<Customer>>,
    /// An arbitrary description.
    pub description: Option<String>,
    /// Whether the charge was disputed.
    pub disputed: bool,
    /// The balance transaction of a failed refund.
    pub failure_balance_transaction: Option<Expandable<BalanceTransaction>>,
    /// The error code when the charge failed.
    pub failure_code: Option<String>,
    /// The error message when the charge failed.
    pub failure_message: Option<String>,
    /// Fraud reports on the charge.
    pub fraud_details: Option<FraudDetails>,
    /// Whether this is live-mode data.
    pub livemode: bool,
    /// Your own key-value pairs.
    pub metadata: Metadata,
    /// The account the funds were settled for.
    pub on_behalf_of: Option<Expandable<Account>>,
    /// Whether the charge was authorized and why.
    pub outcome: Option<ChargeOutcome>,
    /// Whether the charge succeeded or was authorized for later capture.
    pub paid: bool,
    /// The payment intent this charge belongs to.
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    /// The payment method id.
    pub payment_method: Option<String>,
    /// The payment method type and its details.
    pub payment_method_details: Option<PaymentMethodDetails>,
    /// Where the receipt was sent.
    pub receipt_email: Option<String>,
    /// The receipt number.
    pub receipt_number: Option<String>,
    /// The receipt URL.
    pub receipt_url: Option<String>,
    /// Whether the charge was fully refunded.
    pub refunded: bool,
    /// The refunds (only sent when expanded with `expand[]=refunds`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refunds: Option<List<Refund>>,
    /// The Radar review, if any.
    pub review: Option<Expandable<serde_json::Value>>,
    /// Shipping details.
    pub shipping: Option<Shipping>,
    /// The transfer that funded this charge (Connect).
    pub source_transfer: Option<Expandable<serde_json::Value>>,
    /// The statement descriptor.
    pub statement_descriptor: Option<String>,
    /// The statement descriptor suffix.
    pub statement_descriptor_suffix: Option<String>,
    /// The status of the payment.
    pub status: ChargeStatus,
    /// The transfer to the destination account (Connect destination charges).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<Expandable<serde_json::Value>>,
    /// Destination transfer details.
    pub transfer_data: Option<TransferData>,
    /// The transfer group.
    pub transfer_group: Option<String>,
}

/// `charge.billing_details`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BillingDetails {
    /// The billing address.
    pub address: Option<Address>,
    /// The email address.
    pub email: Option<String>,
    /// The full name.
    pub name: Option<String>,
    /// The phone number.
    pub phone: Option<String>,
    /// The tax id.
    pub tax_id: Option<String>,
}

/// `charge.fraud_details` (Stripe often sends `{}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FraudDetails {
    /// Stripe's assessment, `fraudulent` when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe_report: Option<String>,
    /// Your report, `safe` or `fraudulent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_report: Option<String>,
}

/// `charge.outcome`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChargeOutcome {
    /// Advice for the merchant on retrying.
    pub advice_code: Option<String>,
    /// The network's advice code.
    pub network_advice_code: Option<String>,
    /// The network's decline code.
    pub network_decline_code: Option<String>,
    /// The network status (`approved_by_network`, `declined_by_network`, ...).
    pub network_status: Option<String>,
    /// The reason for the outcome.
    pub reason: Option<String>,
    /// Radar's risk level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_level: Option<String>,
    /// Radar's risk score (0 to 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_score: Option<i64>,
    /// A message for the merchant.
    pub seller_message: Option<String>,
    /// The outcome type.
    #[serde(rename = "type")]
    pub outcome_type: Option<OutcomeType>,
}

/// `charge.payment_method_details`: the type plus the card details when it is a card.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentMethodDetails {
    /// Card details, when `type` is `card`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<CardDetails>,
    /// The payment method type (`card`, `sepa_debit`, `paypal`, ...; an open set, kept as sent).
    #[serde(rename = "type")]
    pub method_type: String,
}

/// `payment_method_details.card` (the fields listed here; others are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CardDetails {
    /// The card brand (`visa`, `mastercard`, ...).
    pub brand: Option<String>,
    /// The issuing country.
    pub country: Option<String>,
    /// The expiry month.
    pub exp_month: Option<i64>,
    /// The expiry year.
    pub exp_year: Option<i64>,
    /// The card's fingerprint.
    pub fingerprint: Option<String>,
    /// `credit`, `debit`, `prepaid` or `unknown`.
    pub funding: Option<String>,
    /// The last four digits.
    pub last4: Option<String>,
    /// The card network used.
    pub network: Option<String>,
}

/// `transfer_data` on a charge or payment intent (Connect destination charges).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TransferData {
    /// The amount to transfer, when not the whole charge.
    pub amount: Option<i64>,
    /// The destination account.
    pub destination: Expandable<Account>,
}

string_enum! {
    /// `charge.status`.
    ChargeStatus {
        /// `succeeded`.
        Succeeded = "succeeded",
        /// `pending`.
        Pending = "pending",
        /// `failed`.
        Failed = "failed",
    }
}

string_enum! {
    /// `charge.outcome.type`.
    OutcomeType {
        /// `authorized`.
        Authorized = "authorized",
        /// `manual_review`.
        ManualReview = "manual_review",
        /// `issuer_declined`.
        IssuerDeclined = "issuer_declined",
        /// `blocked`.
        Blocked = "blocked",
        /// `invalid`.
        Invalid = "invalid",
    }
}

impl HasId for Charge {
    fn id(&self) -> &str {
        &self.id
    }
}
