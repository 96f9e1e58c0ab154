//! Generated events (a snapshot of an object as it was created) and events about changes.

use super::{Merchant, Resource, PAYOUT_WINDOW};
use stripe_wire as stripe;

/// The API version the sandbox renders events in.
pub(crate) const API_VERSION: &str = "2026-06-24.dahlia";

impl Merchant {
    /// Event `index`: a snapshot of a generated object as it was created.
    pub(crate) fn event(&self, index: u64) -> Option<stripe::Event> {
        if index >= self.size {
            return None;
        }
        let created = self.created_at(Resource::Events, index);
        let roll = self.h(Resource::Events, index, 1);
        let wanted = match roll % 9 {
            0 => Resource::Products,
            1 => Resource::Prices,
            2 => Resource::PaymentIntents,
            3 | 4 => Resource::Charges,
            5 => Resource::Refunds,
            6 => Resource::Disputes,
            7 => Resource::Payouts,
            _ => Resource::Customers,
        };
        let near = |resource: Resource| {
            // The newest slot created at or before the event.
            let lattice = match resource {
                Resource::Prices => Resource::Products,
                Resource::Payouts => Resource::Payouts,
                other => other,
            };
            let spacing = self.spacing
                * if lattice == Resource::Payouts {
                    PAYOUT_WINDOW as i64
                } else {
                    1
                };
            let steps = u64::try_from((self.start - created) / spacing.max(1)).unwrap_or(0);
            let base = steps.saturating_sub(1);
            let scale = if resource == Resource::Prices { 3 } else { 1 };
            (base * scale..base * scale + 8 * scale).find(|slot| {
                self.created_at(resource, *slot) <= created && self.exists(resource, *slot)
            })
        };
        let (object, event_type) = match near(wanted)
            .map(|slot| (wanted, slot))
            .or_else(|| near(Resource::Customers).map(|slot| (Resource::Customers, slot)))
        {
            Some((Resource::Products, slot)) => (
                stripe::EventObject::Product(Box::new(self.product(slot)?)),
                "product.created".to_owned(),
            ),
            Some((Resource::Prices, slot)) => (
                stripe::EventObject::Price(Box::new(self.price(slot, false)?)),
                "price.created".to_owned(),
            ),
            Some((Resource::PaymentIntents, slot)) => {
                let intent = self.payment_intent(slot)?;
                let kind = match intent.status {
                    stripe::PaymentIntentStatus::Succeeded => "payment_intent.succeeded",
                    stripe::PaymentIntentStatus::Canceled => "payment_intent.canceled",
                    stripe::PaymentIntentStatus::Processing => "payment_intent.processing",
                    stripe::PaymentIntentStatus::RequiresCapture => {
                        "payment_intent.amount_capturable_updated"
                    }
                    _ if intent.last_payment_error.is_some() => "payment_intent.payment_failed",
                    _ => "payment_intent.created",
                };
                (
                    stripe::EventObject::PaymentIntent(Box::new(intent)),
                    kind.to_owned(),
                )
            }
            Some((Resource::Charges, slot)) => {
                let charge = self.charge(slot)?;
                let kind = match (&charge.status, charge.refunded) {
                    (_, true) => "charge.refunded",
                    (stripe::ChargeStatus::Failed, _) => "charge.failed",
                    (stripe::ChargeStatus::Pending, _) => "charge.pending",
                    _ => "charge.succeeded",
                };
                (
                    stripe::EventObject::Charge(Box::new(charge)),
                    kind.to_owned(),
                )
            }
            Some((Resource::Refunds, slot)) => (
                stripe::EventObject::Refund(Box::new(self.refund(slot)?)),
                "refund.created".to_owned(),
            ),
            Some((Resource::Disputes, slot)) => (
                stripe::EventObject::Dispute(Box::new(self.dispute(slot)?)),
                "charge.dispute.created".to_owned(),
            ),
            Some((Resource::Payouts, slot)) => {
                let payout = self.payout(slot)?;
                let kind = if payout.status == stripe::PayoutStatus::Failed {
                    "payout.failed"
                } else {
                    "payout.paid"
                };
                (
                    stripe::EventObject::Payout(Box::new(payout)),
                    kind.to_owned(),
                )
            }
            Some((_, slot)) => (
                stripe::EventObject::Customer(Box::new(self.customer(slot)?)),
                "customer.created".to_owned(),
            ),
            None => return None,
        };
        Some(self.make_event(
            self.generated_id(Resource::Events, index),
            created,
            event_type,
            object,
            None,
        ))
    }

    /// Builds an event about this account.
    pub(crate) fn make_event(
        &self,
        id: String,
        created: i64,
        event_type: String,
        object: stripe::EventObject,
        previous_attributes: Option<serde_json::Value>,
    ) -> stripe::Event {
        stripe::Event {
            id,
            account: Some(self.account_id.clone()),
            api_version: Some(API_VERSION.to_owned()),
            created,
            data: stripe::EventData {
                object,
                previous_attributes,
            },
            livemode: self.livemode(),
            pending_webhooks: 0,
            request: Some(stripe::EventRequest {
                id: None,
                idempotency_key: None,
            }),
            event_type,
            ..Default::default()
        }
    }
}
