//! Codat `Dispute` ("Commerce: Dispute").

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::codat_enum::codat_enum;
use crate::shared::TransactionSourceRef;
use crate::Timestamp;

/// A dispute (chargeback or inquiry) raised against a payment.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Dispute {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// The transactions under dispute.
    pub disputed_transactions: Option<Vec<TransactionSourceRef>>,
    /// Amount under dispute.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub total_amount: Option<Decimal>,
    /// Currency (ISO 4217); required by Codat.
    pub currency: String,
    /// Where the dispute stands.
    pub status: Option<DisputeStatus>,
    /// Reason, free text (platforms pass their own codes, e.g. `fraudulent`).
    pub reason: Option<String>,
    /// When the next action is due.
    pub due_date: Option<Timestamp>,
    /// When the dispute was created.
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}

codat_enum! {
    /// Codat `disputeStatus`.
    pub enum DisputeStatus {
        /// Decided in the merchant's favour.
        Won,
        /// Decided against the merchant.
        Lost,
        /// The merchant accepted the dispute.
        Accepted,
        /// Evidence submitted; under review.
        Processing,
        /// The charge was refunded.
        ChargeRefunded,
        /// The merchant must submit evidence.
        EvidenceRequired,
        /// An inquiry needs evidence.
        InquiryEvidenceRequired,
        /// An inquiry is under review.
        InquiryProcessing,
        /// An inquiry was closed.
        InquiryClosed,
        /// Waiting on a third party.
        WaitingThirdParty,
    }
}
