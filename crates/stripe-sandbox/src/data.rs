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
//!
//! This file holds the merchant (identity, id spaces, time lattice, counts); each resource's
//! generator is its own module (`customers`, `products`, `payment_intents`, `charges`,
//! `refunds`, `disputes`, `balance_transactions`, `payouts`, `events`, `account`).
//! Depends on `stripe-wire` types only; no I/O.

use std::sync::{OnceLock, RwLock};

use stripe_wire as stripe;

use crate::ids::{hash, object_id, parse_object_id, Slot};
use crate::list::{ListItem, Overlay};
use crate::mode::Mode;

mod account;
mod balance_transactions;
mod charge_json;
mod charges;
mod customers;
mod disputes;
mod events;
mod money;
mod payment_intents;
mod payouts;
mod products;
mod refunds;
mod resource;
#[cfg(test)]
mod tests;

use balance_transactions::{bt_offset_tenths, BT_PAYOUT};
pub(crate) use money::{convert, dispute_fee, exponent};
use payment_intents::{After, Fate};
pub use resource::Resource;

/// Balance transaction slots per charge slot.
pub(crate) const BT_PER_CHARGE: u64 = 7;
/// Charge slots paid out by one payout.
pub(crate) const PAYOUT_WINDOW: u64 = 4;

/// The account index used in ids for the platform's own data.
pub(crate) const PLATFORM_INDEX: usize = usize::MAX >> 8;

const DAY: i64 = 86_400;
const HISTORY: i64 = 365 * DAY;
const EVENT_HISTORY: i64 = 30 * DAY;

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

/// The currencies the sandbox writes its merchants' data in (Stripe's lower-case codes).
pub const CURRENCIES: [&str; 5] = ["usd", "gbp", "eur", "jpy", "kwd"];
const COUNTRIES: [&str; 5] = ["US", "GB", "DE", "JP", "KW"];
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

fn pick<T: Copy + Default>(items: &[T], value: u64) -> T {
    let index = usize::try_from(value % items.len().max(1) as u64).unwrap_or(0);
    items.get(index).copied().unwrap_or_default()
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
}

fn fixed_id_is_platform(number: u64) -> bool {
    number == PLATFORM_INDEX as u64
}

/// The lattice a resource's `created` follows (charges share their payment intent's).
fn resource_lattice(resource: Resource) -> Resource {
    match resource {
        Resource::Charges => Resource::PaymentIntents,
        other => other,
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
