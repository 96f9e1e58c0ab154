//! Codat `Customer` ("Commerce: Customer").

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::shared::Address;
use crate::Timestamp;

/// A customer of the merchant.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Name.
    pub customer_name: Option<String>,
    /// Email address.
    pub email_address: Option<String>,
    /// Phone number, as a plain string.
    pub phone: Option<String>,
    /// Default currency of the customer's transactions.
    pub default_currency: Option<String>,
    /// Addresses.
    pub addresses: Option<Vec<Address>>,
    /// Free-text note.
    pub note: Option<String>,
    /// When the customer was created.
    pub created_date: Option<Timestamp>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}
