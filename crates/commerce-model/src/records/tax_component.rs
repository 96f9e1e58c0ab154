//! Codat `TaxComponent` ("Commerce: Tax component") and `taxComponentAllocation`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::shared::TaxComponentRef;
use crate::Timestamp;

/// A tax the merchant charges.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TaxComponent {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Name (required).
    pub name: String,
    /// Rate as a fraction, 0.00–1.00 (unlike `taxPercentage` elsewhere, which is 0–100).
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub rate: Option<Decimal>,
    /// Whether it is applied on top of other taxes.
    pub is_compound: Option<bool>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}

/// Codat `taxComponentAllocation`: a tax applied to an order line or service charge.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TaxComponentAllocation {
    /// The tax.
    pub tax_component_ref: Option<TaxComponentRef>,
    /// Tax amount on the sale (Codat's schema name for it).
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub rate: Option<Decimal>,
    /// The same amount under the key Codat's own examples use; kept so such data round-trips.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub tax_amount: Option<Decimal>,
}
