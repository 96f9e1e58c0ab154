//! Codat `Order` ("Commerce: Order") with its line items, payments, service charges, discounts and
//! tax allocations.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::codat_enum::codat_enum;
use crate::records::payment::PaymentRef;
use crate::records::tax_component::TaxComponentAllocation;
use crate::shared::{CustomerRef, LocationRef, ProductRef, ProductVariantRef, SupplementalData};
use crate::Timestamp;

/// An order placed with the merchant.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Friendly order reference.
    pub order_number: Option<String>,
    /// Country as the platform gives it (ISO 3166 code or free text).
    pub country: Option<String>,
    /// Currency the order was placed in.
    pub currency: Option<String>,
    /// When the order was closed.
    pub closed_date: Option<Timestamp>,
    /// Total including discounts, refunds and tax, excluding gratuities.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub total_amount: Option<Decimal>,
    /// Total refunded (always negative).
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub total_refund: Option<Decimal>,
    /// Total tax.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub total_tax_amount: Option<Decimal>,
    /// Total discount (usually positive).
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub total_discount: Option<Decimal>,
    /// Total gratuity.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub total_gratuity: Option<Decimal>,
    /// Line items.
    pub order_line_items: Option<Vec<OrderLineItem>>,
    /// Payments made against the order.
    pub payments: Option<Vec<PaymentRef>>,
    /// Service charges (shipping, overpayment, ...).
    pub service_charges: Option<Vec<ServiceCharge>>,
    /// Where the order was placed.
    pub location_ref: Option<LocationRef>,
    /// Who placed it.
    pub customer_ref: Option<CustomerRef>,
    /// Client-configured extra fields.
    pub supplemental_data: Option<SupplementalData>,
    /// When the order was created.
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}

/// Codat `orderLineItem`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderLineItem {
    /// Line id (required).
    pub id: String,
    /// Quantity; negative for refunds.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub quantity: Option<Decimal>,
    /// Tax percentage, 0–100.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub tax_percentage: Option<Decimal>,
    /// Total including discounts and tax.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub total_amount: Option<Decimal>,
    /// Total tax.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub total_tax_amount: Option<Decimal>,
    /// Unit price excluding discounts and tax.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub unit_price: Option<Decimal>,
    /// Taxes applied.
    pub taxes: Option<Vec<TaxComponentAllocation>>,
    /// The product sold.
    pub product_ref: Option<ProductRef>,
    /// The product variant sold.
    pub product_variant_ref: Option<ProductVariantRef>,
    /// Discounts applied.
    pub discount_allocations: Option<Vec<OrderDiscountAllocation>>,
}

/// Codat `serviceCharge`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServiceCharge {
    /// Description.
    pub description: Option<String>,
    /// Total including tax.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub total_amount: Option<Decimal>,
    /// Tax percentage, 0–100.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub tax_percentage: Option<Decimal>,
    /// Tax amount.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub tax_amount: Option<Decimal>,
    /// Taxes applied.
    pub taxes: Option<Vec<TaxComponentAllocation>>,
    /// Quantity (an integer in Codat's schema).
    pub quantity: Option<i64>,
    /// Kind of charge.
    #[serde(rename = "type")]
    pub charge_type: Option<ServiceChargeType>,
}

codat_enum! {
    /// Codat `serviceChargeType`.
    pub enum ServiceChargeType {
        /// A general charge.
        Generic,
        /// Shipping.
        Shipping,
        /// An overpayment.
        Overpayment,
    }
}

/// Codat `orderDiscountAllocation`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderDiscountAllocation {
    /// Discount name.
    pub name: Option<String>,
    /// Discount amount.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub total_amount: Option<Decimal>,
}
