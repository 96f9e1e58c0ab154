//! Generated balance transactions: [`BT_PER_CHARGE`](super::BT_PER_CHARGE) per charge
//! slot, and the sums of the generated balance.

use super::money::{convert, dispute_fee, exponent, round_minor};
use super::payment_intents::{After, Fate};
use super::{BalanceSums, Merchant, Resource, BT_PER_CHARGE, DAY, PAYOUT_WINDOW};
use stripe_wire as stripe;

// Balance transaction kinds, by offset inside a charge slot's group (newest first).
pub(super) const BT_PAYOUT_FAILURE: u64 = 0;
pub(super) const BT_PAYOUT: u64 = 1;
pub(super) const BT_DISPUTE_REVERSAL: u64 = 2;
pub(super) const BT_DISPUTE: u64 = 3;
pub(super) const BT_REFUND_FAILURE: u64 = 4;
pub(super) const BT_REFUND: u64 = 5;
pub(super) const BT_CHARGE: u64 = 6;

impl Merchant {
    fn charge_bt_amounts(
        &self,
        index: u64,
    ) -> Option<(i64, i64, Option<f64>, Vec<stripe::FeeDetail>)> {
        let currency = self.payment_currency(index);
        let amount = self.payment_amount(index, currency);
        let (settled, rate) = convert(amount, currency, self.currency);
        let mut percent = 2.9;
        if currency != self.currency {
            percent += 2.5;
        }
        let fixed = match exponent(self.currency) {
            0 => 40.0,
            3 => 100.0,
            _ => 30.0,
        };
        let stripe_fee = round_minor(settled as f64 * percent / 100.0 + fixed, self.currency);
        let mut details = vec![stripe::FeeDetail {
            amount: stripe_fee,
            currency: self.currency.to_owned(),
            description: Some("Stripe processing fees".to_owned()),
            fee_type: stripe::FeeType::StripeFee,
            ..Default::default()
        }];
        if matches!(self.currency, "gbp" | "eur") {
            details.push(stripe::FeeDetail {
                amount: round_minor(stripe_fee as f64 * 0.2, self.currency),
                currency: self.currency.to_owned(),
                description: Some("VAT".to_owned()),
                fee_type: stripe::FeeType::Tax,
                ..Default::default()
            });
        }
        let fee = details.iter().map(|detail| detail.amount).sum();
        Some((settled, fee, rate, details))
    }

    fn transaction(
        &self,
        slot: u64,
        amount: i64,
        fee: i64,
        rate: Option<f64>,
        fee_details: Vec<stripe::FeeDetail>,
    ) -> stripe::BalanceTransaction {
        let created = self.created_at(Resource::BalanceTransactions, slot);
        let available_on = created + 2 * DAY;
        stripe::BalanceTransaction {
            id: self.generated_id(Resource::BalanceTransactions, slot),
            amount,
            available_on,
            balance_type: Some(stripe::BalanceType::Payments),
            created,
            currency: self.currency.to_owned(),
            exchange_rate: rate,
            fee,
            fee_details,
            net: amount - fee,
            status: if available_on > self.start {
                stripe::BalanceTransactionStatus::Pending
            } else {
                stripe::BalanceTransactionStatus::Available
            },
            ..Default::default()
        }
    }

    /// Balance transaction `slot` (charge slot `slot / 7`, kind `slot % 7`), if it exists.
    pub(crate) fn balance_transaction(&self, slot: u64) -> Option<stripe::BalanceTransaction> {
        let (index, kind) = (slot / BT_PER_CHARGE, slot % BT_PER_CHARGE);
        if index >= self.size {
            return None;
        }
        let fate = self.fate(index);
        let source = |resource: Resource, of: u64| {
            Some(stripe::Expandable::Id(self.generated_id(resource, of)))
        };
        let mut transaction = match kind {
            BT_CHARGE => {
                let Fate::Succeeded(_) = fate else {
                    return None;
                };
                let (amount, fee, rate, details) = self.charge_bt_amounts(index)?;
                let mut transaction = self.transaction(slot, amount, fee, rate, details);
                transaction.transaction_type = stripe::BalanceTransactionType::Charge;
                transaction.reporting_category = "charge".to_owned();
                transaction.source = source(Resource::Charges, index);
                transaction.description = Some(format!("Order #{}", 100_000 + index));
                transaction
            }
            BT_REFUND | BT_REFUND_FAILURE => {
                let Fate::Succeeded(
                    after @ (After::FullRefund | After::PartialRefund | After::FailedRefund),
                ) = fate
                else {
                    return None;
                };
                if kind == BT_REFUND_FAILURE && after != After::FailedRefund {
                    return None;
                }
                let (amount, rate) = convert(
                    self.refund_amount(index, after),
                    self.payment_currency(index),
                    self.currency,
                );
                let signed = if kind == BT_REFUND { -amount } else { amount };
                let mut transaction = self.transaction(slot, signed, 0, rate, Vec::new());
                if kind == BT_REFUND {
                    transaction.transaction_type = stripe::BalanceTransactionType::Refund;
                    transaction.reporting_category = "refund".to_owned();
                    transaction.description = Some("REFUND FOR CHARGE".to_owned());
                } else {
                    transaction.transaction_type = stripe::BalanceTransactionType::RefundFailure;
                    transaction.reporting_category = "refund_failure".to_owned();
                    transaction.description = Some("REFUND FAILURE".to_owned());
                }
                transaction.source = source(Resource::Refunds, index);
                transaction
            }
            BT_DISPUTE | BT_DISPUTE_REVERSAL => {
                let status = self.dispute_status(index)?;
                if !Self::dispute_withdraws(status)
                    || (kind == BT_DISPUTE_REVERSAL && status != "won")
                {
                    return None;
                }
                let (amount, rate) = convert(
                    self.payment_amount(index, self.payment_currency(index)),
                    self.payment_currency(index),
                    self.currency,
                );
                let mut transaction = if kind == BT_DISPUTE {
                    let fee = dispute_fee(self.currency);
                    let details = vec![stripe::FeeDetail {
                        amount: fee,
                        currency: self.currency.to_owned(),
                        description: Some("Dispute fee".to_owned()),
                        fee_type: stripe::FeeType::StripeFee,
                        ..Default::default()
                    }];
                    let mut transaction = self.transaction(slot, -amount, fee, rate, details);
                    transaction.reporting_category = "dispute".to_owned();
                    transaction.description = Some("Chargeback withdrawal".to_owned());
                    transaction
                } else {
                    let mut transaction = self.transaction(slot, amount, 0, rate, Vec::new());
                    transaction.reporting_category = "dispute_reversal".to_owned();
                    transaction.description = Some("Chargeback reversal".to_owned());
                    transaction
                };
                transaction.transaction_type = stripe::BalanceTransactionType::Adjustment;
                transaction.source = source(Resource::Disputes, index);
                transaction
            }
            _ => {
                // BT_PAYOUT or BT_PAYOUT_FAILURE: only in the first charge slot of a window.
                if index % PAYOUT_WINDOW != 0 {
                    return None;
                }
                let payout = index / PAYOUT_WINDOW;
                let amount = self.payout_amount(payout)?;
                let failed = self.payout_failed(payout);
                if kind == BT_PAYOUT_FAILURE && !failed {
                    return None;
                }
                let signed = if kind == BT_PAYOUT { -amount } else { amount };
                let mut transaction = self.transaction(slot, signed, 0, None, Vec::new());
                if kind == BT_PAYOUT {
                    transaction.transaction_type = stripe::BalanceTransactionType::Payout;
                    transaction.reporting_category = "payout".to_owned();
                    transaction.description = Some("STRIPE PAYOUT".to_owned());
                } else {
                    transaction.transaction_type = stripe::BalanceTransactionType::PayoutFailure;
                    transaction.reporting_category = "payout_reversal".to_owned();
                    transaction.description = Some("Payout failure".to_owned());
                }
                transaction.source = source(Resource::Payouts, payout);
                // Payouts leave the available balance at once.
                transaction.available_on = transaction.created;
                transaction.status = stripe::BalanceTransactionStatus::Available;
                transaction
            }
        };
        if transaction.currency.is_empty() {
            transaction.currency = self.currency.to_owned();
        }
        Some(transaction)
    }

    /// The net of every non-payout balance transaction of charge slot `index`.
    pub(super) fn slot_net(&self, index: u64) -> i64 {
        (BT_DISPUTE_REVERSAL..=BT_CHARGE)
            .filter_map(|kind| self.balance_transaction(index * BT_PER_CHARGE + kind))
            .map(|transaction| transaction.net)
            .sum()
    }

    /// Sums of all generated balance transactions (computed once, O(size)).
    pub(crate) fn generated_balance(&self) -> BalanceSums {
        *self.generated_balance.get_or_init(|| {
            let mut sums = BalanceSums::default();
            for slot in 0..self.len(Resource::BalanceTransactions) {
                if let Some(transaction) = self.balance_transaction(slot) {
                    if transaction.status == stripe::BalanceTransactionStatus::Pending {
                        sums.pending += transaction.net;
                    } else {
                        sums.available += transaction.net;
                    }
                }
            }
            sums
        })
    }
}

pub(super) fn bt_offset_tenths(kind: u64) -> i64 {
    match kind {
        BT_PAYOUT_FAILURE => 8,
        BT_PAYOUT => 7,
        BT_DISPUTE_REVERSAL => 5,
        BT_DISPUTE => 4,
        BT_REFUND_FAILURE => 3,
        BT_REFUND => 2,
        _ => 0,
    }
}
