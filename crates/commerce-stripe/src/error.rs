//! The one error type of the mapping crate.

/// Why one Stripe object could not be mapped. It concerns that record only: the rest of a page goes on.
///
/// `object` is Stripe's object name (`charge`, `balance_transaction`, ...), `id` its Stripe id
/// (empty when the object has none) and `field` the Stripe field at fault, as a dotted path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// A field the mapping needs is missing or null (e.g. a charge without a currency).
    #[error("{object} {id:?}: required field `{field}` is missing")]
    MissingField {
        /// Stripe object name.
        object: &'static str,
        /// Stripe id of the object.
        id: String,
        /// The missing field.
        field: &'static str,
    },
    /// A field holds a value the mapping cannot use (e.g. a currency code of four letters).
    #[error("{object} {id:?}: field `{field}` has an invalid value {value:?}")]
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
    #[error("{object} {id:?}: amount in `{field}` overflows")]
    AmountOverflow {
        /// Stripe object name.
        object: &'static str,
        /// Stripe id of the object.
        id: String,
        /// The field whose amount overflowed.
        field: &'static str,
    },
    /// The object is not of the kind this mapping takes (e.g. a refund given to `map_charge`).
    #[error("{object} {id:?}: expected a `{expected}` object")]
    WrongObject {
        /// Stripe object name as sent.
        object: String,
        /// Stripe id of the object.
        id: String,
        /// The object name the mapping takes.
        expected: &'static str,
    },
}
