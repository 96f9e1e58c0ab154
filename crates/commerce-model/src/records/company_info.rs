//! Codat `CompanyInfo` ("Commerce: Company profile"): the one record per connection describing the
//! merchant, with its account balances.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::shared::{Address, PhoneNumber, WebLink};
use crate::Timestamp;

/// The merchant's company profile. Codat gives it no `id`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyInfo {
    /// Trading name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// The company's identifier in the commerce platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commerce_platform_ref: Option<String>,
    /// Registered legal name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_legal_name: Option<String>,
    /// Addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<Address>>,
    /// Phone numbers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_numbers: Option<Vec<PhoneNumber>>,
    /// Websites and social links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_links: Option<Vec<WebLink>>,
    /// Company registration number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    /// Base currency (ISO 4217).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_currency: Option<String>,
    /// Available, pending and reserved cash, one entry per currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_balances: Option<Vec<AccountBalance>>,
    /// Deep links into the platform, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_urls: Option<BTreeMap<String, String>>,
    /// When the company was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<Timestamp>,
}

/// Codat `accountBalance`: cash balances in one currency.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountBalance {
    /// Funds available now.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub available: Option<Decimal>,
    /// Funds not yet available.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub pending: Option<Decimal>,
    /// Funds held in reserve.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub reserved: Option<Decimal>,
    /// Currency (ISO 4217).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}
