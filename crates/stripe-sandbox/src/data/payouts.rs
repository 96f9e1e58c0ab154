//! Generated payouts, each paying out the net of [`PAYOUT_WINDOW`](super::PAYOUT_WINDOW)
//! charge slots.

use super::balance_transactions::{BT_DISPUTE_REVERSAL, BT_PAYOUT, BT_PAYOUT_FAILURE};
use super::{Merchant, Resource, BT_PER_CHARGE, DAY, PAYOUT_WINDOW};
use crate::ids::{hash, Slot};
use stripe_wire as stripe;

impl Merchant {
    /// What payout `payout` pays: the net of charge slots `payout*W+1 ..= (payout+1)*W`,
    /// `None` when that is not positive (no payout then).
    pub(super) fn payout_amount(&self, payout: u64) -> Option<i64> {
        let first = payout * PAYOUT_WINDOW + 1;
        let last = ((payout + 1) * PAYOUT_WINDOW).min(self.size.saturating_sub(1));
        let total: i64 = (first..=last).map(|index| self.slot_net(index)).sum();
        (total > 0).then_some(total)
    }

    pub(super) fn payout_failed(&self, payout: u64) -> bool {
        self.h(Resource::Payouts, payout, 0xFA) % 100 < 8
    }

    /// Payout `index`, if its window has a positive net.
    pub(crate) fn payout(&self, index: u64) -> Option<stripe::Payout> {
        if index >= self.len(Resource::Payouts) {
            return None;
        }
        let amount = self.payout_amount(index)?;
        let failed = self.payout_failed(index);
        let created = self.created_at(Resource::Payouts, index);
        let charge_slot = index * PAYOUT_WINDOW;
        Some(stripe::Payout {
            id: self.generated_id(Resource::Payouts, index),
            amount,
            arrival_date: created + 2 * DAY,
            automatic: true,
            balance_transaction: Some(stripe::Expandable::Id(self.generated_id(
                Resource::BalanceTransactions,
                charge_slot * BT_PER_CHARGE + BT_PAYOUT,
            ))),
            created,
            currency: self.currency.to_owned(),
            description: Some("STRIPE PAYOUT".to_owned()),
            destination: Some(stripe::Expandable::Id(format!(
                "ba_{}",
                crate::ids::token(hash(&[self.seed, self.number, 0xBA]), 24)
            ))),
            failure_balance_transaction: failed.then(|| {
                stripe::Expandable::Id(self.generated_id(
                    Resource::BalanceTransactions,
                    charge_slot * BT_PER_CHARGE + BT_PAYOUT_FAILURE,
                ))
            }),
            failure_code: failed.then(|| "account_closed".to_owned()),
            failure_message: failed.then(|| "The bank account has been closed.".to_owned()),
            livemode: self.livemode(),
            metadata: Some(stripe::Metadata::new()),
            method: stripe::PayoutMethod::Standard,
            reconciliation_status: Some(stripe::ReconciliationStatus::Completed),
            source_type: Some("card".to_owned()),
            statement_descriptor: None,
            status: if failed {
                stripe::PayoutStatus::Failed
            } else {
                stripe::PayoutStatus::Paid
            },
            payout_type: stripe::PayoutType::BankAccount,
            ..Default::default()
        })
    }

    /// The payout whose amount includes balance transaction `id`, if any.
    pub(crate) fn paid_out_by(&self, id: &str) -> Option<Slot> {
        let Slot::Generated(slot) = self.locate(Resource::BalanceTransactions, id)? else {
            return None;
        };
        let (index, kind) = (slot / BT_PER_CHARGE, slot % BT_PER_CHARGE);
        if index == 0 || kind < BT_DISPUTE_REVERSAL {
            return None;
        }
        let payout = (index - 1) / PAYOUT_WINDOW;
        self.payout_amount(payout).map(|_| Slot::Generated(payout))
    }
}
