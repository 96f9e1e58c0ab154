//! The Stripe `product` and `price` objects (`GET /v1/products`, `/v1/prices`).
//! Depends on serde only; no I/O.

use serde::{Deserialize, Serialize};

use crate::common::{Expandable, HasId};
use crate::shared::Metadata;
use crate::string_enum::string_enum;

/// A product the account sells.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "object", rename = "product", default)]
pub struct Product {
    /// The product id (`prod_...`).
    pub id: String,
    /// Whether it can be bought.
    pub active: bool,
    /// When it was created (unix seconds).
    pub created: i64,
    /// The default price.
    pub default_price: Option<Expandable<Price>>,
    /// A description for the customer.
    pub description: Option<String>,
    /// Up to eight image URLs.
    pub images: Vec<String>,
    /// Whether this is live-mode data.
    pub livemode: bool,
    /// Marketing feature names.
    pub marketing_features: Vec<MarketingFeature>,
    /// Your own key-value pairs.
    pub metadata: Metadata,
    /// The product name.
    pub name: String,
    /// Package dimensions (inches and ounces).
    pub package_dimensions: Option<PackageDimensions>,
    /// Whether it is shipped (physical goods).
    pub shippable: Option<bool>,
    /// The statement descriptor.
    pub statement_descriptor: Option<String>,
    /// The tax code.
    pub tax_code: Option<Expandable<serde_json::Value>>,
    /// `good` or `service`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub product_type: Option<ProductType>,
    /// The unit label on receipts and invoices.
    pub unit_label: Option<String>,
    /// When it was last updated (unix seconds).
    pub updated: i64,
    /// A public URL of the product.
    pub url: Option<String>,
    /// `true` only in the deleted shape `{id, object, deleted}`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

/// One entry of `product.marketing_features`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MarketingFeature {
    /// The feature name.
    pub name: Option<String>,
}

/// `product.package_dimensions`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PackageDimensions {
    /// Height in inches.
    pub height: f64,
    /// Length in inches.
    pub length: f64,
    /// Weight in ounces.
    pub weight: f64,
    /// Width in inches.
    pub width: f64,
}

/// A price of a product.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "object", rename = "price", default)]
pub struct Price {
    /// The price id (`price_...`).
    pub id: String,
    /// Whether it can be used for new purchases.
    pub active: bool,
    /// `per_unit` or `tiered`.
    pub billing_scheme: BillingScheme,
    /// When it was created (unix seconds).
    pub created: i64,
    /// The currency (lowercase code).
    pub currency: String,
    /// Pay-what-you-want bounds.
    pub custom_unit_amount: Option<CustomUnitAmount>,
    /// Whether this is live-mode data.
    pub livemode: bool,
    /// A lookup key.
    pub lookup_key: Option<String>,
    /// Your own key-value pairs.
    pub metadata: Metadata,
    /// A brief description, hidden from customers.
    pub nickname: Option<String>,
    /// The product it prices.
    pub product: Expandable<Product>,
    /// Recurring terms, for recurring prices.
    pub recurring: Option<Recurring>,
    /// Whether the price includes tax.
    pub tax_behavior: Option<TaxBehavior>,
    /// The tiers (only sent when expanded with `expand[]=tiers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<PriceTier>>,
    /// `graduated` or `volume`, for tiered prices.
    pub tiers_mode: Option<TiersMode>,
    /// Quantity transformation before billing.
    pub transform_quantity: Option<TransformQuantity>,
    /// `one_time` or `recurring`.
    #[serde(rename = "type")]
    pub price_type: PriceType,
    /// The unit amount in minor units (null for tiered or custom prices).
    pub unit_amount: Option<i64>,
    /// The unit amount as a decimal string with up to 12 decimal places.
    pub unit_amount_decimal: Option<String>,
    /// `true` only in the deleted shape `{id, object, deleted}`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

/// `price.custom_unit_amount`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomUnitAmount {
    /// The maximum amount.
    pub maximum: Option<i64>,
    /// The minimum amount.
    pub minimum: Option<i64>,
    /// The preset amount.
    pub preset: Option<i64>,
}

/// `price.recurring`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Recurring {
    /// The billing interval.
    pub interval: RecurringInterval,
    /// The number of intervals between bills.
    pub interval_count: i64,
    /// The billing meter id, for metered prices.
    pub meter: Option<String>,
    /// Default trial days.
    pub trial_period_days: Option<i64>,
    /// `licensed` or `metered`.
    pub usage_type: UsageType,
}

/// One of `price.tiers`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceTier {
    /// A flat amount for the tier.
    pub flat_amount: Option<i64>,
    /// The flat amount as a decimal string.
    pub flat_amount_decimal: Option<String>,
    /// The per-unit amount for the tier.
    pub unit_amount: Option<i64>,
    /// The per-unit amount as a decimal string.
    pub unit_amount_decimal: Option<String>,
    /// The tier's upper bound (null for the last tier).
    pub up_to: Option<i64>,
}

/// `price.transform_quantity`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TransformQuantity {
    /// Divide the quantity by this number.
    pub divide_by: i64,
    /// `up` or `down`.
    pub round: TransformRound,
}

string_enum! {
    /// `product.type`.
    ProductType {
        /// `good`.
        Good = "good",
        /// `service`.
        Service = "service",
    }
}

string_enum! {
    /// `price.type`.
    PriceType {
        /// `one_time`.
        OneTime = "one_time",
        /// `recurring`.
        Recurring = "recurring",
    }
}

string_enum! {
    /// `price.billing_scheme`.
    BillingScheme {
        /// `per_unit`.
        PerUnit = "per_unit",
        /// `tiered`.
        Tiered = "tiered",
    }
}

string_enum! {
    /// `price.tax_behavior`.
    TaxBehavior {
        /// `exclusive`.
        Exclusive = "exclusive",
        /// `inclusive`.
        Inclusive = "inclusive",
        /// `unspecified`.
        Unspecified = "unspecified",
    }
}

string_enum! {
    /// `price.tiers_mode`.
    TiersMode {
        /// `graduated`.
        Graduated = "graduated",
        /// `volume`.
        Volume = "volume",
    }
}

string_enum! {
    /// `price.recurring.interval`.
    RecurringInterval {
        /// `day`.
        Day = "day",
        /// `week`.
        Week = "week",
        /// `month`.
        Month = "month",
        /// `year`.
        Year = "year",
    }
}

string_enum! {
    /// `price.recurring.usage_type`.
    UsageType {
        /// `licensed`.
        Licensed = "licensed",
        /// `metered`.
        Metered = "metered",
    }
}

string_enum! {
    /// `price.transform_quantity.round`.
    TransformRound {
        /// `up`.
        Up = "up",
        /// `down`.
        Down = "down",
    }
}

impl HasId for Product {
    fn id(&self) -> &str {
        &self.id
    }
}

impl HasId for Price {
    fn id(&self) -> &str {
        &self.id
    }
}
