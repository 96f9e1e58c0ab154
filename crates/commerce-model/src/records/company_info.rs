//! Codat `CompanyInfo` ("Commerce: Company profile"): the one record per connection describing the
//! merchant, with its account balances.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::shared::{Address, PhoneNumber, WebLink};
use crate::Timestamp;

/// The merchant's company profile. Codat gives it no `id`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CompanyInfo {
    /// Trading name.
    pub company_name: Option<String>,
    /// The company's identifier in the commerce platform.
    pub commerce_platform_ref: Option<String>,
    /// Registered legal name.
    pub company_legal_name: Option<String>,
    /// Addresses.
    pub addresses: Option<Vec<Address>>,
    /// Phone numbers.
    pub phone_numbers: Option<Vec<PhoneNumber>>,
    /// Websites and social links.
    pub web_links: Option<Vec<WebLink>>,
    /// Company registration number.
    pub registration_number: Option<String>,
    /// Base currency (ISO 4217).
    pub base_currency: Option<String>,
    /// Available, pending and reserved cash, one entry per currency.
    pub account_balances: Option<Vec<AccountBalance>>,
    /// Deep links into the platform, by name.
    pub source_urls: Option<BTreeMap<String, String>>,
    /// When the company was created.
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}

/// Codat `accountBalance`: cash balances in one currency.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AccountBalance {
    /// Funds available now.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub available: Option<Decimal>,
    /// Funds not yet available.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub pending: Option<Decimal>,
    /// Funds held in reserve.
    #[serde(default, with = "crate::money::option")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<crate::money::Amount>"))]
    pub reserved: Option<Decimal>,
    /// Currency (ISO 4217).
    pub currency: Option<String>,
}
