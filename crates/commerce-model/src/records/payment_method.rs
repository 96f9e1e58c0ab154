//! Codat `PaymentMethod` ("Commerce: Payment method").

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::codat_enum::codat_enum;
use crate::Timestamp;

/// A way customers can pay the merchant.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// Whether it is in use.
    pub status: Option<PaymentMethodStatus>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}

codat_enum! {
    /// The `status` of a [`PaymentMethod`].
    pub enum PaymentMethodStatus {
        /// In use.
        Active,
        /// No longer in use.
        Archived,
    }
}
