//! Scalar fields of each data type's JSON, for stores that push a Codat `query` down into SQL.
//!
//! A field listed here is, in every record of its data type, either absent, `null`, or a JSON
//! value of the stated [`FieldKind`]: never an array or an object. A store may therefore compare
//! it directly (`json_extract(data, '$.currency') = ?`) instead of the general form that
//! unwraps arrays, and may index the ones marked [`ScalarField::indexed`].
//! The declarations are checked against the record types and against Codat's OpenAPI schemas by
//! this crate's tests (`tests/it/fields.rs`).

use crate::DataType;

/// The JSON kind of a [`ScalarField`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldKind {
    /// A JSON string (dates, currencies, enum values, ids, names).
    Text,
    /// A JSON number (amounts).
    Number,
}

/// A top-level field of a data type that is always a scalar of one kind when present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScalarField {
    /// The field's JSON name (`totalAmount`).
    pub name: &'static str,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether stores keep an index on it. Indexes cost writes, so only the fields most often
    /// filtered on are indexed. A text field's index serves equality (only the matching rows
    /// are read); a number field's index holds it beside the record id, so that a range filter
    /// is tested while stepping through the index in id order, without reading each record's
    /// JSON (on SQLite).
    pub indexed: bool,
}

const fn text(name: &'static str) -> ScalarField {
    ScalarField {
        name,
        kind: FieldKind::Text,
        indexed: false,
    }
}

const fn number(name: &'static str) -> ScalarField {
    ScalarField {
        kind: FieldKind::Number,
        ..text(name)
    }
}

const fn indexed(field: ScalarField) -> ScalarField {
    ScalarField {
        indexed: true,
        ..field
    }
}

const CUSTOMER: &[ScalarField] = &[
    text("id"),
    text("customerName"),
    text("emailAddress"),
    text("phone"),
    text("defaultCurrency"),
    text("note"),
    text("createdDate"),
    text("modifiedDate"),
    text("sourceModifiedDate"),
];

const DISPUTE: &[ScalarField] = &[
    text("id"),
    number("totalAmount"),
    text("currency"),
    indexed(text("status")),
    text("reason"),
    text("dueDate"),
    text("createdDate"),
    text("modifiedDate"),
    text("sourceModifiedDate"),
];

const PAYMENT: &[ScalarField] = &[
    text("id"),
    indexed(number("amount")),
    indexed(text("currency")),
    indexed(text("status")),
    text("type"),
    text("paymentProvider"),
    text("dueDate"),
    text("createdDate"),
    text("modifiedDate"),
    text("sourceModifiedDate"),
];

const PRODUCT: &[ScalarField] = &[
    text("id"),
    text("name"),
    text("description"),
    text("categorization"),
    text("status"),
    text("createdDate"),
    text("modifiedDate"),
    text("sourceModifiedDate"),
];

const TRANSACTION: &[ScalarField] = &[
    text("id"),
    indexed(number("totalAmount")),
    indexed(text("currency")),
    indexed(text("type")),
    text("subType"),
    text("createdDate"),
    text("sourceCreatedDate"),
    text("modifiedDate"),
    text("sourceModifiedDate"),
];

impl DataType {
    /// The fields of this data type known to be scalars (see the [module docs](self)); empty
    /// for data types not declared yet, whose queries then take the general path.
    pub fn scalar_fields(self) -> &'static [ScalarField] {
        match self {
            DataType::Customers => CUSTOMER,
            DataType::Disputes => DISPUTE,
            DataType::Payments => PAYMENT,
            DataType::Products => PRODUCT,
            DataType::Transactions => TRANSACTION,
            _ => &[],
        }
    }

    /// The scalar field called `name`, if this data type declares one.
    pub fn scalar_field(self, name: &str) -> Option<ScalarField> {
        self.scalar_fields()
            .iter()
            .copied()
            .find(|field| field.name == name)
    }
}
