//! Codat `ProductCategory` ("Commerce: Product category").

use serde::{Deserialize, Serialize};

use crate::shared::RecordRef;
use crate::Timestamp;

/// A product category. Unlike other types, Codat makes its `id` optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductCategory {
    /// Id, when the platform has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Parent categories, the immediate parent last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ancestor_refs: Option<Vec<RecordRef>>,
    /// Whether it has sub-categories.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_children: Option<bool>,
    /// When this record was last fetched and stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<Timestamp>,
}
