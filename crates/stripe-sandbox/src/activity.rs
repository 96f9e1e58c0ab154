//! Activity after start: new charges and customers, refunds, dispute status changes, product
//! edits and deletions, and Connect (de)authorizations. Each change is written to the
//! account's overlay together with the events Stripe would emit, and those events are sent to
//! the webhook URL when one is configured.

use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use stripe_wire as stripe;

use crate::data::{convert, dispute_fee, exponent, Merchant, Overlays, Resource};
use crate::error::SandboxError;
use crate::ids::{hash, Slot};
use crate::list::Overlay;
use crate::state::{lock, State};

/// A change to a merchant's data, as a person or Stripe would make it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Activity {
    /// A successful, captured card payment: a payment intent, its charge and balance transaction.
    NewCharge {
        /// Amount in minor units of `currency`.
        amount: i64,
        /// Lowercase currency; the account's currency when absent.
        #[serde(default)]
        currency: Option<String>,
        /// The paying customer's id, if any.
        #[serde(default)]
        customer: Option<String>,
    },
    /// A new customer.
    NewCustomer {
        /// The customer's name.
        name: String,
        /// The customer's email.
        #[serde(default)]
        email: Option<String>,
    },
    /// A refund of a captured charge (the rest of it when `amount` is absent).
    Refund {
        /// The charge id.
        charge: String,
        /// Amount in minor units of the charge's currency.
        #[serde(default)]
        amount: Option<i64>,
    },
    /// A dispute moves to another status (e.g. `under_review`, `won`, `lost`).
    DisputeStatus {
        /// The dispute id.
        dispute: String,
        /// The new status.
        status: String,
    },
    /// A product is edited.
    UpdateProduct {
        /// The product id.
        product: String,
        /// A new name.
        #[serde(default)]
        name: Option<String>,
        /// A new active flag.
        #[serde(default)]
        active: Option<bool>,
    },
    /// A customer is deleted.
    DeleteCustomer {
        /// The customer id.
        customer: String,
    },
    /// A product is deleted.
    DeleteProduct {
        /// The product id.
        product: String,
    },
}

/// What an activity created or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ActivityOutcome {
    /// The id of the main object created or changed.
    pub object_id: String,
    /// The ids of the events emitted, in order.
    pub event_ids: Vec<String>,
}

/// The current version of an object: overlay first, then the generator.
fn current<T: Clone>(
    overlay: &Overlay<T>,
    slot: Slot,
    build: impl Fn(u64) -> Option<T>,
) -> Option<T> {
    if overlay.deleted.contains(&slot) {
        return None;
    }
    match slot {
        Slot::Added(index) => usize::try_from(index)
            .ok()
            .and_then(|index| overlay.added.get(index))
            .cloned(),
        Slot::Generated(index) => overlay
            .modified
            .get(&slot)
            .cloned()
            .or_else(|| build(index)),
    }
}

fn unknown(object: &'static str, id: &str) -> SandboxError {
    SandboxError::UnknownObject {
        object,
        id: id.to_owned(),
    }
}

fn invalid(reason: impl Into<String>) -> SandboxError {
    SandboxError::InvalidActivity {
        reason: reason.into(),
    }
}

struct Recorder<'a> {
    merchant: &'a Merchant,
    time: i64,
    events: Vec<stripe::Event>,
}

impl Recorder<'_> {
    fn event(
        &mut self,
        overlays: &mut Overlays,
        event_type: &str,
        object: stripe::EventObject,
        previous: Option<serde_json::Value>,
    ) {
        let slot = Slot::Added(overlays.events.added.len() as u64);
        let id = self.merchant.id(Resource::Events, slot);
        let event =
            self.merchant
                .make_event(id, self.time, event_type.to_owned(), object, previous);
        overlays.events.add(event.clone());
        self.events.push(event);
    }

    fn transaction(
        &self,
        overlays: &mut Overlays,
        amount: i64,
        fee: i64,
        kind: stripe::BalanceTransactionType,
        category: &str,
        source: &str,
    ) -> String {
        let slot = Slot::Added(overlays.balance_transactions.added.len() as u64);
        let id = self.merchant.id(Resource::BalanceTransactions, slot);
        let fee_details = if fee == 0 {
            Vec::new()
        } else {
            vec![stripe::FeeDetail {
                amount: fee,
                currency: self.merchant.currency.to_owned(),
                description: Some("Stripe processing fees".to_owned()),
                fee_type: stripe::FeeType::StripeFee,
                ..Default::default()
            }]
        };
        overlays
            .balance_transactions
            .add(stripe::BalanceTransaction {
                id: id.clone(),
                amount,
                available_on: self.time + 2 * 86_400,
                balance_type: Some(stripe::BalanceType::Payments),
                created: self.time,
                currency: self.merchant.currency.to_owned(),
                fee,
                fee_details,
                net: amount - fee,
                reporting_category: category.to_owned(),
                source: Some(stripe::Expandable::Id(source.to_owned())),
                status: stripe::BalanceTransactionStatus::Pending,
                transaction_type: kind,
                ..Default::default()
            });
        id
    }
}

/// Applies `activity` to account `account_id`, returning what changed.
pub(crate) fn apply(
    state: &State,
    account_id: &str,
    activity: Activity,
) -> Result<ActivityOutcome, SandboxError> {
    let account = state.account(account_id)?;
    let merchant = &account.merchant;
    let mut overlays = merchant
        .overlay
        .write()
        .map_err(|_| SandboxError::Poisoned)?;
    let mut recorder = Recorder {
        merchant,
        time: state.clock.activity_time(),
        events: Vec::new(),
    };
    let result = apply_locked(merchant, &mut overlays, &mut recorder, activity);
    merchant.version.fetch_add(1, Ordering::SeqCst);
    drop(overlays);
    let object_id = result?;
    let event_ids = recorder
        .events
        .iter()
        .map(|event| event.id.clone())
        .collect();
    deliver(state, &recorder.events);
    Ok(ActivityOutcome {
        object_id,
        event_ids,
    })
}

fn apply_locked(
    merchant: &Merchant,
    overlays: &mut Overlays,
    recorder: &mut Recorder<'_>,
    activity: Activity,
) -> Result<String, SandboxError> {
    let time = recorder.time;
    match activity {
        Activity::NewCharge {
            amount,
            currency,
            customer,
        } => {
            let currency = currency
                .unwrap_or_else(|| merchant.currency.to_owned())
                .to_lowercase();
            if amount <= 0 {
                return Err(invalid("amount must be positive"));
            }
            if let Some(customer) = &customer {
                let slot = merchant
                    .locate(Resource::Customers, customer)
                    .ok_or_else(|| unknown("customer", customer))?;
                current(&overlays.customers, slot, |index| merchant.customer(index))
                    .ok_or_else(|| unknown("customer", customer))?;
            }
            if currency != merchant.currency {
                return Err(invalid(format!(
                    "new charges are settled without conversion: use {}",
                    merchant.currency
                )));
            }
            let intent_id = merchant.id(
                Resource::PaymentIntents,
                Slot::Added(overlays.payment_intents.added.len() as u64),
            );
            let charge_id = merchant.id(
                Resource::Charges,
                Slot::Added(overlays.charges.added.len() as u64),
            );
            let fixed = match exponent(&currency) {
                0 => 40,
                3 => 100,
                _ => 30,
            };
            let fee = amount * 29 / 1000 + fixed;
            let transaction = recorder.transaction(
                overlays,
                amount,
                fee,
                stripe::BalanceTransactionType::Charge,
                "charge",
                &charge_id,
            );
            let customer = customer.map(stripe::Expandable::Id);
            let intent = stripe::PaymentIntent {
                id: intent_id.clone(),
                amount,
                amount_received: amount,
                capture_method: Some(stripe::CaptureMethod::Automatic),
                confirmation_method: Some(stripe::ConfirmationMethod::Automatic),
                created: time,
                currency: currency.clone(),
                customer: customer.clone(),
                latest_charge: Some(stripe::Expandable::Id(charge_id.clone())),
                livemode: merchant.mode.is_live(),
                payment_method_types: vec!["card".to_owned()],
                status: stripe::PaymentIntentStatus::Succeeded,
                ..Default::default()
            };
            let charge = stripe::Charge {
                id: charge_id.clone(),
                amount,
                amount_captured: amount,
                balance_transaction: Some(stripe::Expandable::Id(transaction)),
                captured: true,
                created: time,
                currency,
                customer,
                livemode: merchant.mode.is_live(),
                outcome: Some(stripe::ChargeOutcome {
                    network_status: Some("approved_by_network".to_owned()),
                    seller_message: Some("Payment complete.".to_owned()),
                    outcome_type: Some(stripe::OutcomeType::Authorized),
                    ..Default::default()
                }),
                paid: true,
                payment_intent: Some(stripe::Expandable::Id(intent_id)),
                payment_method_details: Some(stripe::PaymentMethodDetails {
                    method_type: "card".to_owned(),
                    ..Default::default()
                }),
                status: stripe::ChargeStatus::Succeeded,
                ..Default::default()
            };
            overlays.payment_intents.add(intent.clone());
            overlays.charges.add(charge.clone());
            recorder.event(
                overlays,
                "payment_intent.succeeded",
                stripe::EventObject::PaymentIntent(Box::new(intent)),
                None,
            );
            recorder.event(
                overlays,
                "charge.succeeded",
                stripe::EventObject::Charge(Box::new(charge)),
                None,
            );
            Ok(charge_id)
        }
        Activity::NewCustomer { name, email } => {
            let id = merchant.id(
                Resource::Customers,
                Slot::Added(overlays.customers.added.len() as u64),
            );
            let customer = stripe::Customer {
                id: id.clone(),
                created: time,
                email,
                livemode: merchant.mode.is_live(),
                name: Some(name),
                preferred_locales: Some(Vec::new()),
                tax_exempt: Some(stripe::TaxExempt::None),
                ..Default::default()
            };
            overlays.customers.add(customer.clone());
            recorder.event(
                overlays,
                "customer.created",
                stripe::EventObject::Customer(Box::new(customer)),
                None,
            );
            Ok(id)
        }
        Activity::Refund {
            charge: charge_id,
            amount,
        } => {
            let slot = merchant
                .locate(Resource::Charges, &charge_id)
                .ok_or_else(|| unknown("charge", &charge_id))?;
            let mut charge = current(&overlays.charges, slot, |index| merchant.charge(index))
                .ok_or_else(|| unknown("charge", &charge_id))?;
            if !charge.captured || charge.status != stripe::ChargeStatus::Succeeded {
                return Err(invalid(format!(
                    "charge {charge_id} is not a captured, successful charge"
                )));
            }
            let refundable = charge.amount - charge.amount_refunded;
            let amount = amount.unwrap_or(refundable);
            if amount <= 0 || amount > refundable {
                return Err(invalid(format!(
                    "refund amount must be between 1 and {refundable}"
                )));
            }
            let refund_id = merchant.id(
                Resource::Refunds,
                Slot::Added(overlays.refunds.added.len() as u64),
            );
            let (settled, _) = convert(amount, &charge.currency, merchant.currency);
            let transaction = recorder.transaction(
                overlays,
                -settled,
                0,
                stripe::BalanceTransactionType::Refund,
                "refund",
                &refund_id,
            );
            let refund = stripe::Refund {
                id: refund_id.clone(),
                amount,
                balance_transaction: Some(stripe::Expandable::Id(transaction)),
                charge: Some(stripe::Expandable::Id(charge_id.clone())),
                created: time,
                currency: charge.currency.clone(),
                metadata: Some(stripe::Metadata::new()),
                payment_intent: charge.payment_intent.clone(),
                reason: Some(stripe::RefundReason::RequestedByCustomer),
                status: Some(stripe::RefundStatus::Succeeded),
                ..Default::default()
            };
            let previous = serde_json::json!({ "amount_refunded": charge.amount_refunded, "refunded": charge.refunded });
            charge.amount_refunded += amount;
            charge.refunded = charge.amount_refunded == charge.amount;
            overlays.refunds.add(refund.clone());
            overlays.charges.replace(slot, charge.clone());
            recorder.event(
                overlays,
                "refund.created",
                stripe::EventObject::Refund(Box::new(refund)),
                None,
            );
            recorder.event(
                overlays,
                "charge.refunded",
                stripe::EventObject::Charge(Box::new(charge)),
                Some(previous),
            );
            Ok(refund_id)
        }
        Activity::DisputeStatus {
            dispute: dispute_id,
            status,
        } => {
            let slot = merchant
                .locate(Resource::Disputes, &dispute_id)
                .ok_or_else(|| unknown("dispute", &dispute_id))?;
            let mut dispute = current(&overlays.disputes, slot, |index| merchant.dispute(index))
                .ok_or_else(|| unknown("dispute", &dispute_id))?;
            let new_status = stripe::DisputeStatus::from(status.as_str());
            if matches!(new_status, stripe::DisputeStatus::Unknown(_)) {
                return Err(invalid(format!("unknown dispute status {status}")));
            }
            let old = dispute.status.as_str().to_owned();
            let (amount, _) = convert(dispute.amount, &dispute.currency, merchant.currency);
            let mut extra_events = Vec::new();
            if Merchant::dispute_withdraws(&status) && !Merchant::dispute_withdraws(&old) {
                let fee = dispute_fee(merchant.currency);
                recorder.transaction(
                    overlays,
                    -amount,
                    fee,
                    stripe::BalanceTransactionType::Adjustment,
                    "dispute",
                    &dispute_id,
                );
                if let Some(created) = overlays.balance_transactions.added.last().cloned() {
                    dispute.balance_transactions.push(created);
                }
                extra_events.push("charge.dispute.funds_withdrawn");
            }
            if status == "won" && old != "won" {
                recorder.transaction(
                    overlays,
                    amount,
                    0,
                    stripe::BalanceTransactionType::Adjustment,
                    "dispute_reversal",
                    &dispute_id,
                );
                if let Some(created) = overlays.balance_transactions.added.last().cloned() {
                    dispute.balance_transactions.push(created);
                }
                extra_events.push("charge.dispute.funds_reinstated");
            }
            dispute.status = new_status;
            dispute.is_charge_refundable = !Merchant::dispute_withdraws(&status);
            overlays.disputes.replace(slot, dispute.clone());
            let closed = matches!(status.as_str(), "won" | "lost" | "warning_closed");
            let previous = serde_json::json!({ "status": old });
            recorder.event(
                overlays,
                if closed {
                    "charge.dispute.closed"
                } else {
                    "charge.dispute.updated"
                },
                stripe::EventObject::Dispute(Box::new(dispute.clone())),
                Some(previous),
            );
            for event_type in extra_events {
                recorder.event(
                    overlays,
                    event_type,
                    stripe::EventObject::Dispute(Box::new(dispute.clone())),
                    None,
                );
            }
            Ok(dispute_id)
        }
        Activity::UpdateProduct {
            product: product_id,
            name,
            active,
        } => {
            let slot = merchant
                .locate(Resource::Products, &product_id)
                .ok_or_else(|| unknown("product", &product_id))?;
            let mut product = current(&overlays.products, slot, |index| merchant.product(index))
                .ok_or_else(|| unknown("product", &product_id))?;
            let mut previous = serde_json::Map::new();
            if let Some(name) = name {
                previous.insert(
                    "name".to_owned(),
                    serde_json::Value::from(product.name.clone()),
                );
                product.name = name;
            }
            if let Some(active) = active {
                previous.insert("active".to_owned(), serde_json::Value::from(product.active));
                product.active = active;
            }
            previous.insert(
                "updated".to_owned(),
                serde_json::Value::from(product.updated),
            );
            product.updated = time;
            overlays.products.replace(slot, product.clone());
            recorder.event(
                overlays,
                "product.updated",
                stripe::EventObject::Product(Box::new(product)),
                Some(serde_json::Value::Object(previous)),
            );
            Ok(product_id)
        }
        Activity::DeleteCustomer {
            customer: customer_id,
        } => {
            let slot = merchant
                .locate(Resource::Customers, &customer_id)
                .ok_or_else(|| unknown("customer", &customer_id))?;
            let customer = current(&overlays.customers, slot, |index| merchant.customer(index))
                .ok_or_else(|| unknown("customer", &customer_id))?;
            overlays.customers.delete(slot);
            recorder.event(
                overlays,
                "customer.deleted",
                stripe::EventObject::Customer(Box::new(customer)),
                None,
            );
            Ok(customer_id)
        }
        Activity::DeleteProduct {
            product: product_id,
        } => {
            let slot = merchant
                .locate(Resource::Products, &product_id)
                .ok_or_else(|| unknown("product", &product_id))?;
            let product = current(&overlays.products, slot, |index| merchant.product(index))
                .ok_or_else(|| unknown("product", &product_id))?;
            overlays.products.delete(slot);
            recorder.event(
                overlays,
                "product.deleted",
                stripe::EventObject::Product(Box::new(product)),
                None,
            );
            Ok(product_id)
        }
    }
}

/// A deterministic mix of activities for `account_id` (for demos and incremental-sync tests).
pub(crate) fn random(
    state: &State,
    account_id: &str,
    count: usize,
) -> Result<Vec<ActivityOutcome>, SandboxError> {
    let account = state.account(account_id)?;
    let merchant = &account.merchant;
    let mut outcomes = Vec::with_capacity(count);
    let mut attempt = 0u64;
    while outcomes.len() < count && attempt < count as u64 * 20 + 20 {
        attempt += 1;
        let roll = hash(&[
            state.config.seed,
            merchant.number,
            0xAC71,
            attempt,
            outcomes.len() as u64,
        ]);
        let pick = (roll >> 8) % merchant.size.max(1);
        let activity = match roll % 8 {
            0..=2 => Activity::NewCharge {
                amount: i64::try_from(1000 + (roll >> 16) % 20_000).unwrap_or(1000) / 10 * 10,
                currency: None,
                customer: None,
            },
            3 => Activity::NewCustomer {
                name: format!("New Customer {attempt}"),
                email: Some(format!("new{attempt}@example.com")),
            },
            4 => Activity::Refund {
                charge: merchant.id(Resource::Charges, Slot::Generated(pick)),
                amount: None,
            },
            5 => Activity::DisputeStatus {
                dispute: merchant.id(Resource::Disputes, Slot::Generated(pick)),
                status: if roll % 2 == 0 {
                    "won".to_owned()
                } else {
                    "lost".to_owned()
                },
            },
            6 => Activity::UpdateProduct {
                product: merchant.id(Resource::Products, Slot::Generated(pick)),
                name: Some(format!("Renamed product {attempt}")),
                active: None,
            },
            _ => Activity::DeleteCustomer {
                customer: merchant.id(Resource::Customers, Slot::Generated(pick)),
            },
        };
        match apply(state, account_id, activity) {
            Ok(outcome) => outcomes.push(outcome),
            Err(SandboxError::UnknownObject { .. } | SandboxError::InvalidActivity { .. }) => {
                continue
            }
            Err(error) => return Err(error),
        }
    }
    Ok(outcomes)
}

fn deliver(state: &State, events: &[stripe::Event]) {
    let Some(webhooks) = &state.webhooks else {
        return;
    };
    for event in events {
        if let Ok(body) = serde_json::to_vec(event) {
            webhooks.send(body);
        }
    }
}

fn application_event(state: &State, index: usize, event_type: &str) -> Option<stripe::Event> {
    let account = state.accounts.get(index)?;
    let platform = state.platform_account(account.merchant.mode);
    let client_id = state.keys(account.merchant.mode).client_id.clone();
    let mut overlays = platform.merchant.overlay.write().ok()?;
    let slot = Slot::Added(overlays.events.added.len() as u64);
    let id = platform.merchant.id(Resource::Events, slot);
    let application =
        serde_json::json!({ "id": client_id, "object": "application", "name": "Sandbox Platform" });
    let mut event = platform.merchant.make_event(
        id,
        state.clock.activity_time(),
        event_type.to_owned(),
        stripe::EventObject::Other(application),
        None,
    );
    event.account = Some(account.merchant.account_id.clone());
    event.livemode = account.merchant.mode.is_live();
    overlays.events.add(event.clone());
    platform.merchant.version.fetch_add(1, Ordering::SeqCst);
    Some(event)
}

/// Records `account.application.authorized` for a newly connected account.
pub(crate) fn announce_connection(state: &State, index: usize, _connected: bool) {
    if let Some(event) = application_event(state, index, "account.application.authorized") {
        deliver(state, &[event]);
    }
}

/// Disconnects account `index` from the platform: its tokens stop working, `Stripe-Account`
/// calls for it fail, and `account.application.deauthorized` is emitted.
pub(crate) fn disconnect(state: &State, index: usize) {
    let Some(account) = state.accounts.get(index) else {
        return;
    };
    if !account.connected.swap(false, Ordering::SeqCst) {
        return;
    }
    if let Ok(mut grants) = lock(&state.oauth) {
        grants
            .access_tokens
            .retain(|_, grant| grant.account != index);
        grants
            .refresh_tokens
            .retain(|_, grant| grant.account != index);
    }
    if let Some(event) = application_event(state, index, "account.application.deauthorized") {
        deliver(state, &[event]);
    }
}
