//! Codat `Product` ("Commerce: Product") with its variants, prices and inventory.
//!
//! Codat's schema gives `Product` no dates, status or category references, but every example since
//! 2023 (the Stripe ones included) carries `productCategoryRefs`, `status`, `createdDate`,
//! `modifiedDate` and `sourceModifiedDate`, and variants carry `quantity`; they are modelled here too.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::codat_enum::codat_enum;
use crate::shared::{LocationRef, ProductCategoryRef, SupplementalData};
use crate::Timestamp;

/// A product the merchant sells.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Retail category, e.g. `Hardware`.
    pub categorization: Option<String>,
    /// Whether this is a gift card.
    pub is_gift_card: Option<bool>,
    /// Categories (legacy field from Codat's examples).
    pub product_category_refs: Option<Vec<ProductCategoryRef>>,
    /// Publication status (legacy field from Codat's examples).
    pub status: Option<ProductVariantStatus>,
    /// Variants; a product with one price has one variant.
    pub variants: Option<Vec<ProductVariant>>,
    /// Client-configured extra fields.
    pub supplemental_data: Option<SupplementalData>,
    /// When the product was created.
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}

/// Codat `productVariant`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProductVariant {
    /// Variant id, unique within the company.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// Whether tax applies.
    pub is_tax_enabled: Option<bool>,
    /// Stock keeping unit.
    pub sku: Option<String>,
    /// UPC, ISBN or similar.
    pub barcode: Option<String>,
    /// Unit of measure.
    pub unit_of_measure: Option<String>,
    /// VAT rate in percent, e.g. `20`.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub vat_percentage: Option<Decimal>,
    /// Quantity (legacy field from Codat's examples).
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub quantity: Option<Decimal>,
    /// Prices, one per currency.
    pub prices: Option<Vec<ProductPrice>>,
    /// Stock.
    pub inventory: Option<ProductInventory>,
    /// Whether the variant must be shipped.
    pub shipping_required: Option<bool>,
    /// Publication status.
    pub status: Option<ProductVariantStatus>,
    /// When the variant was created.
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}

codat_enum! {
    /// Codat `productVariantStatus`.
    pub enum ProductVariantStatus {
        /// On sale.
        Published,
        /// Not on sale.
        Unpublished,
    }
}

/// Codat `productPrice`: a unit price in one currency.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProductPrice {
    /// Currency (ISO 4217).
    pub currency: Option<String>,
    /// Price of one unit.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub unit_price: Option<Decimal>,
}

/// Codat `productInventory`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProductInventory {
    /// Total stock.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub total_quantity: Option<Decimal>,
    /// Stock per location.
    pub locations: Option<Vec<ProductInventoryLocation>>,
}

/// Codat `productInventoryLocation`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProductInventoryLocation {
    /// Stock at this location.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub quantity: Option<Decimal>,
    /// The location.
    pub location_ref: Option<LocationRef>,
}
