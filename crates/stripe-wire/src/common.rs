//! Shapes shared by every resource: lists, search results, expandable references, deleted
//! objects and error bodies.

use serde::{Deserialize, Serialize};

/// A page of a list endpoint (`"object": "list"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct List<T> {
    /// Always `"list"`.
    #[serde(default = "list_object")]
    pub object: String,
    /// The objects of this page, newest first.
    pub data: Vec<T>,
    /// Whether more objects follow this page.
    pub has_more: bool,
    /// The URL of this list, e.g. `/v1/charges`.
    #[serde(default)]
    pub url: String,
}

fn list_object() -> String {
    "list".to_owned()
}

impl<T> List<T> {
    /// Builds a list page (used by fakes and tests; Stripe builds them on the wire).
    pub fn new(data: Vec<T>, has_more: bool, url: impl Into<String>) -> Self {
        Self {
            object: list_object(),
            data,
            has_more,
            url: url.into(),
        }
    }
}

/// A page of a search endpoint (`"object": "search_result"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SearchResult<T> {
    /// Always `"search_result"`.
    pub object: String,
    /// The objects of this page.
    pub data: Vec<T>,
    /// Whether more results follow.
    pub has_more: bool,
    /// The cursor for the next page, when `has_more`.
    #[serde(default)]
    pub next_page: Option<String>,
    /// The URL of this search.
    #[serde(default)]
    pub url: String,
    /// The total count, when requested with `expand[]=total_count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
}

/// A reference Stripe may send as an id or, when expanded, as the whole object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    /// The id only (not expanded).
    Id(String),
    /// The expanded object.
    Object(Box<T>),
}

/// Objects that carry an `id`, so an [`Expandable`] can name its target either way.
pub trait HasId {
    /// The object's Stripe id.
    fn id(&self) -> &str;
}

impl<T: HasId> Expandable<T> {
    /// The id of the referenced object, expanded or not.
    pub fn id(&self) -> &str {
        match self {
            Expandable::Id(id) => id,
            Expandable::Object(object) => object.id(),
        }
    }

    /// The expanded object, if it was expanded.
    pub fn as_object(&self) -> Option<&T> {
        match self {
            Expandable::Id(_) => None,
            Expandable::Object(object) => Some(object),
        }
    }
}

/// The shape Stripe returns for a deleted object: `{id, object, deleted: true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Deleted {
    /// The id of the deleted object.
    pub id: String,
    /// The object type, e.g. `"customer"`.
    pub object: String,
    /// Always `true`.
    pub deleted: bool,
}

/// The body of every API error response: `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiErrorBody {
    /// The error.
    pub error: ApiError,
}

/// An API error as Stripe describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct ApiError {
    /// `api_error`, `card_error`, `idempotency_error`, `invalid_request_error`, ... (kept as sent).
    #[serde(rename = "type", default)]
    pub error_type: String,
    /// A short machine-readable code such as `resource_missing` or `rate_limit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// For card errors, the issuer's decline code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
    /// A human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The parameter the error relates to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// A link to Stripe's documentation of the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_url: Option<String>,
    /// A link to the request in the Stripe dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_log_url: Option<String>,
}

impl ApiError {
    /// Builds an error with a type, code and message (used by fakes and tests).
    pub fn new(
        error_type: impl Into<String>,
        code: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            error_type: error_type.into(),
            code: code.map(str::to_owned),
            message: Some(message.into()),
            ..Self::default()
        }
    }
}

/// The body of a Connect OAuth error: `{"error": "invalid_grant", "error_description": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OAuthErrorBody {
    /// The OAuth error code (`invalid_grant`, `invalid_client`, `invalid_request`, ...).
    pub error: String,
    /// A human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl OAuthErrorBody {
    /// Builds an OAuth error body (used by fakes and tests).
    pub fn new(error: impl Into<String>, error_description: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            error_description: Some(error_description.into()),
        }
    }
}
