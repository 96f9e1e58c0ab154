//! Generated customers: names, emails and addresses.

use super::{pick, Merchant, Resource};
use stripe_wire as stripe;

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

impl Merchant {
    /// The first and last name of customer `index` (or of guest `size + index`).
    pub(super) fn name_parts(&self, index: u64) -> (&'static str, &'static str) {
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

    pub(super) fn address(&self, roll: u64) -> stripe::Address {
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
}
