//! Codat `Order` ("Commerce: Order") with its line items, payments, service charges, discounts and
//! tax allocations.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::codat_enum::codat_enum;
use crate::records::payment::PaymentRef;
use crate::records::tax_component::TaxComponentAllocation;
use crate::shared::{CustomerRef, LocationRef, ProductRef, ProductVariantRef, SupplementalData};
use crate::Timestamp;

/// An order placed with the merchant.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Friendly order reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    /// Country as the platform gives it (ISO 3166 code or free text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Currency the order was placed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// When the order was closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_date: Option<Timestamp>,
    /// Total including discounts, refunds and tax, excluding gratuities.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_amount: Option<Decimal>,
    /// Total refunded (always negative).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_refund: Option<Decimal>,
    /// Total tax.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_tax_amount: Option<Decimal>,
    /// Total discount (usually positive).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_discount: Option<Decimal>,
    /// Total gratuity.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_gratuity: Option<Decimal>,
    /// Line items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_line_items: Option<Vec<OrderLineItem>>,
    /// Payments made against the order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payments: Option<Vec<PaymentRef>>,
    /// Service charges (shipping, overpayment, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_charges: Option<Vec<ServiceCharge>>,
    /// Where the order was placed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_ref: Option<LocationRef>,
    /// Who placed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<CustomerRef>,
    /// Client-configured extra fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplemental_data: Option<SupplementalData>,
    /// When the order was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<Timestamp>,
}

/// Codat `orderLineItem`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineItem {
    /// Line id (required).
    pub id: String,
    /// Quantity; negative for refunds.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<Decimal>,
    /// Tax percentage, 0–100.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub tax_percentage: Option<Decimal>,
    /// Total including discounts and tax.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_amount: Option<Decimal>,
    /// Total tax.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_tax_amount: Option<Decimal>,
    /// Unit price excluding discounts and tax.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_price: Option<Decimal>,
    /// Taxes applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taxes: Option<Vec<TaxComponentAllocation>>,
    /// The product sold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_ref: Option<ProductRef>,
    /// The product variant sold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_variant_ref: Option<ProductVariantRef>,
    /// Discounts applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_allocations: Option<Vec<OrderDiscountAllocation>>,
}

/// Codat `serviceCharge`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceCharge {
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Total including tax.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_amount: Option<Decimal>,
    /// Tax percentage, 0–100.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub tax_percentage: Option<Decimal>,
    /// Tax amount.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub tax_amount: Option<Decimal>,
    /// Taxes applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taxes: Option<Vec<TaxComponentAllocation>>,
    /// Quantity (an integer in Codat's schema).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// Kind of charge.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
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
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDiscountAllocation {
    /// Discount name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Discount amount.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_amount: Option<Decimal>,
}
