//! Generated disputes (of charge `i`).

use super::balance_transactions::{BT_DISPUTE, BT_DISPUTE_REVERSAL};
use super::payment_intents::{After, Fate};
use super::{pick, Merchant, Resource, BT_PER_CHARGE, DAY};
use stripe_wire as stripe;

pub(super) const DISPUTE_STATUSES: [&str; 8] = [
    "warning_needs_response",
    "warning_under_review",
    "warning_closed",
    "needs_response",
    "under_review",
    "won",
    "lost",
    "prevented",
];
const DISPUTE_REASONS: [&str; 6] = [
    "fraudulent",
    "product_not_received",
    "duplicate",
    "subscription_canceled",
    "product_unacceptable",
    "general",
];

impl Merchant {
    pub(super) fn dispute_status(&self, index: u64) -> Option<&'static str> {
        match self.fate(index) {
            Fate::Succeeded(After::Dispute(roll)) if index < self.size => {
                Some(pick(&DISPUTE_STATUSES, roll))
            }
            _ => None,
        }
    }

    /// Whether a dispute in `status` took the funds from the balance.
    pub(crate) fn dispute_withdraws(status: &str) -> bool {
        matches!(status, "needs_response" | "under_review" | "won" | "lost")
    }

    /// Dispute `index` (of charge `index`), if that charge was disputed.
    pub(crate) fn dispute(&self, index: u64) -> Option<stripe::Dispute> {
        let status = self.dispute_status(index)?;
        let charge = self.charge(index)?;
        let roll = self.h(Resource::Disputes, index, 1);
        let created = self.created_at(Resource::Disputes, index);
        let withdraws = Self::dispute_withdraws(status);
        let mut balance_transactions = Vec::new();
        for kind in [BT_DISPUTE, BT_DISPUTE_REVERSAL] {
            if let Some(transaction) = self.balance_transaction(index * BT_PER_CHARGE + kind) {
                balance_transactions.push(transaction);
            }
        }
        let submitted = matches!(
            status,
            "under_review" | "won" | "lost" | "warning_under_review"
        );
        Some(stripe::Dispute {
            id: self.generated_id(Resource::Disputes, index),
            amount: charge.amount,
            balance_transactions,
            charge: stripe::Expandable::Id(charge.id.clone()),
            created,
            currency: charge.currency.clone(),
            evidence: Some(stripe::DisputeEvidence {
                customer_email_address: charge.receipt_email.clone(),
                customer_name: charge
                    .billing_details
                    .as_ref()
                    .and_then(|details| details.name.clone()),
                product_description: submitted
                    .then(|| charge.description.clone().unwrap_or_default()),
                uncategorized_text: submitted
                    .then(|| "Customer signed for the delivery.".to_owned()),
                ..Default::default()
            }),
            evidence_details: Some(stripe::EvidenceDetails {
                due_by: Some(created + 7 * DAY),
                has_evidence: submitted,
                past_due: false,
                submission_count: i64::from(submitted),
            }),
            is_charge_refundable: !withdraws,
            livemode: self.livemode(),
            payment_intent: charge.payment_intent.clone(),
            payment_method_details: Some(stripe::DisputePaymentMethodDetails {
                method_type: "card".to_owned(),
            }),
            reason: stripe::DisputeReason::from(pick(&DISPUTE_REASONS, roll)),
            status: stripe::DisputeStatus::from(status),
            ..Default::default()
        })
    }
}
