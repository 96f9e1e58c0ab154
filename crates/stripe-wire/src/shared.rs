//! Small shapes several resources share: addresses, shipping details, metadata.
//! Depends on serde only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Stripe metadata: string keys to string values (sorted, so output is deterministic).
pub type Metadata = BTreeMap<String, String>;

/// A postal address; every part may be null.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    /// City, district, suburb, town, or village.
    pub city: Option<String>,
    /// Two-letter country code (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Address line 1 (street, PO box, or company name).
    pub line1: Option<String>,
    /// Address line 2 (apartment, suite, unit, or building).
    pub line2: Option<String>,
    /// ZIP or postal code.
    pub postal_code: Option<String>,
    /// State, county, province, or region.
    pub state: Option<String>,
}

/// Shipping details on a customer, charge or payment intent (Stripe may send `{}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Shipping {
    /// The shipping address.
    pub address: Option<Address>,
    /// The delivery service (e.g. `UPS`).
    pub carrier: Option<String>,
    /// The recipient's name.
    pub name: Option<String>,
    /// The recipient's phone number.
    pub phone: Option<String>,
    /// The tracking number of the shipment.
    pub tracking_number: Option<String>,
}
