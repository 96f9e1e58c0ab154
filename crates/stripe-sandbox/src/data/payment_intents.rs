//! Generated payment intents, and the fate that decides what follows each one
//! (a charge, a refund, a dispute).

use super::money::exponent;
use super::{pick, Merchant, Resource, CURRENCIES};
use stripe_wire as stripe;

/// What happens to payment intent `i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    /// No charge: the customer never paid (`requires_payment_method`) or it was canceled.
    NoCharge {
        canceled: bool,
    },
    Failed,
    Pending,
    Uncaptured,
    Released,
    Succeeded(After),
}

/// What happened after a successful charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum After {
    Nothing,
    FullRefund,
    PartialRefund,
    FailedRefund,
    Dispute(u64),
}

impl Merchant {
    pub(super) fn fate(&self, index: u64) -> Fate {
        let roll = self.h(Resource::PaymentIntents, index, 0xFA7E) % 100;
        let second = self.h(Resource::PaymentIntents, index, 0xAF7E);
        match roll {
            0..=6 => Fate::NoCharge {
                canceled: second % 2 == 0,
            },
            7..=11 => Fate::Failed,
            12..=14 => Fate::Pending,
            15..=18 => Fate::Uncaptured,
            19..=20 => Fate::Released,
            _ => Fate::Succeeded(match second % 100 {
                0..=9 => After::FullRefund,
                10..=16 => After::PartialRefund,
                17..=18 => After::FailedRefund,
                19..=26 => After::Dispute(second / 100),
                _ => After::Nothing,
            }),
        }
    }

    pub(super) fn payment_currency(&self, index: u64) -> &'static str {
        let roll = self.h(Resource::PaymentIntents, index, 0xC0);
        if roll % 5 == 0 {
            pick(&CURRENCIES, roll / 5)
        } else {
            self.currency
        }
    }

    pub(super) fn payment_amount(&self, index: u64, currency: &str) -> i64 {
        let roll = self.h(Resource::PaymentIntents, index, 0xA0);
        let major = 5 + roll % 495;
        let minor = (roll >> 20) % 100;
        match exponent(currency) {
            0 => i64::try_from(major * 150).unwrap_or(0),
            3 => i64::try_from(major / 3 * 1000 + minor * 10).unwrap_or(0),
            _ => i64::try_from(major * 100 + minor).unwrap_or(0),
        }
    }

    pub(super) fn payment_customer(&self, index: u64) -> Option<u64> {
        let roll = self.h(Resource::PaymentIntents, index, 0xCC);
        if roll % 10 < 3 || self.size == 0 {
            return None;
        }
        Some((index + (roll >> 8) % 20).min(self.size - 1))
    }

    /// Payment intent `index`.
    pub(crate) fn payment_intent(&self, index: u64) -> Option<stripe::PaymentIntent> {
        if index >= self.size {
            return None;
        }
        let fate = self.fate(index);
        let currency = self.payment_currency(index);
        let amount = self.payment_amount(index, currency);
        let created = self.created_at(Resource::PaymentIntents, index);
        let has_charge = !matches!(fate, Fate::NoCharge { .. });
        let (status, received, capturable) = match fate {
            Fate::NoCharge { canceled: true } | Fate::Released => {
                (stripe::PaymentIntentStatus::Canceled, 0, 0)
            }
            Fate::NoCharge { canceled: false } | Fate::Failed => {
                (stripe::PaymentIntentStatus::RequiresPaymentMethod, 0, 0)
            }
            Fate::Pending => (stripe::PaymentIntentStatus::Processing, 0, 0),
            Fate::Uncaptured => (stripe::PaymentIntentStatus::RequiresCapture, 0, amount),
            Fate::Succeeded(_) => (stripe::PaymentIntentStatus::Succeeded, amount, 0),
        };
        let canceled = status == stripe::PaymentIntentStatus::Canceled;
        Some(stripe::PaymentIntent {
            id: self.generated_id(Resource::PaymentIntents, index),
            amount,
            amount_capturable: capturable,
            amount_received: received,
            canceled_at: canceled.then_some(created + self.offset(1)),
            cancellation_reason: canceled.then_some(if fate == Fate::Released {
                stripe::CancellationReason::RequestedByCustomer
            } else {
                stripe::CancellationReason::Abandoned
            }),
            capture_method: Some(if matches!(fate, Fate::Uncaptured | Fate::Released) {
                stripe::CaptureMethod::Manual
            } else {
                stripe::CaptureMethod::Automatic
            }),
            confirmation_method: Some(stripe::ConfirmationMethod::Automatic),
            created,
            currency: currency.to_owned(),
            customer: self.payment_customer(index).map(|customer| {
                stripe::Expandable::Id(self.generated_id(Resource::Customers, customer))
            }),
            description: Some(format!("Order #{}", 100_000 + index)),
            last_payment_error: (fate == Fate::Failed).then(|| {
                stripe::ApiError::new(
                    "card_error",
                    Some("card_declined"),
                    "Your card was declined.",
                )
            }),
            latest_charge: has_charge
                .then(|| stripe::Expandable::Id(self.generated_id(Resource::Charges, index))),
            livemode: self.livemode(),
            payment_method: has_charge.then(|| {
                stripe::Expandable::Id(format!(
                    "pm_{}",
                    crate::ids::token(self.h(Resource::Charges, index, 0x9), 24)
                ))
            }),
            payment_method_types: vec![if fate == Fate::Pending {
                "us_bank_account".to_owned()
            } else {
                "card".to_owned()
            }],
            status,
            ..Default::default()
        })
    }
}
