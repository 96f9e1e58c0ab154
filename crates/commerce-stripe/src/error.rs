//! The one error type of the mapping crate.

/// Why a Stripe object (or a document of them) could not be mapped.
///
/// The record-level variants (`MissingField`, `InvalidField`, `AmountOverflow`) concern one record
/// only: a caller mapping a page reports it and goes on with the rest.
/// `object` is Stripe's object name (`charge`, `balance_transaction`, ...), `id` its Stripe id
/// (empty when the object has none, like a balance) and `field` the Stripe field at fault, as a
/// dotted path.
/// The document-level variants carry the JSON path (`$[2].data[0]`) of the object at fault.
/// Every message is one line and already includes its cause, so print it with `{}` alone.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// A field the mapping needs is missing or null (e.g. a charge without a currency).
    #[error("{object} {id}: required field `{field}` is missing")]
    MissingField {
        /// Stripe object name.
        object: &'static str,
        /// Stripe id of the object.
        id: String,
        /// The missing field.
        field: &'static str,
    },
    /// A field holds a value the mapping cannot use (e.g. a currency code of four letters).
    #[error("{object} {id}: field `{field}` has an invalid value {value:?}")]
    InvalidField {
        /// Stripe object name.
        object: &'static str,
        /// Stripe id of the object.
        id: String,
        /// The field at fault.
        field: &'static str,
        /// The value as Stripe sent it.
        value: String,
    },
    /// An amount (or a sum of amounts) does not fit an exact decimal.
    #[error("{object} {id}: amount in `{field}` overflows")]
    AmountOverflow {
        /// Stripe object name.
        object: &'static str,
        /// Stripe id of the object.
        id: String,
        /// The field whose amount overflowed.
        field: &'static str,
    },
    /// A document is not valid JSON, or an object in it does not have the shape of its Stripe type.
    #[error("{path}: {source}")]
    Json {
        /// JSON path of the value at fault (`$[0].data[3].amount`).
        path: String,
        /// What serde_json found.
        #[source]
        source: serde_json::Error,
    },
    /// A value in a document is not a Stripe object, list envelope or array of them.
    #[error("{path}: {reason}")]
    NotStripeObject {
        /// JSON path of the value at fault.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A document holds a Stripe object that does not belong to the requested data type.
    #[error("{path}: a `{object}` object cannot be mapped to {data_type}")]
    UnexpectedObject {
        /// JSON path of the object.
        path: String,
        /// Its Stripe object name.
        object: String,
        /// The data type being mapped (`commerce-payments`, ...).
        data_type: String,
    },
    /// A document holds an object that needs another one that is not there
    /// (a price without its product, a balance without an account).
    #[error("{path}: {object} {id} needs {needs}, which is not in the document")]
    Orphan {
        /// JSON path of the object.
        path: String,
        /// Its Stripe object name.
        object: &'static str,
        /// Its Stripe id (empty for a balance).
        id: String,
        /// What is missing, e.g. `product prod_123`.
        needs: String,
    },
    /// A record-level error, located in a document.
    #[error("{path}: {source}")]
    At {
        /// JSON path of the object at fault.
        path: String,
        /// The record's error.
        #[source]
        source: Box<MapError>,
    },
}
