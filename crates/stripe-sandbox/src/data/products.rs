//! Generated products and their prices.

use super::money::exponent;
use super::{pick, Merchant, Resource, CURRENCIES};
use stripe_wire as stripe;

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

impl Merchant {
    pub(super) fn price_count(&self, product: u64) -> u64 {
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
}
