//! Codat `ProductCategory` ("Commerce: Product category").

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::shared::RecordRef;
use crate::Timestamp;

/// A product category. Unlike other types, Codat makes its `id` optional.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProductCategory {
    /// Id, when the platform has one.
    pub id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Parent categories, the immediate parent last.
    pub ancestor_refs: Option<Vec<RecordRef>>,
    /// Whether it has sub-categories.
    pub has_children: Option<bool>,
    /// When this record was last fetched and stored.
    pub modified_date: Option<Timestamp>,
    /// When the record last changed in the platform.
    pub source_modified_date: Option<Timestamp>,
}
