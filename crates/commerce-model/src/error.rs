//! The crate's error type, [`ModelError`].
//!
//! Platform implementations report failures with `platform::PlatformError` instead: that type
//! is part of the plug-in contract and tells the sync engine what to do.

use crate::data_type::DataType;

/// Everything that can go wrong in this crate: parsing a query, an `orderBy`, a data type or a date,
/// turning a typed record into a stored `platform::Record`, or a link-state store failing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A date that is none of the ISO 8601 forms Codat uses.
    #[error("invalid date {value:?}: expected an ISO 8601 date or date-time")]
    InvalidDate {
        /// The text that was given.
        value: String,
    },
    /// A data type key or URL segment this crate does not know.
    #[error("unknown data type {value:?}: expected a key such as `commerce-customers` or a URL segment such as `commerce-info`")]
    UnknownDataType {
        /// The text that was given.
        value: String,
    },
    /// A `query` longer than Codat's limit.
    #[error("query is {length} characters long; the limit is {max}")]
    QueryTooLong {
        /// Length of the query, in characters.
        length: usize,
        /// The limit (2,048).
        max: usize,
    },
    /// A `query` that does not follow the grammar.
    #[error("malformed query at character {position}: expected {expected}, found {found}")]
    QuerySyntax {
        /// Zero-based character offset of the problem.
        position: usize,
        /// What the parser expected there, e.g. "an operator (=, !=, ~, >, <, >=, <=)".
        expected: &'static str,
        /// What it found, e.g. "`&&`" or "end of query".
        found: String,
    },
    /// `&&` and `||` side by side without `{ }` to say which binds first.
    #[error("malformed query at character {position}: `&&` and `||` cannot be mixed without `{{ }}` groups")]
    QueryMixedOperators {
        /// Zero-based character offset of the operator that mixed.
        position: usize,
    },
    /// An `orderBy` that is not a comma-separated list of (optionally `-`-prefixed) field paths.
    #[error("malformed orderBy {value:?}: {reason}")]
    InvalidOrderBy {
        /// The text that was given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `query` or `orderBy` naming a field the data type does not declare.
    #[error("could not resolve property {path} on {data_type}")]
    UnknownField {
        /// The data type queried.
        data_type: DataType,
        /// The path as written.
        path: String,
    },
    /// A `query` or `orderBy` naming an object (`customerRef`) instead of one of its fields.
    #[error("{path} is an object; name one of its fields, e.g. {example}")]
    NotAValueField {
        /// The path as written.
        path: String,
        /// A path to one of its fields.
        example: String,
    },
    /// A comparison with an operator its field's type does not support (`amount~5`).
    #[error("operator {op} cannot be used on {path}, a {} field (it takes {allowed})", value_type.name())]
    QueryOperator {
        /// The path as written.
        path: String,
        /// The operator.
        op: crate::query::Op,
        /// The field's type.
        value_type: crate::fields::ValueType,
        /// The operators the type takes, space-separated.
        allowed: String,
    },
    /// A comparison whose value is not of its field's type (`createdDate>yesterday`).
    #[error("{path} is a {} field, and {value:?} is not {}", value_type.name(), article(*value_type))]
    QueryValue {
        /// The path as written.
        path: String,
        /// The field's type.
        value_type: crate::fields::ValueType,
        /// The value as written.
        value: String,
    },
    /// An `orderBy` on a field inside a list, which has no single value to sort by.
    #[error("cannot order by {path}: it is inside a list")]
    OrderByList {
        /// The path as written.
        path: String,
    },
    /// A record of a type whose schema makes `id` optional was given without one.
    #[error("a {data_type} record has no id")]
    MissingRecordId {
        /// The record's data type.
        data_type: DataType,
    },
    /// A record could not be converted to or from JSON.
    #[error("could not convert a {data_type} record to or from JSON")]
    RecordJson {
        /// The record's data type.
        data_type: DataType,
        /// The underlying serde error.
        #[source]
        source: serde_json::Error,
    },
    /// A `platform::LinkStateStore` failed (e.g. its database is unreachable).
    #[error("link state store failed: {message}")]
    LinkStateStore {
        /// What failed.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
    /// A Codat OpenAPI file could not be used for schema validation.
    #[cfg(feature = "schema-check")]
    #[error("schema check: {message}")]
    SchemaCheck {
        /// What failed.
        message: String,
    },
    /// A value does not match a Codat schema (feature `schema-check`).
    #[cfg(feature = "schema-check")]
    #[error("value does not match schema {schema}: {}", errors.join("; "))]
    SchemaViolation {
        /// The schema name under `components.schemas`.
        schema: String,
        /// Every violation, with its JSON path.
        errors: Vec<String>,
    },
}

/// How an error names a value of a type: "a date", "an unquoted number".
fn article(value_type: crate::fields::ValueType) -> &'static str {
    match value_type {
        crate::fields::ValueType::Number => "an unquoted number",
        crate::fields::ValueType::Date => "an ISO 8601 date or date-time",
        crate::fields::ValueType::Boolean => "true or false",
        _ => "text",
    }
}
