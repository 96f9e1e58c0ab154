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

// ---------------------------------------------------------------------------------------------
// Every field of every data type, for checking queries.

/// What a declared field holds when it is a value (not an object).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueType {
    /// A JSON string: ids, names, currencies, enum values.
    Text,
    /// A JSON number (amounts, quantities, rates).
    Number,
    /// Codat's `DateTime`: an ISO 8601 date or date-time, written as a JSON string.
    Date,
    /// A JSON boolean.
    Boolean,
}

/// What a [`Field`] holds: a value, or an object with fields of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldContent {
    /// A value of one type.
    Value(ValueType),
    /// An object (`customerRef`, `address`) and its fields.
    Object(&'static [Field]),
}

/// One field of a data type's JSON, as declared by the model (see [`DataType::fields`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The field's JSON name (`customerRef`).
    pub name: &'static str,
    /// Whether the field is a list of its content (`addresses`).
    pub list: bool,
    /// What it holds.
    pub content: FieldContent,
}

/// Where a field path leads, found by [`DataType::resolve_path`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedField {
    /// The last field of the path.
    pub field: Field,
    /// Whether the path passes through a list (the field itself included).
    pub through_list: bool,
}

impl ValueType {
    /// A lowercase name for messages: `text`, `number`, `date`, `boolean`.
    pub const fn name(self) -> &'static str {
        match self {
            ValueType::Text => "text",
            ValueType::Number => "number",
            ValueType::Date => "date",
            ValueType::Boolean => "boolean",
        }
    }
}

const fn value(name: &'static str, value_type: ValueType) -> Field {
    Field {
        name,
        list: false,
        content: FieldContent::Value(value_type),
    }
}

const fn string(name: &'static str) -> Field {
    value(name, ValueType::Text)
}

const fn decimal(name: &'static str) -> Field {
    value(name, ValueType::Number)
}

const fn date(name: &'static str) -> Field {
    value(name, ValueType::Date)
}

const fn boolean(name: &'static str) -> Field {
    value(name, ValueType::Boolean)
}

const fn object(name: &'static str, fields: &'static [Field]) -> Field {
    Field {
        name,
        list: false,
        content: FieldContent::Object(fields),
    }
}

const fn list_of(name: &'static str, fields: &'static [Field]) -> Field {
    Field {
        list: true,
        ..object(name, fields)
    }
}

const ADDRESS: &[Field] = &[
    string("type"),
    string("line1"),
    string("line2"),
    string("city"),
    string("region"),
    string("country"),
    string("postalCode"),
];

const NAMED_REF: &[Field] = &[string("id"), string("name")];

const RECORD_REF: &[Field] = &[string("id"), string("type")];

const TAX_ALLOCATION: &[Field] = &[
    object("taxComponentRef", NAMED_REF),
    decimal("rate"),
    // Not in Codat's schema, but in its examples.
    decimal("taxAmount"),
];

const COMPANY_INFO_FIELDS: &[Field] = &[
    string("companyName"),
    string("commercePlatformRef"),
    string("companyLegalName"),
    list_of("addresses", ADDRESS),
    list_of("phoneNumbers", &[string("number"), string("type")]),
    list_of("webLinks", &[string("type"), string("url")]),
    string("registrationNumber"),
    string("baseCurrency"),
    list_of(
        "accountBalances",
        &[
            decimal("available"),
            decimal("pending"),
            decimal("reserved"),
            string("currency"),
        ],
    ),
    date("createdDate"),
    date("modifiedDate"),
    date("sourceModifiedDate"),
];

const CUSTOMER_FIELDS: &[Field] = &[
    string("id"),
    string("customerName"),
    string("emailAddress"),
    string("phone"),
    string("defaultCurrency"),
    list_of("addresses", ADDRESS),
    string("note"),
    date("createdDate"),
    date("modifiedDate"),
    date("sourceModifiedDate"),
];

const DISPUTE_FIELDS: &[Field] = &[
    string("id"),
    list_of("disputedTransactions", RECORD_REF),
    decimal("totalAmount"),
    string("currency"),
    string("status"),
    string("reason"),
    date("dueDate"),
    date("createdDate"),
    date("modifiedDate"),
    date("sourceModifiedDate"),
];

const LOCATION_FIELDS: &[Field] = &[
    string("id"),
    string("name"),
    object("address", ADDRESS),
    date("modifiedDate"),
    date("sourceModifiedDate"),
];

const ORDER_FIELDS: &[Field] = &[
    string("id"),
    string("orderNumber"),
    string("country"),
    string("currency"),
    date("closedDate"),
    decimal("totalAmount"),
    decimal("totalRefund"),
    decimal("totalTaxAmount"),
    decimal("totalDiscount"),
    decimal("totalGratuity"),
    list_of(
        "orderLineItems",
        &[
            string("id"),
            decimal("quantity"),
            decimal("taxPercentage"),
            decimal("totalAmount"),
            decimal("totalTaxAmount"),
            decimal("unitPrice"),
            list_of("taxes", TAX_ALLOCATION),
            object("productRef", NAMED_REF),
            object("productVariantRef", NAMED_REF),
            list_of(
                "discountAllocations",
                &[string("name"), decimal("totalAmount")],
            ),
        ],
    ),
    list_of(
        "payments",
        &[
            string("id"),
            decimal("amount"),
            string("currency"),
            string("type"),
            string("status"),
            string("paymentProvider"),
            date("dueDate"),
            date("createdDate"),
            date("modifiedDate"),
            date("sourceModifiedDate"),
        ],
    ),
    list_of(
        "serviceCharges",
        &[
            string("description"),
            decimal("totalAmount"),
            decimal("taxPercentage"),
            decimal("taxAmount"),
            list_of("taxes", TAX_ALLOCATION),
            decimal("quantity"),
            string("type"),
        ],
    ),
    object("locationRef", NAMED_REF),
    object("customerRef", NAMED_REF),
    date("createdDate"),
    date("modifiedDate"),
    date("sourceModifiedDate"),
];

const PAYMENT_METHOD_FIELDS: &[Field] = &[
    string("id"),
    string("name"),
    string("status"),
    date("modifiedDate"),
    date("sourceModifiedDate"),
];

const PAYMENT_FIELDS: &[Field] = &[
    string("id"),
    decimal("amount"),
    string("currency"),
    object("paymentMethodRef", NAMED_REF),
    string("status"),
    // Not in Codat's `Payment` schema, but in its examples.
    string("type"),
    string("paymentProvider"),
    date("dueDate"),
    date("createdDate"),
    date("modifiedDate"),
    date("sourceModifiedDate"),
];

const PRODUCT_CATEGORY_FIELDS: &[Field] = &[
    string("id"),
    string("name"),
    list_of("ancestorRefs", RECORD_REF),
    boolean("hasChildren"),
    date("modifiedDate"),
    date("sourceModifiedDate"),
];

const PRODUCT_FIELDS: &[Field] = &[
    string("id"),
    string("name"),
    string("description"),
    string("categorization"),
    boolean("isGiftCard"),
    list_of(
        "variants",
        &[
            string("id"),
            string("name"),
            boolean("isTaxEnabled"),
            string("sku"),
            string("barcode"),
            string("unitOfMeasure"),
            decimal("vatPercentage"),
            list_of("prices", &[string("currency"), decimal("unitPrice")]),
            object(
                "inventory",
                &[
                    decimal("totalQuantity"),
                    list_of(
                        "locations",
                        &[decimal("quantity"), object("locationRef", NAMED_REF)],
                    ),
                ],
            ),
            boolean("shippingRequired"),
            string("status"),
            date("createdDate"),
            date("modifiedDate"),
            date("sourceModifiedDate"),
            // Not in Codat's schema, but in its examples.
            decimal("quantity"),
        ],
    ),
    // Not in Codat's `Product` schema, but in its examples.
    list_of("productCategoryRefs", NAMED_REF),
    string("status"),
    date("createdDate"),
    date("modifiedDate"),
    date("sourceModifiedDate"),
];

const TAX_COMPONENT_FIELDS: &[Field] = &[
    string("id"),
    string("name"),
    decimal("rate"),
    boolean("isCompound"),
    date("modifiedDate"),
    date("sourceModifiedDate"),
];

const TRANSACTION_FIELDS: &[Field] = &[
    string("id"),
    decimal("totalAmount"),
    string("currency"),
    string("type"),
    string("subType"),
    object("transactionSourceRef", RECORD_REF),
    date("createdDate"),
    date("sourceCreatedDate"),
    date("modifiedDate"),
    date("sourceModifiedDate"),
];

impl DataType {
    /// Every field of this data type's JSON that a `query` or `orderBy` may name, with its
    /// type: Codat's schema for the type, plus the fields its examples carry that the schema
    /// leaves out (marked in the source). `supplementalData` is not among them (Codat: "not
    /// queryable"), nor is company info's `sourceUrls` (a map with platform-chosen keys).
    ///
    /// Checked against the record types and Codat's OpenAPI schemas by this crate's tests.
    pub fn fields(self) -> &'static [Field] {
        match self {
            DataType::CompanyInfo => COMPANY_INFO_FIELDS,
            DataType::Customers => CUSTOMER_FIELDS,
            DataType::Disputes => DISPUTE_FIELDS,
            DataType::Locations => LOCATION_FIELDS,
            DataType::Orders => ORDER_FIELDS,
            DataType::PaymentMethods => PAYMENT_METHOD_FIELDS,
            DataType::Payments => PAYMENT_FIELDS,
            DataType::ProductCategories => PRODUCT_CATEGORY_FIELDS,
            DataType::Products => PRODUCT_FIELDS,
            DataType::TaxComponents => TAX_COMPONENT_FIELDS,
            DataType::Transactions => TRANSACTION_FIELDS,
        }
    }

    /// The declared field a dot-separated path (`customerRef.id`) names, or `None` when some
    /// segment is not a field there (or the path steps into a value).
    pub fn resolve_path<S: AsRef<str>>(self, path: &[S]) -> Option<ResolvedField> {
        let mut fields = self.fields();
        let mut through_list = false;
        let mut found = None;
        for segment in path {
            if found.is_some() {
                let Some(Field {
                    content: FieldContent::Object(inner),
                    ..
                }) = found
                else {
                    return None;
                };
                fields = inner;
            }
            let field = *fields.iter().find(|field| field.name == segment.as_ref())?;
            through_list |= field.list;
            found = Some(field);
        }
        found.map(|field| ResolvedField {
            field,
            through_list,
        })
    }
}
