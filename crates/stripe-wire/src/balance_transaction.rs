//! The Stripe `balance_transaction` object (`GET /v1/balance_transactions`) with its fee details.
//! Depends on serde only; no I/O.

use serde::{Deserialize, Serialize};

use crate::common::{Expandable, HasId};
use crate::string_enum::string_enum;

/// A movement of funds through the account balance. BalanceTransaction has no `livemode`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "object", rename = "balance_transaction", default)]
pub struct BalanceTransaction {
    /// The balance transaction id (`txn_...`).
    pub id: String,
    /// The gross amount in minor units (signed).
    pub amount: i64,
    /// When the funds become available (unix seconds).
    pub available_on: i64,
    /// Which balance it affects.
    pub balance_type: Option<BalanceType>,
    /// When it was created (unix seconds).
    pub created: i64,
    /// The currency (lowercase code).
    pub currency: String,
    /// An arbitrary description.
    pub description: Option<String>,
    /// The exchange rate used, when the source currency differed.
    pub exchange_rate: Option<f64>,
    /// The fees paid, in minor units (positive).
    pub fee: i64,
    /// The fees, one entry per fee.
    pub fee_details: Vec<FeeDetail>,
    /// `amount - fee` (signed).
    pub net: i64,
    /// The reporting category (an open string, kept as sent).
    pub reporting_category: String,
    /// The object that caused it (charge, refund, payout, transfer, ...).
    pub source: Option<Expandable<serde_json::Value>>,
    /// `available` or `pending`.
    pub status: BalanceTransactionStatus,
    /// The transaction type.
    #[serde(rename = "type")]
    pub transaction_type: BalanceTransactionType,
}

/// One of `balance_transaction.fee_details`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FeeDetail {
    /// The fee amount in minor units.
    pub amount: i64,
    /// The Connect application that earned the fee.
    pub application: Option<String>,
    /// The currency (lowercase code).
    pub currency: String,
    /// An arbitrary description.
    pub description: Option<String>,
    /// The fee type.
    #[serde(rename = "type")]
    pub fee_type: FeeType,
}

string_enum! {
    /// `balance_transaction.status`.
    BalanceTransactionStatus {
        /// `available`.
        Available = "available",
        /// `pending`.
        Pending = "pending",
    }
}

string_enum! {
    /// `balance_transaction.balance_type`.
    BalanceType {
        /// `payments`.
        Payments = "payments",
        /// `issuing`.
        Issuing = "issuing",
        /// `refund_and_dispute_prefunding`.
        RefundAndDisputePrefunding = "refund_and_dispute_prefunding",
        /// `risk_reserved`.
        RiskReserved = "risk_reserved",
    }
}

string_enum! {
    /// `fee_details[].type`.
    FeeType {
        /// `application_fee`.
        ApplicationFee = "application_fee",
        /// `payment_method_passthrough_fee`.
        PaymentMethodPassthroughFee = "payment_method_passthrough_fee",
        /// `stripe_fee`.
        StripeFee = "stripe_fee",
        /// `tax`.
        Tax = "tax",
        /// `withheld_tax`.
        WithheldTax = "withheld_tax",
    }
}

string_enum! {
    /// `balance_transaction.type` (the 2026 values).
    BalanceTransactionType {
        /// `adjustment`.
        Adjustment = "adjustment",
        /// `advance`.
        Advance = "advance",
        /// `advance_funding`.
        AdvanceFunding = "advance_funding",
        /// `anticipation_repayment`.
        AnticipationRepayment = "anticipation_repayment",
        /// `application_fee`.
        ApplicationFee = "application_fee",
        /// `application_fee_refund`.
        ApplicationFeeRefund = "application_fee_refund",
        /// `charge`.
        Charge = "charge",
        /// `climate_order_purchase`.
        ClimateOrderPurchase = "climate_order_purchase",
        /// `climate_order_refund`.
        ClimateOrderRefund = "climate_order_refund",
        /// `connect_collection_transfer`.
        ConnectCollectionTransfer = "connect_collection_transfer",
        /// `contribution`.
        Contribution = "contribution",
        /// `fee_credit_funding`.
        FeeCreditFunding = "fee_credit_funding",
        /// `inbound_transfer`.
        InboundTransfer = "inbound_transfer",
        /// `inbound_transfer_reversal`.
        InboundTransferReversal = "inbound_transfer_reversal",
        /// `issuing_authorization_hold`.
        IssuingAuthorizationHold = "issuing_authorization_hold",
        /// `issuing_authorization_release`.
        IssuingAuthorizationRelease = "issuing_authorization_release",
        /// `issuing_dispute`.
        IssuingDispute = "issuing_dispute",
        /// `issuing_transaction`.
        IssuingTransaction = "issuing_transaction",
        /// `obligation_outbound`.
        ObligationOutbound = "obligation_outbound",
        /// `obligation_reversal_inbound`.
        ObligationReversalInbound = "obligation_reversal_inbound",
        /// `payment`.
        Payment = "payment",
        /// `payment_failure_refund`.
        PaymentFailureRefund = "payment_failure_refund",
        /// `payment_network_reserve_hold`.
        PaymentNetworkReserveHold = "payment_network_reserve_hold",
        /// `payment_network_reserve_release`.
        PaymentNetworkReserveRelease = "payment_network_reserve_release",
        /// `payment_refund`.
        PaymentRefund = "payment_refund",
        /// `payment_reversal`.
        PaymentReversal = "payment_reversal",
        /// `payment_unreconciled`.
        PaymentUnreconciled = "payment_unreconciled",
        /// `payout`.
        Payout = "payout",
        /// `payout_cancel`.
        PayoutCancel = "payout_cancel",
        /// `payout_failure`.
        PayoutFailure = "payout_failure",
        /// `payout_minimum_balance_hold`.
        PayoutMinimumBalanceHold = "payout_minimum_balance_hold",
        /// `payout_minimum_balance_release`.
        PayoutMinimumBalanceRelease = "payout_minimum_balance_release",
        /// `refund`.
        Refund = "refund",
        /// `refund_failure`.
        RefundFailure = "refund_failure",
        /// `reserve_hold`.
        ReserveHold = "reserve_hold",
        /// `reserve_release`.
        ReserveRelease = "reserve_release",
        /// `reserve_transaction`.
        ReserveTransaction = "reserve_transaction",
        /// `reserved_funds`.
        ReservedFunds = "reserved_funds",
        /// `stripe_balance_payment_debit`.
        StripeBalancePaymentDebit = "stripe_balance_payment_debit",
        /// `stripe_balance_payment_debit_reversal`.
        StripeBalancePaymentDebitReversal = "stripe_balance_payment_debit_reversal",
        /// `stripe_fee`.
        StripeFee = "stripe_fee",
        /// `stripe_fx_fee`.
        StripeFxFee = "stripe_fx_fee",
        /// `tax_fee`.
        TaxFee = "tax_fee",
        /// `tax_fund`.
        TaxFund = "tax_fund",
        /// `topup`.
        Topup = "topup",
        /// `topup_reversal`.
        TopupReversal = "topup_reversal",
        /// `transfer`.
        Transfer = "transfer",
        /// `transfer_cancel`.
        TransferCancel = "transfer_cancel",
        /// `transfer_failure`.
        TransferFailure = "transfer_failure",
        /// `transfer_refund`.
        TransferRefund = "transfer_refund",
    }
}

impl HasId for BalanceTransaction {
    fn id(&self) -> &str {
        &self.id
    }
}
