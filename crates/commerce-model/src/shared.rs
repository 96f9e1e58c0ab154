//! Types shared by several commerce data types: addresses, phone numbers, web links, record
//! references and supplemental data.
//!
//! Field names and enum spellings are Codat's exactly (schema names in each item's docs).
//! Every field Codat marks optional is an `Option` and is left out of the JSON when `None`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::codat_enum::codat_enum;

/// An address (Codat `Address`, "Commerce: Address"). Every field is optional.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// What the address is for.
    #[serde(rename = "type")]
    pub address_type: Option<AddressType>,
    /// First line.
    pub line1: Option<String>,
    /// Second line.
    pub line2: Option<String>,
    /// Third line, or city.
    pub city: Option<String>,
    /// Fourth line, or region (state, county).
    pub region: Option<String>,
    /// Country, free form as the platform gives it (`GB` or `United Kingdom`).
    pub country: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
}

codat_enum! {
    /// Codat `commerceAddressType`.
    pub enum AddressType {
        /// Billing address.
        Billing,
        /// Delivery (shipping) address.
        Delivery,
        /// Address of an order.
        Order,
        /// Address where inventory is held.
        Inventory,
    }
}

/// A phone number (Codat `PhoneNumber`, "Phone").
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PhoneNumber {
    /// The number as the platform gives it.
    pub number: Option<String>,
    /// The kind of number (required by Codat; `Unknown` when the platform does not say).
    #[serde(rename = "type")]
    pub phone_type: PhoneNumberType,
}

codat_enum! {
    /// The `type` of a [`PhoneNumber`].
    pub enum PhoneNumberType {
        /// Primary number.
        Primary,
        /// Landline.
        Landline,
        /// Mobile.
        Mobile,
        /// Fax.
        Fax,
    }
}

/// A web link of a company (Codat `Weblink`).
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct WebLink {
    /// The kind of link.
    #[serde(rename = "type")]
    pub link_type: Option<WebLinkType>,
    /// The URL.
    pub url: Option<String>,
}

codat_enum! {
    /// The `type` of a [`WebLink`].
    pub enum WebLinkType {
        /// The company's website.
        Website,
        /// A social media profile.
        Social,
    }
}

/// A generic reference to another record (Codat `RecordRef`): both fields required.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RecordRef {
    /// The referenced record's id.
    pub id: String,
    /// The referenced record's type, free text.
    #[serde(rename = "type")]
    pub record_type: String,
}

/// A reference by id with an optional display name.
///
/// This one shape is Codat's `commerceCustomerRef`, `locationRef`, `productRef`, `productVariantRef`,
/// `PaymentMethodRef` and the legacy `productCategoryRefs` items; the aliases below name each use.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct NamedRef {
    /// The referenced record's id (required).
    pub id: String,
    /// Its name, if known.
    pub name: Option<String>,
}

/// Codat `commerceCustomerRef`.
pub type CustomerRef = NamedRef;
/// Codat `locationRef`.
pub type LocationRef = NamedRef;
/// Codat `productRef`.
pub type ProductRef = NamedRef;
/// Codat `productVariantRef`.
pub type ProductVariantRef = NamedRef;
/// Codat `PaymentMethodRef`.
pub type PaymentMethodRef = NamedRef;
/// The items of the legacy `Product.productCategoryRefs` (seen in Codat's examples, not its schema).
pub type ProductCategoryRef = NamedRef;

/// Codat `taxComponentRef`: unlike the other references, `name` is required.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TaxComponentRef {
    /// The tax component's id.
    pub id: String,
    /// The tax component's name.
    pub name: String,
}

/// Codat `transactionSourceRef`: the event that caused a transaction (or is disputed).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TransactionSourceRef {
    /// The source record's id, e.g. a charge id.
    pub id: String,
    /// What kind of record the source is.
    #[serde(rename = "type")]
    pub source_type: TransactionSourceType,
}

codat_enum! {
    /// Codat `transactionSourceType`.
    pub enum TransactionSourceType {
        /// A fee.
        Fee,
        /// An order.
        Order,
        /// A payment.
        Payment,
        /// A service charge.
        ServiceCharge,
    }
}

/// Codat `SupplementalData`: extra platform fields a client configured, passed through untouched.
///
/// `content` maps a configuration name to an object of client-named values.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SupplementalData {
    /// Configuration name → values. `None` is written as absent.
    pub content: Option<BTreeMap<String, serde_json::Map<String, serde_json::Value>>>,
}
