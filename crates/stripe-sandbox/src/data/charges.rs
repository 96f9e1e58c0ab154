//! Generated charges: the facts a charge is made of and the typed `stripe-wire` object.

use super::balance_transactions::BT_CHARGE;
use super::payment_intents::{After, Fate};
use super::{pick, Merchant, Resource, BT_PER_CHARGE, COUNTRIES};
use stripe_wire as stripe;

/// The seller message of a declined charge.
pub(super) const CHARGE_DECLINE_MESSAGE: &str =
    "The bank did not return any further details with this decline.";

/// The values a generated charge is made of (see [`Merchant::charge_facts`]).
#[derive(Debug, Clone)]
pub(crate) struct ChargeFacts {
    pub(crate) status: stripe::ChargeStatus,
    pub(crate) captured: bool,
    pub(crate) paid: bool,
    pub(crate) amount: i64,
    pub(crate) amount_refunded: i64,
    pub(crate) refunded: bool,
    pub(crate) disputed: bool,
    pub(crate) currency: &'static str,
    pub(crate) created: i64,
    /// The customer's index, if the payment has a customer.
    pub(crate) customer: Option<u64>,
    /// The index the billing name and email are made from.
    pub(crate) holder: u64,
    pub(crate) first: &'static str,
    pub(crate) last: &'static str,
    /// The roll of the customer's address, if it has one.
    pub(crate) address_roll: Option<u64>,
    /// Paid by card (otherwise by bank debit, still pending).
    pub(crate) card: bool,
    pub(crate) roll: u64,
    pub(crate) payment_method_seed: u64,
}

/// The card of a generated charge.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CardFacts {
    pub(crate) brand: &'static str,
    pub(crate) country: &'static str,
    pub(crate) exp_month: i64,
    pub(crate) exp_year: i64,
    pub(crate) last4: &'static str,
}

impl ChargeFacts {
    pub(crate) fn card_details(&self) -> Option<CardFacts> {
        let roll = self.roll;
        self.card.then(|| CardFacts {
            brand: pick(&["visa", "mastercard", "amex"], roll >> 8),
            country: pick(&COUNTRIES, roll >> 12),
            exp_month: i64::try_from(1 + (roll >> 16) % 12).unwrap_or(1),
            exp_year: 2027 + i64::try_from((roll >> 20) % 5).unwrap_or(0),
            last4: pick(&["4242", "4444", "0005", "1881", "5556"], roll >> 24),
        })
    }

    pub(crate) fn method_type(&self) -> &'static str {
        if self.card {
            "card"
        } else {
            "us_bank_account"
        }
    }
}

impl Merchant {
    /// What a generated charge is made of, computed without allocating: the typed builder
    /// ([`Merchant::charge`]) and the list writer (`charge_json`) both render these.
    pub(crate) fn charge_facts(&self, index: u64) -> Option<ChargeFacts> {
        if index >= self.size {
            return None;
        }
        let fate = self.fate(index);
        let (status, captured, paid) = match fate {
            Fate::NoCharge { .. } => return None,
            Fate::Failed => (stripe::ChargeStatus::Failed, false, false),
            Fate::Pending => (stripe::ChargeStatus::Pending, true, false),
            Fate::Uncaptured | Fate::Released => (stripe::ChargeStatus::Succeeded, false, true),
            Fate::Succeeded(_) => (stripe::ChargeStatus::Succeeded, true, true),
        };
        let currency = self.payment_currency(index);
        let amount = self.payment_amount(index, currency);
        let (amount_refunded, refunded) = match fate {
            Fate::Released | Fate::Succeeded(After::FullRefund) => (amount, true),
            Fate::Succeeded(after @ After::PartialRefund) => {
                (self.refund_amount(index, after), false)
            }
            _ => (0, false),
        };
        let customer = self.payment_customer(index);
        // The billing name is the customer's, or a made-up one for guest payments.
        let holder = customer.unwrap_or(self.size + index);
        let (first, last) = self.name_parts(holder);
        let address_roll = customer.and_then(|customer| {
            let roll = self.h(Resource::Customers, customer, 1);
            (roll % 10 < 7).then_some(roll >> 4)
        });
        Some(ChargeFacts {
            status,
            captured,
            paid,
            amount,
            amount_refunded,
            refunded,
            disputed: matches!(fate, Fate::Succeeded(After::Dispute(_))),
            currency,
            created: self.created_at(Resource::PaymentIntents, index),
            customer,
            holder,
            first,
            last,
            address_roll,
            card: fate != Fate::Pending,
            roll: self.h(Resource::Charges, index, 1),
            payment_method_seed: self.h(Resource::Charges, index, 0x9),
        })
    }

    /// Charge `index` (of payment intent `index`), if that payment intent has a charge.
    pub(crate) fn charge(&self, index: u64) -> Option<stripe::Charge> {
        let facts = self.charge_facts(index)?;
        let roll = facts.roll;
        let failed = facts.status == stripe::ChargeStatus::Failed;
        let (first, last) = (facts.first, facts.last);
        let name = format!("{first} {last}");
        let email = format!(
            "{}.{}{}@example.com",
            first.to_lowercase(),
            last.to_lowercase(),
            facts.holder
        );
        let outcome = if failed {
            stripe::ChargeOutcome {
                network_status: Some("declined_by_network".to_owned()),
                reason: Some("generic_decline".to_owned()),
                risk_level: Some("normal".to_owned()),
                seller_message: Some(CHARGE_DECLINE_MESSAGE.to_owned()),
                outcome_type: Some(stripe::OutcomeType::IssuerDeclined),
                ..Default::default()
            }
        } else {
            stripe::ChargeOutcome {
                network_status: Some("approved_by_network".to_owned()),
                risk_level: Some("normal".to_owned()),
                risk_score: Some(i64::try_from(roll % 60).unwrap_or(0)),
                seller_message: Some("Payment complete.".to_owned()),
                outcome_type: Some(stripe::OutcomeType::Authorized),
                ..Default::default()
            }
        };
        let id = self.generated_id(Resource::Charges, index);
        let card = facts.card_details();
        Some(stripe::Charge {
            amount: facts.amount,
            amount_captured: if facts.captured && facts.paid {
                facts.amount
            } else {
                0
            },
            amount_refunded: facts.amount_refunded,
            authorization_code: facts.paid.then(|| format!("{:06}", roll % 1_000_000)),
            balance_transaction: (facts.captured && facts.paid).then(|| {
                stripe::Expandable::Id(self.generated_id(
                    Resource::BalanceTransactions,
                    index * BT_PER_CHARGE + BT_CHARGE,
                ))
            }),
            billing_details: Some(stripe::BillingDetails {
                address: facts.address_roll.map(|roll| self.address(roll)),
                email: Some(email.clone()),
                name: Some(name),
                ..Default::default()
            }),
            calculated_statement_descriptor: Some(self.statement_descriptor.clone()),
            captured: facts.captured,
            created: facts.created,
            currency: facts.currency.to_owned(),
            customer: facts.customer.map(|customer| {
                stripe::Expandable::Id(self.generated_id(Resource::Customers, customer))
            }),
            description: Some(format!("Order #{}", 100_000 + index)),
            disputed: facts.disputed,
            failure_code: failed.then(|| "card_declined".to_owned()),
            failure_message: failed.then(|| "Your card was declined.".to_owned()),
            fraud_details: Some(stripe::FraudDetails::default()),
            livemode: self.livemode(),
            outcome: Some(outcome),
            paid: facts.paid,
            payment_intent: Some(stripe::Expandable::Id(
                self.generated_id(Resource::PaymentIntents, index),
            )),
            payment_method: Some(format!(
                "pm_{}",
                crate::ids::token(facts.payment_method_seed, 24)
            )),
            payment_method_details: Some(stripe::PaymentMethodDetails {
                card: card.map(|card| stripe::CardDetails {
                    brand: Some(card.brand.to_owned()),
                    country: Some(card.country.to_owned()),
                    exp_month: Some(card.exp_month),
                    exp_year: Some(card.exp_year),
                    funding: Some("credit".to_owned()),
                    last4: Some(card.last4.to_owned()),
                    network: Some("visa".to_owned()),
                    ..Default::default()
                }),
                method_type: facts.method_type().to_owned(),
            }),
            receipt_email: Some(email),
            receipt_url: facts
                .paid
                .then(|| format!("https://pay.stripe.sandbox/receipts/{id}")),
            refunded: facts.refunded,
            status: facts.status,
            id,
            ..Default::default()
        })
    }
}
