//! Codat `Location` ("Commerce: Location").

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::shared::Address;
use crate::Timestamp;

/// A place where the merchant sells or keeps stock. Codat gives it no `createdDate`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// Address.
    pub address: Option<Address>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}
