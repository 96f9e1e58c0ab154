//! Codat `Location` ("Commerce: Location").

use serde::{Deserialize, Serialize};

use crate::shared::Address;
use crate::Timestamp;

/// A place where the merchant sells or keeps stock. Codat gives it no `createdDate`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// When this record was last fetched and stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<Timestamp>,
}
