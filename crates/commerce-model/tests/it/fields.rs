//! The scalar-field declarations (`DataType::scalar_fields`) hold for the record types and agree
//! with Codat's schemas: a store relies on them to compare fields without unwrapping arrays.

use commerce_model::{
    Customer, DataType, Dispute, Field, FieldContent, FieldKind, Payment, Product, ScalarField,
    Transaction, ValueType,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// Deserializes `value` as `T` and serializes it back.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Option<Value> {
    let record: T = serde_json::from_value(value.clone()).ok()?;
    Some(serde_json::to_value(record).unwrap())
}

fn round_trip_as(data_type: DataType, value: &Value) -> Option<Value> {
    match data_type {
        DataType::Customers => round_trip::<Customer>(value),
        DataType::Disputes => round_trip::<Dispute>(value),
        DataType::Payments => round_trip::<Payment>(value),
        DataType::Products => round_trip::<Product>(value),
        DataType::Transactions => round_trip::<Transaction>(value),
        other => panic!("no record type wired into this test for {other}"),
    }
}

/// A record of `data_type` with only its required fields and `field` set to `value`.
fn record_with(data_type: DataType, field: &ScalarField, value: Value) -> Value {
    let mut record = json!({"id": "rec_1", "currency": "GBP"});
    record[field.name] = value;
    let _ = data_type;
    record
}

/// Values of the field's kind that some field type accepts: a date, a Codat enum value, text.
fn candidates(kind: FieldKind) -> Vec<Value> {
    match kind {
        FieldKind::Text => vec![
            json!("2024-01-02T03:04:05Z"),
            json!("Paid"),
            json!("Payment"),
            json!("Published"),
            json!("Won"),
            json!("Card"),
            json!("some text"),
        ],
        FieldKind::Number => vec![json!(12.5)],
        _ => Vec::new(),
    }
}

fn declared() -> Vec<(DataType, ScalarField)> {
    DataType::ALL
        .iter()
        .flat_map(|data_type| {
            data_type
                .scalar_fields()
                .iter()
                .map(move |field| (*data_type, *field))
        })
        .collect()
}

#[test]
fn every_declared_field_holds_a_scalar_of_its_kind_and_nothing_else() {
    assert!(
        declared().len() > 20,
        "the Stripe data types declare their fields"
    );
    for (data_type, field) in declared() {
        // The field exists on the record type and keeps a value of its kind.
        let kept = candidates(field.kind).into_iter().find_map(|value| {
            let out = round_trip_as(data_type, &record_with(data_type, &field, value.clone()))?;
            (out.get(field.name) == Some(&value)).then_some(value)
        });
        assert!(
            kept.is_some(),
            "{data_type}.{} is not a {:?} field of the record type (misspelt, or another kind)",
            field.name,
            field.kind
        );
        // An array or an object there is not a record of this type.
        for wrong in [json!(["GBP"]), json!({"a": 1})] {
            assert!(
                round_trip_as(data_type, &record_with(data_type, &field, wrong.clone())).is_none(),
                "{data_type}.{} accepts {wrong}",
                field.name
            );
        }
        let other_kind = match field.kind {
            FieldKind::Text => json!(12.5),
            _ => json!("text"),
        };
        if let Some(out) = round_trip_as(data_type, &record_with(data_type, &field, other_kind)) {
            panic!(
                "{data_type}.{} accepts a value of another kind: {out}",
                field.name
            );
        }
    }
}

#[test]
fn declared_fields_are_unique_and_indexes_are_few() {
    for data_type in DataType::ALL {
        let fields = data_type.scalar_fields();
        for (at, field) in fields.iter().enumerate() {
            assert!(
                fields[at + 1..]
                    .iter()
                    .all(|other| other.name != field.name),
                "{data_type}.{} declared twice",
                field.name
            );
        }
        // Each index costs every write of the data type.
        assert!(fields.iter().filter(|field| field.indexed).count() <= 3);
        assert!(
            fields
                .iter()
                .filter(|field| field.indexed && field.kind == FieldKind::Number)
                .count()
                <= 1
        );
        assert_eq!(
            data_type.scalar_field("id").map(|field| field.kind),
            (!fields.is_empty()).then_some(FieldKind::Text)
        );
        assert!(data_type.scalar_field("no_such_field").is_none());
    }
}

/// Follows `$ref` and `allOf` to the type a property schema gives.
fn schema_types(document: &Value, schema: &Value, out: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = document
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("unresolved {reference}"));
        schema_types(document, target, out);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(parts) = schema.get(key).and_then(Value::as_array) {
            for part in parts {
                schema_types(document, part, out);
            }
        }
    }
    if schema.get("format").and_then(Value::as_str) == Some("decimal") {
        out.push("number".to_owned());
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if values.iter().all(Value::is_string) {
            out.push("string".to_owned());
        }
    }
    match schema.get("type") {
        Some(Value::String(kind)) => out.push(kind.clone()),
        Some(Value::Array(kinds)) => out.extend(
            kinds
                .iter()
                .filter_map(Value::as_str)
                .filter(|kind| *kind != "null")
                .map(str::to_owned),
        ),
        _ => {}
    }
}

fn properties(document: &Value, schema: &Value, out: &mut serde_json::Map<String, Value>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if let Some(target) = document.pointer(reference.trim_start_matches('#')) {
            properties(document, target, out);
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            properties(document, part, out);
        }
    }
    if let Some(Value::Object(own)) = schema.get("properties") {
        out.extend(own.clone());
    }
}

#[test]
fn declared_fields_are_scalars_of_the_same_kind_in_codats_schemas() {
    let Some(schemas) = crate::codat_schemas() else {
        return;
    };
    let document = schemas.document();
    let mut checked = 0;
    for (data_type, field) in declared() {
        let root = document
            .pointer(&format!("/components/schemas/{}", data_type.schema_name()))
            .unwrap();
        let mut declared = serde_json::Map::new();
        properties(document, root, &mut declared);
        // Codat's schemas leave out some fields its examples carry (product dates, status).
        let Some(property) = declared.get(field.name) else {
            continue;
        };
        let mut kinds = Vec::new();
        schema_types(document, property, &mut kinds);
        let expected = match field.kind {
            FieldKind::Text => "string",
            _ => "number",
        };
        assert!(
            !kinds.is_empty() && kinds.iter().all(|kind| kind == expected),
            "{data_type}.{}: Codat's schema says {kinds:?}, declared {:?}",
            field.name,
            field.kind
        );
        checked += 1;
    }
    assert!(
        checked > 20,
        "only {checked} fields found in Codat's schemas"
    );
}

/// What a Codat property schema says, following `$ref`, `allOf`, `oneOf` and `anyOf`.
#[derive(Default)]
struct CodatShape {
    types: Vec<String>,
    properties: serde_json::Map<String, Value>,
    items: Option<Value>,
    date: bool,
}

fn codat_shape(document: &Value, schema: &Value, out: &mut CodatShape) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = document
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("unresolved {reference}"));
        codat_shape(document, target, out);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for part in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            codat_shape(document, part, out);
        }
    }
    out.date |= schema.get("title").and_then(Value::as_str) == Some("Date time");
    schema_types(
        document,
        &json!({"type": schema.get("type")}),
        &mut out.types,
    );
    if schema.get("format").and_then(Value::as_str) == Some("decimal") {
        out.types.push("number".to_owned());
    }
    if schema.get("enum").is_some() {
        out.types.push("string".to_owned());
    }
    if let Some(Value::Object(own)) = schema.get("properties") {
        out.properties.extend(own.clone());
    }
    if let Some(items) = schema.get("items") {
        out.items = Some(items.clone());
    }
}

/// Checks that every property of Codat's schema is declared in `fields` with its type;
/// returns how many were checked.
fn compare_with_codat(document: &Value, at: &str, schema: &Value, fields: &[Field]) -> usize {
    let mut shape = CodatShape::default();
    codat_shape(document, schema, &mut shape);
    let mut checked = 0;
    for (name, property) in &shape.properties {
        let path = format!("{at}.{name}");
        if name == "supplementalData" || path.ends_with("CompanyInfo.sourceUrls") {
            continue;
        }
        let field = fields
            .iter()
            .find(|field| field.name == name)
            .unwrap_or_else(|| panic!("{path} is in Codat's schema but not declared"));
        let mut own = CodatShape::default();
        codat_shape(document, property, &mut own);
        let list = own.types.iter().any(|kind| kind == "array");
        assert_eq!(field.list, list, "{path}: list");
        let element = match (&own.items, list) {
            (Some(items), true) => {
                let mut element = CodatShape::default();
                codat_shape(document, items, &mut element);
                element
            }
            _ => own,
        };
        checked += 1;
        match field.content {
            FieldContent::Object(inner) => {
                let schema = if list {
                    property
                        .get("items")
                        .cloned()
                        .unwrap_or_else(|| property.clone())
                } else {
                    property.clone()
                };
                checked += compare_with_codat(document, &path, &schema, inner);
            }
            FieldContent::Value(value_type) => {
                let expected = match value_type {
                    ValueType::Number => "number",
                    ValueType::Boolean => "boolean",
                    _ => "string",
                };
                // An integer is a number to a query.
                let kinds: Vec<&str> = element
                    .types
                    .iter()
                    .map(|kind| {
                        if kind == "integer" {
                            "number"
                        } else {
                            kind.as_str()
                        }
                    })
                    .collect();
                assert!(
                    !kinds.is_empty() && kinds.iter().all(|kind| *kind == expected),
                    "{path}: Codat says {:?}, declared {value_type:?}",
                    element.types
                );
                assert_eq!(
                    value_type == ValueType::Date,
                    element.date,
                    "{path}: Codat's DateTime iff declared a date"
                );
            }
        }
    }
    checked
}

#[test]
fn every_field_in_codats_schemas_is_declared_with_its_type() {
    let Some(schemas) = crate::codat_schemas() else {
        return;
    };
    let document = schemas.document();
    let mut checked = 0;
    for data_type in DataType::ALL {
        let name = data_type.schema_name();
        let root = document
            .pointer(&format!("/components/schemas/{name}"))
            .unwrap();
        checked += compare_with_codat(document, name, root, data_type.fields());
    }
    assert!(checked > 150, "only {checked} fields compared");
}

#[test]
fn declared_scalar_fields_agree_with_the_full_declarations() {
    for data_type in DataType::ALL {
        for scalar in data_type.scalar_fields() {
            let resolved = data_type.resolve_path(&[scalar.name]).unwrap();
            let FieldContent::Value(value_type) = resolved.field.content else {
                panic!("{data_type}.{} is an object", scalar.name);
            };
            assert!(!resolved.field.list, "{data_type}.{}", scalar.name);
            let agrees = match scalar.kind {
                FieldKind::Number => value_type == ValueType::Number,
                _ => matches!(value_type, ValueType::Text | ValueType::Date),
            };
            assert!(agrees, "{data_type}.{}: {value_type:?}", scalar.name);
        }
    }
}

#[test]
fn paths_resolve_through_objects_and_lists_only_to_declared_fields() {
    let resolve = |data_type: DataType, path: &str| {
        let segments: Vec<&str> = path.split('.').collect();
        data_type.resolve_path(&segments)
    };
    let city = resolve(DataType::Customers, "addresses.city").unwrap();
    assert_eq!(city.field.content, FieldContent::Value(ValueType::Text));
    assert!(city.through_list);
    let customer = resolve(DataType::Orders, "customerRef.id").unwrap();
    assert!(!customer.through_list);
    assert!(matches!(
        resolve(DataType::Orders, "customerRef")
            .unwrap()
            .field
            .content,
        FieldContent::Object(_)
    ));
    assert_eq!(
        resolve(DataType::Payments, "amount").unwrap().field.content,
        FieldContent::Value(ValueType::Number)
    );
    assert_eq!(
        resolve(DataType::Payments, "createdDate")
            .unwrap()
            .field
            .content,
        FieldContent::Value(ValueType::Date)
    );
    assert!(resolve(DataType::Payments, "amount.value").is_none());
    assert!(resolve(DataType::Payments, "customerRef.id").is_none());
    assert!(resolve(DataType::Customers, "nosuchfield").is_none());
    assert!(resolve(DataType::Customers, "supplementalData").is_none());
}
