//! Disputes from Stripe `Dispute`s.

use commerce_model as commerce;
use stripe_wire as stripe;

use crate::address::non_empty;
use crate::date::timestamp;
use crate::error::MapError;
use crate::money::CurrencyCode;
use crate::require_id;

/// Maps a Stripe dispute. Its currency is required (Codat requires it, and the amount needs it).
pub fn map_dispute(dispute: &stripe::Dispute) -> Result<commerce::Dispute, MapError> {
    let id = require_id("dispute", &dispute.id)?;
    let currency = CurrencyCode::require(Some(&dispute.currency), "dispute", id, "currency")?;
    let charge_id = dispute.charge.id();
    let disputed_transactions = (!charge_id.is_empty()).then(|| {
        vec![commerce::TransactionSourceRef {
            id: charge_id.to_owned(),
            source_type: commerce::TransactionSourceType::Payment,
        }]
    });
    let due_by = dispute
        .evidence_details
        .as_ref()
        .and_then(|details| details.due_by);
    Ok(commerce::Dispute {
        id: id.to_owned(),
        disputed_transactions,
        total_amount: Some(currency.major(dispute.amount)),
        currency: currency.as_str().to_owned(),
        status: Some(dispute_status(dispute.status.as_str())),
        reason: non_empty(Some(dispute.reason.as_str())),
        due_date: timestamp(due_by, "dispute", id, "evidence_details.due_by")?,
        created_date: timestamp(Some(dispute.created), "dispute", id, "created")?,
        ..Default::default()
    })
}

/// Stripe's dispute status into Codat's; `prevented` and values Stripe adds later are `Unknown`.
pub(crate) fn dispute_status(status: &str) -> commerce::DisputeStatus {
    use commerce::DisputeStatus as Status;
    match status {
        "warning_needs_response" => Status::InquiryEvidenceRequired,
        "warning_under_review" => Status::InquiryProcessing,
        "warning_closed" => Status::InquiryClosed,
        "needs_response" => Status::EvidenceRequired,
        "under_review" => Status::Processing,
        "charge_refunded" => Status::ChargeRefunded,
        "won" => Status::Won,
        "lost" => Status::Lost,
        _ => Status::unknown(),
    }
}
