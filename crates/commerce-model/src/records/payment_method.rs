//! Codat `PaymentMethod` ("Commerce: Payment method").

use serde::{Deserialize, Serialize};

use crate::codat_enum::codat_enum;
use crate::Timestamp;

/// A way customers can pay the merchant.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    /// Unique, persistent id within the connection.
    pub id: String,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether it is in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<PaymentMethodStatus>,
    /// When this record was last fetched and stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
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
