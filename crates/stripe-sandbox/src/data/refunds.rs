//! Generated refunds (of charge `i`).

use super::balance_transactions::{BT_REFUND, BT_REFUND_FAILURE};
use super::money::round_minor;
use super::payment_intents::{After, Fate};
use super::{Merchant, Resource, BT_PER_CHARGE};
use stripe_wire as stripe;

impl Merchant {
    pub(super) fn refund_amount(&self, index: u64, after: After) -> i64 {
        let currency = self.payment_currency(index);
        let amount = self.payment_amount(index, currency);
        if after == After::PartialRefund {
            let share = 20 + self.h(Resource::Refunds, index, 0x5) % 60;
            round_minor(amount as f64 * share as f64 / 100.0, currency).max(1)
        } else {
            amount
        }
    }

    /// Refund `index` (of charge `index`), if that charge was refunded.
    pub(crate) fn refund(&self, index: u64) -> Option<stripe::Refund> {
        if index >= self.size {
            return None;
        }
        let Fate::Succeeded(
            after @ (After::FullRefund | After::PartialRefund | After::FailedRefund),
        ) = self.fate(index)
        else {
            return None;
        };
        let roll = self.h(Resource::Refunds, index, 1);
        let failed = after == After::FailedRefund;
        Some(stripe::Refund {
            id: self.generated_id(Resource::Refunds, index),
            amount: self.refund_amount(index, after),
            balance_transaction: Some(stripe::Expandable::Id(self.generated_id(
                Resource::BalanceTransactions,
                index * BT_PER_CHARGE + BT_REFUND,
            ))),
            charge: Some(stripe::Expandable::Id(
                self.generated_id(Resource::Charges, index),
            )),
            created: self.created_at(Resource::Refunds, index),
            currency: self.payment_currency(index).to_owned(),
            failure_balance_transaction: failed.then(|| {
                stripe::Expandable::Id(self.generated_id(
                    Resource::BalanceTransactions,
                    index * BT_PER_CHARGE + BT_REFUND_FAILURE,
                ))
            }),
            failure_reason: failed.then_some(stripe::RefundFailureReason::ExpiredOrCanceledCard),
            metadata: Some(stripe::Metadata::new()),
            payment_intent: Some(stripe::Expandable::Id(
                self.generated_id(Resource::PaymentIntents, index),
            )),
            reason: Some(match roll % 3 {
                0 => stripe::RefundReason::Duplicate,
                1 => stripe::RefundReason::Fraudulent,
                _ => stripe::RefundReason::RequestedByCustomer,
            }),
            status: Some(if failed {
                stripe::RefundStatus::Failed
            } else {
                stripe::RefundStatus::Succeeded
            }),
            ..Default::default()
        })
    }
}
