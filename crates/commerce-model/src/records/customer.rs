//! Codat `Customer` ("Commerce: Customer").

use serde::{Deserialize, Serialize};

use crate::shared::Address;
use crate::Timestamp;

/// A customer of the merchant.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// Email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// Phone number, as a plain string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Default currency of the customer's transactions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_currency: Option<String>,
    /// Addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<Address>>,
    /// Free-text note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When the customer was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<Timestamp>,
}
