//! Codat `Product` ("Commerce: Product") with its variants, prices and inventory.
//!
//! Codat's schema gives `Product` no dates, status or category references, but every example since
//! 2023 (the Stripe ones included) carries `productCategoryRefs`, `status`, `createdDate`,
//! `modifiedDate` and `sourceModifiedDate`, and variants carry `quantity`; they are modelled here too.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::codat_enum::codat_enum;
use crate::shared::{LocationRef, ProductCategoryRef, SupplementalData};
use crate::Timestamp;

/// A product the merchant sells.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Retail category, e.g. `Hardware`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categorization: Option<String>,
    /// Whether this is a gift card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_gift_card: Option<bool>,
    /// Categories (legacy field from Codat's examples).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_category_refs: Option<Vec<ProductCategoryRef>>,
    /// Publication status (legacy field from Codat's examples).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ProductVariantStatus>,
    /// Variants; a product with one price has one variant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variants: Option<Vec<ProductVariant>>,
    /// Client-configured extra fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplemental_data: Option<SupplementalData>,
    /// When the product was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<Timestamp>,
}

/// Codat `productVariant`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductVariant {
    /// Variant id, unique within the company.
    pub id: String,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether tax applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_tax_enabled: Option<bool>,
    /// Stock keeping unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// UPC, ISBN or similar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    /// Unit of measure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_of_measure: Option<String>,
    /// VAT rate in percent, e.g. `20`.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub vat_percentage: Option<Decimal>,
    /// Quantity (legacy field from Codat's examples).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<Decimal>,
    /// Prices, one per currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prices: Option<Vec<ProductPrice>>,
    /// Stock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory: Option<ProductInventory>,
    /// Whether the variant must be shipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_required: Option<bool>,
    /// Publication status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ProductVariantStatus>,
    /// When the variant was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
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
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductPrice {
    /// Currency (ISO 4217).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Price of one unit.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_price: Option<Decimal>,
}

/// Codat `productInventory`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductInventory {
    /// Total stock.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_quantity: Option<Decimal>,
    /// Stock per location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<ProductInventoryLocation>>,
}

/// Codat `productInventoryLocation`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductInventoryLocation {
    /// Stock at this location.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<Decimal>,
    /// The location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_ref: Option<LocationRef>,
}
