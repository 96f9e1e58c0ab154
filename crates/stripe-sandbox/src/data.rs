//! The deterministic merchant generator.
//!
//! Every generated object is a pure function of (seed, account, resource, index): nothing is
//! stored, so an account of a million charges costs no memory and a page deep in the list
//! costs the same as the first. Index 0 is the newest object; `created` never increases
//! with the index, so "newest first" is index order.
//!
//! The resources hang together like a real merchant's:
//! - payment intent `i` has charge `i` (or none), and charge `i` may have refund `i` or
//!   dispute `i`;
//! - balance transaction slots come in groups of [`BT_PER_CHARGE`] per charge slot (the
//!   charge, its refund or refund failure, its dispute withdrawal or reinstatement, and the
//!   payout made just after it), each with `fee_details` summing to `fee` and
//!   `net = amount - fee`, all in the account's settlement currency;
//! - payout `q` pays out exactly the net of the balance transactions of charge slots
//!   `q*W+1 ..= (q+1)*W` (`W` = [`PAYOUT_WINDOW`]);
//! - events for the last 30 days each describe a generated object as it was created.
//!
//! Changes made after start live in each account's [`Overlays`].
//! Depends on `stripe-wire` types only; no I/O.

use std::sync::{OnceLock, RwLock};

use stripe_wire as stripe;

use crate::ids::{hash, object_id, parse_object_id, Slot};
use crate::list::{ListItem, Overlay};
use crate::state::Mode;

/// Balance transaction slots per charge slot.
pub(crate) const BT_PER_CHARGE: u64 = 7;
/// Charge slots paid out by one payout.
pub(crate) const PAYOUT_WINDOW: u64 = 4;

const DAY: i64 = 86_400;
const HISTORY: i64 = 365 * DAY;
const EVENT_HISTORY: i64 = 30 * DAY;
/// The API version the sandbox renders events in.
pub(crate) const API_VERSION: &str = "2026-06-24.dahlia";

// Balance transaction kinds, by offset inside a charge slot's group (newest first).
const BT_PAYOUT_FAILURE: u64 = 0;
const BT_PAYOUT: u64 = 1;
const BT_DISPUTE_REVERSAL: u64 = 2;
const BT_DISPUTE: u64 = 3;
const BT_REFUND_FAILURE: u64 = 4;
const BT_REFUND: u64 = 5;
const BT_CHARGE: u64 = 6;

/// The resources an account serves as lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Resource {
    /// `/v1/customers`
    Customers,
    /// `/v1/products`
    Products,
    /// `/v1/prices`
    Prices,
    /// `/v1/payment_intents`
    PaymentIntents,
    /// `/v1/charges`
    Charges,
    /// `/v1/refunds`
    Refunds,
    /// `/v1/disputes`
    Disputes,
    /// `/v1/balance_transactions`
    BalanceTransactions,
    /// `/v1/payouts`
    Payouts,
    /// `/v1/events`
    Events,
}

impl Resource {
    /// Every resource.
    pub const ALL: [Resource; 10] = [
        Resource::Customers,
        Resource::Products,
        Resource::Prices,
        Resource::PaymentIntents,
        Resource::Charges,
        Resource::Refunds,
        Resource::Disputes,
        Resource::BalanceTransactions,
        Resource::Payouts,
        Resource::Events,
    ];

    /// The path segment, e.g. `charges`.
    pub fn path(self) -> &'static str {
        match self {
            Resource::Customers => "customers",
            Resource::Products => "products",
            Resource::Prices => "prices",
            Resource::PaymentIntents => "payment_intents",
            Resource::Charges => "charges",
            Resource::Refunds => "refunds",
            Resource::Disputes => "disputes",
            Resource::BalanceTransactions => "balance_transactions",
            Resource::Payouts => "payouts",
            Resource::Events => "events",
        }
    }

    /// The resource served at `/v1/{path}`.
    pub fn from_path(path: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|resource| resource.path() == path)
    }

    /// The `object` name, e.g. `charge`.
    pub(crate) fn object(self) -> &'static str {
        match self {
            Resource::Customers => "customer",
            Resource::Products => "product",
            Resource::Prices => "price",
            Resource::PaymentIntents => "payment_intent",
            Resource::Charges => "charge",
            Resource::Refunds => "refund",
            Resource::Disputes => "dispute",
            Resource::BalanceTransactions => "balance_transaction",
            Resource::Payouts => "payout",
            Resource::Events => "event",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Resource::Customers => "cus",
            Resource::Products => "prod",
            Resource::Prices => "price",
            Resource::PaymentIntents => "pi",
            Resource::Charges => "ch",
            Resource::Refunds => "re",
            Resource::Disputes => "dp",
            Resource::BalanceTransactions => "txn",
            Resource::Payouts => "po",
            Resource::Events => "evt",
        }
    }

    /// The position in [`Resource::ALL`].
    fn slot(self) -> usize {
        usize::try_from(self.number() - 1).unwrap_or(0)
    }

    fn number(self) -> u64 {
        match self {
            Resource::Customers => 1,
            Resource::Products => 2,
            Resource::Prices => 3,
            Resource::PaymentIntents => 4,
            Resource::Charges => 5,
            Resource::Refunds => 6,
            Resource::Disputes => 7,
            Resource::BalanceTransactions => 8,
            Resource::Payouts => 9,
            Resource::Events => 10,
        }
    }
}

/// Changes to an account's data since start.
#[derive(Debug, Default)]
pub(crate) struct Overlays {
    pub(crate) customers: Overlay<stripe::Customer>,
    pub(crate) products: Overlay<stripe::Product>,
    pub(crate) prices: Overlay<stripe::Price>,
    pub(crate) payment_intents: Overlay<stripe::PaymentIntent>,
    pub(crate) charges: Overlay<stripe::Charge>,
    pub(crate) refunds: Overlay<stripe::Refund>,
    pub(crate) disputes: Overlay<stripe::Dispute>,
    pub(crate) balance_transactions: Overlay<stripe::BalanceTransaction>,
    pub(crate) payouts: Overlay<stripe::Payout>,
    pub(crate) events: Overlay<stripe::Event>,
}

/// Sums of balance transaction nets, split by availability.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BalanceSums {
    pub(crate) available: i64,
    pub(crate) pending: i64,
}

/// One merchant account: its identity, its generator and its overlay of changes.
#[derive(Debug)]
pub(crate) struct Merchant {
    pub(crate) seed: u64,
    pub(crate) number: u64,
    pub(crate) mode: Mode,
    pub(crate) size: u64,
    /// The sandbox start time: generated history ends before it.
    pub(crate) start: i64,
    spacing: i64,
    event_spacing: i64,
    pub(crate) account_id: String,
    pub(crate) email: String,
    pub(crate) business_name: String,
    pub(crate) country: &'static str,
    pub(crate) currency: &'static str,
    /// `calculated_statement_descriptor` of its charges.
    pub(crate) statement_descriptor: String,
    /// The same, as a JSON string (quoted and escaped).
    pub(crate) statement_descriptor_json: Vec<u8>,
    pub(crate) overlay: RwLock<Overlays>,
    /// Per resource (in [`Resource::ALL`] order): the hash state after (seed, account,
    /// resource), the fixed prefix of every roll.
    hash_states: [u64; 10],
    /// Per resource: its generated ids.
    id_spaces: [crate::ids::IdSpace; 10],
    /// Bumped on every change to the overlay (invalidates cached pages).
    pub(crate) version: std::sync::atomic::AtomicU64,
    generated_balance: OnceLock<BalanceSums>,
}

/// The seller message of a declined charge.
const CHARGE_DECLINE_MESSAGE: &str =
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

/// The parts of an address made from a roll (see [`Merchant::address`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AddressFacts {
    pub(crate) city: &'static str,
    pub(crate) country: &'static str,
    pub(crate) postal_code: &'static str,
    pub(crate) street_number: u64,
    pub(crate) suite: Option<u64>,
}

impl AddressFacts {
    pub(crate) fn new(roll: u64) -> Self {
        let (city, country, postal_code) = pick(&CITIES, roll);
        Self {
            city,
            country,
            postal_code,
            street_number: 1 + roll % 400,
            suite: (roll % 3 == 0).then_some(100 + roll % 50),
        }
    }
}

/// What happens to payment intent `i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
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
enum After {
    Nothing,
    FullRefund,
    PartialRefund,
    FailedRefund,
    Dispute(u64),
}

/// The currencies the sandbox writes its merchants' data in (Stripe's lower-case codes).
pub const CURRENCIES: [&str; 5] = ["usd", "gbp", "eur", "jpy", "kwd"];
const COUNTRIES: [&str; 5] = ["US", "GB", "DE", "JP", "KW"];
const FIRST_NAMES: [&str; 16] = [
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Barbara",
    "Ken",
    "Margaret",
    "Dennis",
    "Frances",
    "John",
    "Radia",
    "Guido",
    "Hedy",
    "Tim",
    "Katherine",
    "Edsger",
];
const LAST_NAMES: [&str; 16] = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Liskov",
    "Thompson",
    "Hamilton",
    "Ritchie",
    "Allen",
    "McCarthy",
    "Perlman",
    "Rossum",
    "Lamarr",
    "Berners-Lee",
    "Johnson",
    "Dijkstra",
];
const CITIES: [(&str, &str, &str); 5] = [
    ("San Francisco", "US", "94107"),
    ("London", "GB", "EC1A 1BB"),
    ("Berlin", "DE", "10115"),
    ("Tokyo", "JP", "100-0001"),
    ("Kuwait City", "KW", "13001"),
];
const ADJECTIVES: [&str; 12] = [
    "Classic", "Organic", "Handmade", "Premium", "Vintage", "Compact", "Deluxe", "Eco", "Everyday",
    "Limited", "Smart", "Travel",
];
const NOUNS: [&str; 12] = [
    "Coffee Beans",
    "Tote Bag",
    "Notebook",
    "Ceramic Mug",
    "Desk Lamp",
    "Yoga Mat",
    "Tea Sampler",
    "Backpack",
    "Subscription Box",
    "Consulting Hour",
    "Design Review",
    "Support Plan",
];
const MERCHANT_NAMES: [&str; 8] = [
    "Acme Roasters",
    "Blue Fern Studio",
    "Cobalt Cycles",
    "Dune & Co",
    "Evergreen Books",
    "Fjord Outfitters",
    "Golden Loaf Bakery",
    "Harbor Supply",
];
const DISPUTE_STATUSES: [&str; 8] = [
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

fn pick<T: Copy + Default>(items: &[T], value: u64) -> T {
    let index = usize::try_from(value % items.len().max(1) as u64).unwrap_or(0);
    items.get(index).copied().unwrap_or_default()
}

/// Minor-unit exponent of a currency, as Stripe writes its amounts (`stripe_wire::currency`).
pub(crate) fn exponent(currency: &str) -> i32 {
    i32::try_from(stripe_wire::currency::exponent(currency)).unwrap_or(2)
}

fn usd_rate(currency: &str) -> f64 {
    match currency {
        "gbp" => 1.27,
        "eur" => 1.08,
        "jpy" => 0.0067,
        "kwd" => 3.25,
        _ => 1.0,
    }
}

/// Rounds a minor amount to what the currency allows (three-decimal currencies end in 0).
fn round_minor(amount: f64, currency: &str) -> i64 {
    let rounded = amount.round() as i64;
    if exponent(currency) == 3 {
        (rounded / 10) * 10
    } else {
        rounded
    }
}

/// Converts a minor amount between currencies, with the rate used.
pub(crate) fn convert(amount: i64, from: &str, to: &str) -> (i64, Option<f64>) {
    if from == to {
        return (amount, None);
    }
    let rate = usd_rate(from) / usd_rate(to);
    let major = amount as f64 / 10f64.powi(exponent(from));
    let converted = round_minor(major * rate * 10f64.powi(exponent(to)), to);
    (converted, Some((rate * 1_000_000.0).round() / 1_000_000.0))
}

pub(crate) fn dispute_fee(currency: &str) -> i64 {
    match currency {
        "jpy" => 2000,
        "kwd" => 5000,
        _ => 1500,
    }
}

impl Merchant {
    pub(crate) fn new(
        seed: u64,
        index: usize,
        mode: Mode,
        size: u64,
        start: i64,
        fixed_id: Option<String>,
    ) -> Self {
        let number = index as u64;
        let identity = hash(&[seed, 0xACC7, number]);
        let account_id =
            fixed_id.unwrap_or_else(|| format!("acct_1{}", crate::ids::token(identity, 15)));
        let flavour = if index == 0 { 0 } else { identity % 5 };
        let business_name = if fixed_id_is_platform(number) {
            "Sandbox Platform".to_owned()
        } else {
            format!("{} {}", pick(&MERCHANT_NAMES, identity >> 8), index + 1)
        };
        let email = format!(
            "owner+{}@{}.example.com",
            index + 1,
            business_name.to_lowercase().replace([' ', '&'], "")
        );
        let spacing = (HISTORY / i64::try_from(size.max(1)).unwrap_or(i64::MAX)).max(10);
        let event_spacing = (EVENT_HISTORY / i64::try_from(size.max(1)).unwrap_or(i64::MAX)).max(1);
        let statement_descriptor: String = business_name.to_uppercase().chars().take(22).collect();
        let statement_descriptor_json =
            serde_json::to_vec(&statement_descriptor).unwrap_or_else(|_| b"\"\"".to_vec());
        let hash_states = Resource::ALL
            .map(|resource| crate::ids::hash_state(&[seed, number, resource.number()]));
        let id_spaces = Resource::ALL.map(|resource| {
            crate::ids::IdSpace::new(resource.prefix(), seed, number, resource.number())
        });
        Self {
            hash_states,
            id_spaces,
            statement_descriptor,
            statement_descriptor_json,
            seed,
            number,
            mode,
            size,
            start,
            spacing,
            event_spacing,
            account_id,
            email,
            business_name,
            country: pick(&COUNTRIES, flavour),
            currency: pick(&CURRENCIES, flavour),
            overlay: RwLock::new(Overlays::default()),
            generated_balance: OnceLock::new(),
            version: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn livemode(&self) -> bool {
        self.mode.is_live()
    }

    fn h(&self, resource: Resource, index: u64, salt: u64) -> u64 {
        // == hash(&[seed, number, resource.number(), index, salt]), with the prefix mixed once.
        let state = self
            .hash_states
            .get(resource.slot())
            .copied()
            .unwrap_or_default();
        crate::ids::hash_more(state, &[index, salt])
    }

    /// The id space of `resource`'s generated objects.
    pub(crate) fn id_space(&self, resource: Resource) -> crate::ids::IdSpace {
        self.id_spaces
            .get(resource.slot())
            .copied()
            .unwrap_or_else(|| {
                crate::ids::IdSpace::new(
                    resource.prefix(),
                    self.seed,
                    self.number,
                    resource.number(),
                )
            })
    }

    /// The id of the object in `slot` of `resource`.
    pub(crate) fn id(&self, resource: Resource, slot: Slot) -> String {
        object_id(
            resource.prefix(),
            self.seed,
            self.number,
            resource.number(),
            slot,
        )
    }

    fn generated_id(&self, resource: Resource, index: u64) -> String {
        let mut out = Vec::with_capacity(24);
        self.id_space(resource).write_generated(&mut out, index);
        // Ids are ASCII.
        String::from_utf8(out).unwrap_or_default()
    }

    /// The slot an id names, if it is an id of this account's `resource`.
    pub(crate) fn locate(&self, resource: Resource, id: &str) -> Option<Slot> {
        parse_object_id(
            id,
            resource.prefix(),
            self.seed,
            self.number,
            resource.number(),
        )
    }

    /// How many generated slots `resource` has.
    pub(crate) fn len(&self, resource: Resource) -> u64 {
        match resource {
            Resource::Prices => self.size * 3,
            Resource::BalanceTransactions => self.size * BT_PER_CHARGE,
            Resource::Payouts => self.size.div_ceil(PAYOUT_WINDOW),
            _ => self.size,
        }
    }

    /// `created` of the `index`-th slot of a time lattice (index 0 newest).
    fn lattice(&self, resource: Resource, index: u64) -> i64 {
        let step = i64::try_from(index)
            .unwrap_or(i64::MAX / 2)
            .saturating_add(1);
        let jitter = i64::try_from(
            self.h(resource, index, 0x717) % u64::try_from(self.spacing / 10).unwrap_or(1).max(1),
        )
        .unwrap_or(0);
        self.start - step.saturating_mul(self.spacing) - jitter
    }

    fn offset(&self, tenths: i64) -> i64 {
        self.spacing * tenths / 10
    }

    /// `created` of generated slot `index` of `resource` (cheap; non-increasing in `index`).
    pub(crate) fn created_at(&self, resource: Resource, index: u64) -> i64 {
        match resource {
            Resource::Customers
            | Resource::Products
            | Resource::PaymentIntents
            | Resource::Charges => self.lattice(resource_lattice(resource), index),
            Resource::Prices => {
                self.lattice(Resource::Products, index / 3) + 2 - (index % 3) as i64
            }
            Resource::Refunds => self.lattice(Resource::PaymentIntents, index) + self.offset(2),
            Resource::Disputes => self.lattice(Resource::PaymentIntents, index) + self.offset(4),
            Resource::BalanceTransactions => {
                let (charge, kind) = (index / BT_PER_CHARGE, index % BT_PER_CHARGE);
                self.lattice(Resource::PaymentIntents, charge) + self.offset(bt_offset_tenths(kind))
            }
            Resource::Payouts => {
                self.lattice(Resource::PaymentIntents, index * PAYOUT_WINDOW)
                    + self.offset(bt_offset_tenths(BT_PAYOUT))
            }
            Resource::Events => {
                let step = i64::try_from(index)
                    .unwrap_or(i64::MAX / 2)
                    .saturating_add(1);
                self.start - step.saturating_mul(self.event_spacing)
            }
        }
    }

    fn fate(&self, index: u64) -> Fate {
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

    fn payment_currency(&self, index: u64) -> &'static str {
        let roll = self.h(Resource::PaymentIntents, index, 0xC0);
        if roll % 5 == 0 {
            pick(&CURRENCIES, roll / 5)
        } else {
            self.currency
        }
    }

    fn payment_amount(&self, index: u64, currency: &str) -> i64 {
        let roll = self.h(Resource::PaymentIntents, index, 0xA0);
        let major = 5 + roll % 495;
        let minor = (roll >> 20) % 100;
        match exponent(currency) {
            0 => i64::try_from(major * 150).unwrap_or(0),
            3 => i64::try_from(major / 3 * 1000 + minor * 10).unwrap_or(0),
            _ => i64::try_from(major * 100 + minor).unwrap_or(0),
        }
    }

    fn payment_customer(&self, index: u64) -> Option<u64> {
        let roll = self.h(Resource::PaymentIntents, index, 0xCC);
        if roll % 10 < 3 || self.size == 0 {
            return None;
        }
        Some((index + (roll >> 8) % 20).min(self.size - 1))
    }

    /// The first and last name of customer `index` (or of guest `size + index`).
    fn name_parts(&self, index: u64) -> (&'static str, &'static str) {
        let roll = self.h(Resource::Customers, index, 0x4A);
        (pick(&FIRST_NAMES, roll), pick(&LAST_NAMES, roll >> 8))
    }

    fn customer_name(&self, index: u64) -> (String, String) {
        let (first, last) = self.name_parts(index);
        (
            format!("{first} {last}"),
            format!(
                "{}.{}{}@example.com",
                first.to_lowercase(),
                last.to_lowercase(),
                index
            ),
        )
    }

    fn address(&self, roll: u64) -> stripe::Address {
        let facts = AddressFacts::new(roll);
        stripe::Address {
            city: Some(facts.city.to_owned()),
            country: Some(facts.country.to_owned()),
            line1: Some(format!("{} Market Street", facts.street_number)),
            line2: facts.suite.map(|suite| format!("Suite {suite}")),
            postal_code: Some(facts.postal_code.to_owned()),
            state: (facts.country == "US").then(|| "CA".to_owned()),
        }
    }

    /// Customer `index`.
    pub(crate) fn customer(&self, index: u64) -> Option<stripe::Customer> {
        if index >= self.size {
            return None;
        }
        let roll = self.h(Resource::Customers, index, 1);
        let (name, email) = self.customer_name(index);
        let address = (roll % 10 < 7).then(|| self.address(roll >> 4));
        let shipping = (roll % 10 < 4).then(|| stripe::Shipping {
            address: Some(address.clone().unwrap_or_else(|| self.address(roll >> 12))),
            name: Some(name.clone()),
            phone: None,
            carrier: None,
            tracking_number: None,
        });
        Some(stripe::Customer {
            id: self.generated_id(Resource::Customers, index),
            address,
            balance: 0,
            created: self.created_at(Resource::Customers, index),
            currency: (roll % 3 != 0).then(|| self.currency.to_owned()),
            description: (roll % 4 == 0).then(|| "Wholesale customer".to_owned()),
            email: Some(email),
            invoice_prefix: Some(format!("{:08X}", roll >> 32)),
            livemode: self.livemode(),
            name: Some(name),
            next_invoice_sequence: Some(1),
            phone: (roll % 2 == 0).then(|| format!("+1415555{:04}", roll % 10_000)),
            preferred_locales: Some(Vec::new()),
            shipping,
            tax_exempt: Some(stripe::TaxExempt::None),
            ..Default::default()
        })
    }

    fn price_count(&self, product: u64) -> u64 {
        match self.h(Resource::Products, product, 0x9C) % 10 {
            0 => 0,
            1..=5 => 1,
            6..=8 => 2,
            _ => 3,
        }
    }

    fn product_active(&self, product: u64) -> bool {
        self.h(Resource::Products, product, 0xAC) % 100 >= 15
    }

    /// Product `index`.
    pub(crate) fn product(&self, index: u64) -> Option<stripe::Product> {
        if index >= self.size {
            return None;
        }
        let roll = self.h(Resource::Products, index, 1);
        let noun = pick(&NOUNS, roll >> 8);
        let service = noun.contains("Hour") || noun.contains("Review") || noun.contains("Plan");
        let active = self.product_active(index);
        let created = self.created_at(Resource::Products, index);
        let default_price = (0..self.price_count(index))
            .map(|k| index * 3 + k)
            .find(|slot| self.price_active(*slot))
            .map(|slot| stripe::Expandable::Id(self.generated_id(Resource::Prices, slot)));
        Some(stripe::Product {
            id: self.generated_id(Resource::Products, index),
            active,
            created,
            default_price,
            description: (roll % 3 != 0).then(|| {
                format!(
                    "Our {} {}.",
                    pick(&ADJECTIVES, roll).to_lowercase(),
                    noun.to_lowercase()
                )
            }),
            images: if roll % 2 == 0 {
                vec![format!("https://files.example.com/products/{index}.png")]
            } else {
                Vec::new()
            },
            livemode: self.livemode(),
            name: format!("{} {}", pick(&ADJECTIVES, roll), noun),
            shippable: (!service).then_some(true),
            product_type: Some(if service {
                stripe::ProductType::Service
            } else {
                stripe::ProductType::Good
            }),
            unit_label: service.then(|| "hour".to_owned()),
            updated: created,
            url: (roll % 5 == 0).then(|| format!("https://shop.example.com/p/{index}")),
            ..Default::default()
        })
    }

    fn price_active(&self, slot: u64) -> bool {
        self.product_active(slot / 3) && self.h(Resource::Prices, slot, 0xAC) % 100 >= 20
    }

    /// Price `slot` (product `slot / 3`, its `slot % 3`-th price), if that product has it.
    pub(crate) fn price(&self, slot: u64, with_tiers: bool) -> Option<stripe::Price> {
        let product = slot / 3;
        if product >= self.size || slot % 3 >= self.price_count(product) {
            return None;
        }
        let roll = self.h(Resource::Prices, slot, 1);
        let currency = if slot % 3 == 0 {
            self.currency
        } else {
            pick(&CURRENCIES, roll)
        };
        let tiered = roll % 10 == 0;
        let recurring = (roll >> 4) % 3 == 0;
        let base = match exponent(currency) {
            0 => 500 + (roll >> 8) % 50 * 100,
            3 => 1000 + (roll >> 8) % 50 * 100,
            _ => 500 + (roll >> 8) % 5000,
        };
        let base = i64::try_from(base).unwrap_or(500);
        let tiers = (tiered && with_tiers).then(|| {
            vec![
                stripe::PriceTier {
                    up_to: Some(10),
                    unit_amount: Some(base),
                    unit_amount_decimal: Some(base.to_string()),
                    ..Default::default()
                },
                stripe::PriceTier {
                    up_to: None,
                    unit_amount: Some(base * 8 / 10),
                    unit_amount_decimal: Some((base * 8 / 10).to_string()),
                    ..Default::default()
                },
            ]
        });
        Some(stripe::Price {
            id: self.generated_id(Resource::Prices, slot),
            active: self.price_active(slot),
            billing_scheme: if tiered {
                stripe::BillingScheme::Tiered
            } else {
                stripe::BillingScheme::PerUnit
            },
            created: self.created_at(Resource::Prices, slot),
            currency: currency.to_owned(),
            livemode: self.livemode(),
            lookup_key: (roll % 4 == 0).then(|| format!("sku_{product}_{}", slot % 3)),
            nickname: recurring.then(|| "Monthly".to_owned()),
            product: stripe::Expandable::Id(self.generated_id(Resource::Products, product)),
            recurring: recurring.then(|| stripe::Recurring {
                interval: if roll % 2 == 0 {
                    stripe::RecurringInterval::Month
                } else {
                    stripe::RecurringInterval::Year
                },
                interval_count: 1,
                usage_type: stripe::UsageType::Licensed,
                ..Default::default()
            }),
            tax_behavior: Some(stripe::TaxBehavior::Unspecified),
            tiers,
            tiers_mode: tiered.then_some(if roll % 2 == 0 {
                stripe::TiersMode::Graduated
            } else {
                stripe::TiersMode::Volume
            }),
            price_type: if recurring {
                stripe::PriceType::Recurring
            } else {
                stripe::PriceType::OneTime
            },
            unit_amount: (!tiered).then_some(base),
            unit_amount_decimal: (!tiered).then(|| base.to_string()),
            ..Default::default()
        })
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

    fn refund_amount(&self, index: u64, after: After) -> i64 {
        let currency = self.payment_currency(index);
        let amount = self.payment_amount(index, currency);
        if after == After::PartialRefund {
            let share = 20 + self.h(Resource::Refunds, index, 0x5) % 60;
            round_minor(amount as f64 * share as f64 / 100.0, currency).max(1)
        } else {
            amount
        }
    }

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

    fn dispute_status(&self, index: u64) -> Option<&'static str> {
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
    fn slot_net(&self, index: u64) -> i64 {
        (BT_DISPUTE_REVERSAL..=BT_CHARGE)
            .filter_map(|kind| self.balance_transaction(index * BT_PER_CHARGE + kind))
            .map(|transaction| transaction.net)
            .sum()
    }

    /// What payout `payout` pays: the net of charge slots `payout*W+1 ..= (payout+1)*W`,
    /// `None` when that is not positive (no payout then).
    fn payout_amount(&self, payout: u64) -> Option<i64> {
        let first = payout * PAYOUT_WINDOW + 1;
        let last = ((payout + 1) * PAYOUT_WINDOW).min(self.size.saturating_sub(1));
        let total: i64 = (first..=last).map(|index| self.slot_net(index)).sum();
        (total > 0).then_some(total)
    }

    fn payout_failed(&self, payout: u64) -> bool {
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

    /// Whether generated slot `index` of `resource` holds an object (ignoring the overlay).
    pub(crate) fn exists(&self, resource: Resource, index: u64) -> bool {
        if index >= self.len(resource) {
            return false;
        }
        match resource {
            Resource::Customers | Resource::Products | Resource::PaymentIntents => true,
            Resource::Prices => index % 3 < self.price_count(index / 3),
            Resource::Charges => !matches!(self.fate(index), Fate::NoCharge { .. }),
            Resource::Refunds => matches!(
                self.fate(index),
                Fate::Succeeded(After::FullRefund | After::PartialRefund | After::FailedRefund)
            ),
            Resource::Disputes => self.dispute_status(index).is_some(),
            Resource::BalanceTransactions => self.balance_transaction(index).is_some(),
            Resource::Payouts => self.payout_amount(index).is_some(),
            Resource::Events => self.event(index).is_some(),
        }
    }

    /// The `account` object.
    pub(crate) fn account(&self) -> stripe::Account {
        stripe::Account {
            id: self.account_id.clone(),
            business_profile: Some(stripe::BusinessProfile {
                name: Some(self.business_name.clone()),
                mcc: Some("5734".to_owned()),
                product_description: Some("Goods and services sold online".to_owned()),
                support_email: Some(self.email.clone()),
                url: Some(format!(
                    "https://{}.example.com",
                    self.business_name.to_lowercase().replace([' ', '&'], "")
                )),
                ..Default::default()
            }),
            business_type: Some(stripe::BusinessType::Company),
            charges_enabled: true,
            company: Some(stripe::Company {
                name: Some(self.business_name.clone()),
                address: Some(
                    self.address(
                        COUNTRIES
                            .iter()
                            .position(|country| *country == self.country)
                            .unwrap_or(0) as u64,
                    ),
                ),
                ..Default::default()
            }),
            controller: Some(stripe::AccountController {
                is_controller: Some(false),
                controller_type: Some(stripe::ControllerType::Account),
                ..Default::default()
            }),
            country: Some(self.country.to_owned()),
            created: Some(self.start - HISTORY - 30 * DAY),
            default_currency: Some(self.currency.to_owned()),
            details_submitted: true,
            email: Some(self.email.clone()),
            payouts_enabled: true,
            settings: Some(stripe::AccountSettings {
                dashboard: Some(stripe::DashboardSettings {
                    display_name: Some(self.business_name.clone()),
                    timezone: Some("Etc/UTC".to_owned()),
                }),
                payouts: Some(stripe::PayoutSettings {
                    schedule: Some(stripe::PayoutSchedule {
                        delay_days: Some(2),
                        interval: Some(stripe::PayoutInterval::Daily),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            account_type: Some(stripe::AccountType::Standard),
            ..Default::default()
        }
    }
}

fn fixed_id_is_platform(number: u64) -> bool {
    number == crate::state::PLATFORM_INDEX as u64
}

/// The lattice a resource's `created` follows (charges share their payment intent's).
fn resource_lattice(resource: Resource) -> Resource {
    match resource {
        Resource::Charges => Resource::PaymentIntents,
        other => other,
    }
}

fn bt_offset_tenths(kind: u64) -> i64 {
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

macro_rules! list_item {
    ($($ty:ty),*) => {
        $(impl ListItem for $ty {
            fn item_id(&self) -> &str {
                &self.id
            }
            fn item_created(&self) -> i64 {
                self.created
            }
        })*
    };
}

list_item!(
    stripe::Customer,
    stripe::Product,
    stripe::Price,
    stripe::PaymentIntent,
    stripe::Charge,
    stripe::Refund,
    stripe::Dispute,
    stripe::BalanceTransaction,
    stripe::Payout,
    stripe::Event
);

mod charge_json;
#[cfg(test)]
mod tests;

/// How many objects `resource` of `merchant` lists now (O(size)).
pub(crate) fn count(
    merchant: &Merchant,
    resource: Resource,
) -> Result<u64, crate::error::SandboxError> {
    let overlay = merchant
        .overlay
        .read()
        .map_err(|_| crate::error::SandboxError::Poisoned)?;
    fn tally<T>(merchant: &Merchant, resource: Resource, overlay: &Overlay<T>) -> u64 {
        let generated = (0..merchant.len(resource))
            .filter(|index| {
                merchant.exists(resource, *index)
                    && !overlay.deleted.contains(&Slot::Generated(*index))
            })
            .count() as u64;
        let added = (0..overlay.added.len() as u64)
            .filter(|index| !overlay.deleted.contains(&Slot::Added(*index)))
            .count() as u64;
        generated + added
    }
    Ok(match resource {
        Resource::Customers => tally(merchant, resource, &overlay.customers),
        Resource::Products => tally(merchant, resource, &overlay.products),
        Resource::Prices => tally(merchant, resource, &overlay.prices),
        Resource::PaymentIntents => tally(merchant, resource, &overlay.payment_intents),
        Resource::Charges => tally(merchant, resource, &overlay.charges),
        Resource::Refunds => tally(merchant, resource, &overlay.refunds),
        Resource::Disputes => tally(merchant, resource, &overlay.disputes),
        Resource::BalanceTransactions => tally(merchant, resource, &overlay.balance_transactions),
        Resource::Payouts => tally(merchant, resource, &overlay.payouts),
        Resource::Events => tally(merchant, resource, &overlay.events),
    })
}
