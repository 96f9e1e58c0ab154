//! The Stripe `payment_intent` object (`GET /v1/payment_intents`). Depends on serde only; no I/O.
//!
//! `client_secret` is deliberately not modelled: it lets a browser confirm the payment and must
//! not be stored or logged, so this crate never carries it.

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::charge::{Charge, TransferData};
use crate::common::{ApiError, Expandable, HasId};
use crate::customer::Customer;
use crate::shared::{Metadata, Shipping};
use crate::string_enum::string_enum;

/// A payment intent: the lifecycle of one payment, possibly over several charges.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "object", rename = "payment_intent", default)]
pub struct PaymentIntent {
    /// The payment intent id (`pi_...`).
    pub id: String,
    /// The amount intended to be collected, in minor units.
    pub amount: i64,
    /// The amount that can still be captured.
    pub amount_capturable: i64,
    /// The amount received.
    pub amount_received: i64,
    /// The Connect application that created it.
    pub application: Option<Expandable<serde_json::Value>>,
    /// The application fee amount requested.
    pub application_fee_amount: Option<i64>,
    /// When it was canceled (unix seconds).
    pub canceled_at: Option<i64>,
    /// Why it was canceled.
    pub cancellation_reason: Option<CancellationReason>,
    /// How funds are captured.
    pub capture_method: Option<CaptureMethod>,
    /// How it is confirmed.
    pub confirmation_method: Option<ConfirmationMethod>,
    /// When it was created (unix seconds).
    pub created: i64,
    /// The currency (lowercase code).
    pub currency: String,
    /// The customer, if any.
    pub customer: Option<Expandable<Customer>>,
    /// The v2 customer account id, if any.
    pub customer_account: Option<String>,
    /// An arbitrary description.
    pub description: Option<String>,
    /// The error of the last failed attempt.
    pub last_payment_error: Option<ApiError>,
    /// The latest charge created for it.
    pub latest_charge: Option<Expandable<Charge>>,
    /// Whether this is live-mode data.
    pub livemode: bool,
    /// Your own key-value pairs.
    pub metadata: Metadata,
    /// The account the funds are settled for.
    pub on_behalf_of: Option<Expandable<Account>>,
    /// The payment method attached.
    pub payment_method: Option<Expandable<serde_json::Value>>,
    /// The payment method types it may use.
    pub payment_method_types: Vec<String>,
    /// Where the receipt is sent.
    pub receipt_email: Option<String>,
    /// The Radar review, if any.
    pub review: Option<Expandable<serde_json::Value>>,
    /// `off_session` or `on_session` when the method is saved for later.
    pub setup_future_usage: Option<String>,
    /// Shipping details.
    pub shipping: Option<Shipping>,
    /// The statement descriptor.
    pub statement_descriptor: Option<String>,
    /// The statement descriptor suffix.
    pub statement_descriptor_suffix: Option<String>,
    /// The status.
    pub status: PaymentIntentStatus,
    /// Destination transfer details.
    pub transfer_data: Option<TransferData>,
    /// The transfer group.
    pub transfer_group: Option<String>,
}

string_enum! {
    /// `payment_intent.status`.
    PaymentIntentStatus {
        /// `requires_payment_method`.
        RequiresPaymentMethod = "requires_payment_method",
        /// `requires_confirmation`.
        RequiresConfirmation = "requires_confirmation",
        /// `requires_action`.
        RequiresAction = "requires_action",
        /// `processing`.
        Processing = "processing",
        /// `requires_capture`.
        RequiresCapture = "requires_capture",
        /// `canceled`.
        Canceled = "canceled",
        /// `succeeded`.
        Succeeded = "succeeded",
    }
}

string_enum! {
    /// `payment_intent.cancellation_reason`.
    CancellationReason {
        /// `abandoned`.
        Abandoned = "abandoned",
        /// `automatic`.
        Automatic = "automatic",
        /// `duplicate`.
        Duplicate = "duplicate",
        /// `expired`.
        Expired = "expired",
        /// `failed_invoice`.
        FailedInvoice = "failed_invoice",
        /// `fraudulent`.
        Fraudulent = "fraudulent",
        /// `requested_by_customer`.
        RequestedByCustomer = "requested_by_customer",
        /// `void_invoice`.
        VoidInvoice = "void_invoice",
    }
}

string_enum! {
    /// `payment_intent.capture_method`.
    CaptureMethod {
        /// `automatic`.
        Automatic = "automatic",
        /// `automatic_async`.
        AutomaticAsync = "automatic_async",
        /// `manual`.
        Manual = "manual",
    }
}

string_enum! {
    /// `payment_intent.confirmation_method`.
    ConfirmationMethod {
        /// `automatic`.
        Automatic = "automatic",
        /// `manual`.
        Manual = "manual",
    }
}

impl HasId for PaymentIntent {
    fn id(&self) -> &str {
        &self.id
    }
}
