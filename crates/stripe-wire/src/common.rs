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
///
/// Deserializing looks at the JSON token: a string is an id, an object is the expanded value.
/// (Hand-written rather than `#[serde(untagged)]`, which buffers the whole value first and hides
/// the inner error behind "data did not match any variant".)
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    /// The id only (not expanded).
    Id(String),
    /// The expanded object.
    Object(Box<T>),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Expandable<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ExpandableVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ExpandableVisitor<T> {
            type Value = Expandable<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an id string or an expanded object")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(Expandable::Id(value.to_owned()))
            }

            fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Self::Value, E> {
                Ok(Expandable::Id(value))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                let object = T::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Expandable::Object(Box::new(object)))
            }
        }

        deserializer.deserialize_any(ExpandableVisitor(std::marker::PhantomData))
    }
}

impl<T> From<&str> for Expandable<T> {
    fn from(id: &str) -> Self {
        Expandable::Id(id.to_owned())
    }
}

impl<T> From<String> for Expandable<T> {
    fn from(id: String) -> Self {
        Expandable::Id(id)
    }
}

impl<T> Default for Expandable<T> {
    /// An empty id: only for building objects whose reference is filled in later.
    fn default() -> Self {
        Expandable::Id(String::new())
    }
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

impl Deleted {
    /// Builds the deleted shape for an object type and id, e.g. `("customer", "cus_123")`.
    pub fn new(object: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            object: object.into(),
            deleted: true,
        }
    }
}

impl HasId for Deleted {
    fn id(&self) -> &str {
        &self.id
    }
}

impl HasId for serde_json::Value {
    /// The `id` member of a raw JSON object, or `""` when it has none.
    fn id(&self) -> &str {
        self.get("id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
    }
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
