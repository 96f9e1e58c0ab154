//! The Stripe `payout` object (`GET /v1/payouts`). Depends on serde only; no I/O.

use serde::{Deserialize, Serialize};

use crate::balance_transaction::BalanceTransaction;
use crate::common::{Expandable, HasId};
use crate::shared::Metadata;
use crate::string_enum::string_enum;

/// A payout from the Stripe balance to a bank account or card.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "object", rename = "payout", default)]
pub struct Payout {
    /// The payout id (`po_...`).
    pub id: String,
    /// The amount in minor units.
    pub amount: i64,
    /// The application fee collected (Connect).
    pub application_fee: Option<Expandable<serde_json::Value>>,
    /// The application fee amount.
    pub application_fee_amount: Option<i64>,
    /// When the payout is expected to arrive (unix seconds).
    pub arrival_date: i64,
    /// Whether it was created by an automatic schedule.
    pub automatic: bool,
    /// The balance transaction that moved the funds.
    pub balance_transaction: Option<Expandable<BalanceTransaction>>,
    /// When it was created (unix seconds).
    pub created: i64,
    /// The currency (lowercase code).
    pub currency: String,
    /// An arbitrary description.
    pub description: Option<String>,
    /// The bank account or card it goes to.
    pub destination: Option<Expandable<serde_json::Value>>,
    /// The balance transaction reversing a failed payout.
    pub failure_balance_transaction: Option<Expandable<BalanceTransaction>>,
    /// The failure code.
    pub failure_code: Option<String>,
    /// The failure message.
    pub failure_message: Option<String>,
    /// Whether this is live-mode data.
    pub livemode: bool,
    /// Your own key-value pairs.
    pub metadata: Option<Metadata>,
    /// `standard` or `instant`.
    pub method: PayoutMethod,
    /// The payout this one reverses.
    pub original_payout: Option<Expandable<Payout>>,
    /// The v2 payout method id, if any.
    pub payout_method: Option<String>,
    /// Whether its balance transactions can be listed yet.
    pub reconciliation_status: Option<ReconciliationStatus>,
    /// The payout that reversed this one.
    pub reversed_by: Option<Expandable<Payout>>,
    /// The source balance (`card`, `fpx`, `bank_account`; kept as sent).
    pub source_type: Option<String>,
    /// The statement descriptor.
    pub statement_descriptor: Option<String>,
    /// The status.
    pub status: PayoutStatus,
    /// The network trace id.
    pub trace_id: Option<PayoutTraceId>,
    /// `bank_account` or `card`.
    #[serde(rename = "type")]
    pub payout_type: PayoutType,
}

/// `payout.trace_id`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PayoutTraceId {
    /// Whether the trace id is `pending`, `supported` or `unsupported` (kept as sent).
    pub status: String,
    /// The trace id, when known.
    pub value: Option<String>,
}

string_enum! {
    /// `payout.status`.
    PayoutStatus {
        /// `paid`.
        Paid = "paid",
        /// `pending`.
        Pending = "pending",
        /// `in_transit`.
        InTransit = "in_transit",
        /// `canceled`.
        Canceled = "canceled",
        /// `failed`.
        Failed = "failed",
    }
}

string_enum! {
    /// `payout.method`.
    PayoutMethod {
        /// `standard`.
        Standard = "standard",
        /// `instant`.
        Instant = "instant",
    }
}

string_enum! {
    /// `payout.type`.
    PayoutType {
        /// `bank_account`.
        BankAccount = "bank_account",
        /// `card`.
        Card = "card",
    }
}

string_enum! {
    /// `payout.reconciliation_status`.
    ReconciliationStatus {
        /// `completed`.
        Completed = "completed",
        /// `in_progress`.
        InProgress = "in_progress",
        /// `not_applicable`.
        NotApplicable = "not_applicable",
    }
}

impl HasId for Payout {
    fn id(&self) -> &str {
        &self.id
    }
}
