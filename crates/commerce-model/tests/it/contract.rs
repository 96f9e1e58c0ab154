//! Every response example in Codat's Commerce OpenAPI reads into our types, and writing it back keeps
//! every field and value (apart from the listed quirks), and the written JSON validates against the
//! example's schema.

use std::str::FromStr;

use commerce_model::{
    CompanyInfo, Customer, DataType, Dispute, Location, Order, Page, Payment, PaymentMethod,
    Product, ProductCategory, TaxComponent, Timestamp, Transaction,
};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value as Json;

use crate::codat_schemas;

/// A known difference between Codat's example and our output.
struct Quirk {
    /// The field path suffix it applies to.
    path_suffix: &'static str,
    /// What happens to the value.
    kind: DiffKind,
    /// Why it is right.
    reason: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DiffKind {
    /// Same text apart from ASCII case.
    Case,
    /// An empty string where the schema wants a number, read as absent.
    EmptyDropped,
}

const QUIRKS: &[Quirk] = &[Quirk {
    path_suffix: "addresses[].type",
    kind: DiffKind::Case,
    reason: "some examples write `billing`/`delivery` in lower case, which the schema's enum does not allow; \
             we read enums case-insensitively and write the schema's spelling (`Billing`)",
},
Quirk {
    path_suffix: "taxes[].taxAmount",
    kind: DiffKind::EmptyDropped,
    reason: "the Order schema example writes `\"taxAmount\": \"\"` for a decimal; an empty amount reads as absent",
}];

/// Schema-level examples that are invalid against their own schema in a way we do not paper over,
/// by (schema, record index, reason). The test checks they still fail, so the list stays honest.
const INVALID_SCHEMA_EXAMPLES: &[(&str, usize, &str)] = &[
    ("ProductCategory", 1, "its `ancestorRefs` items carry `name` but not the `type` that `RecordRef` requires; the response examples of the same schema are valid"),
    ("ProductCategory", 2, "same as above"),
];

#[derive(Debug)]
struct Diff {
    path: String,
    kind: Result<DiffKind, String>,
}

fn compare(expected: &Json, actual: Option<&Json>, path: &str, diffs: &mut Vec<Diff>) {
    let Some(actual) = actual else {
        if expected.as_str() == Some("") {
            diffs.push(Diff {
                path: path.to_owned(),
                kind: Ok(DiffKind::EmptyDropped),
            });
        } else if !expected.is_null() {
            diffs.push(Diff {
                path: path.to_owned(),
                kind: Err("field dropped".to_owned()),
            });
        }
        return;
    };
    match (expected, actual) {
        (Json::Object(expected_fields), Json::Object(actual_fields)) => {
            for (key, value) in expected_fields {
                let field_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                compare(value, actual_fields.get(key), &field_path, diffs);
            }
        }
        (Json::Array(expected_items), Json::Array(actual_items))
            if expected_items.len() == actual_items.len() =>
        {
            for (expected_item, actual_item) in expected_items.iter().zip(actual_items) {
                compare(
                    expected_item,
                    Some(actual_item),
                    &format!("{path}[]"),
                    diffs,
                );
            }
        }
        (Json::Number(expected_number), Json::Number(actual_number)) => {
            let expected_decimal = Decimal::from_scientific(&expected_number.to_string())
                .or_else(|_| Decimal::from_str(&expected_number.to_string()))
                .unwrap();
            let actual_decimal = Decimal::from_scientific(&actual_number.to_string())
                .or_else(|_| Decimal::from_str(&actual_number.to_string()))
                .unwrap();
            if expected_decimal != actual_decimal {
                diffs.push(Diff {
                    path: path.to_owned(),
                    kind: Err(format!("{expected_number} became {actual_number}")),
                });
            }
        }
        (Json::String(expected_text), Json::String(actual_text))
            if expected_text != actual_text =>
        {
            let same_date = matches!(
                (Timestamp::from_str(expected_text), Timestamp::from_str(actual_text)),
                (Ok(expected_date), Ok(actual_date)) if expected_date == actual_date
            );
            if same_date {
                // Same instant in the same form; only the number of fraction digits differs
                // (e.g. `.1988465Z` is written `.198846500Z`).
                return;
            }
            let kind = if expected_text.eq_ignore_ascii_case(actual_text) {
                Ok(DiffKind::Case)
            } else {
                Err(format!("{expected_text:?} became {actual_text:?}"))
            };
            diffs.push(Diff {
                path: path.to_owned(),
                kind,
            });
        }
        (expected, actual) if expected != actual => {
            diffs.push(Diff {
                path: path.to_owned(),
                kind: Err(format!("{expected} became {actual}")),
            });
        }
        _ => {}
    }
}

fn round_trip<T: Serialize + DeserializeOwned>(example: &Json) -> Result<Json, String> {
    let typed: T = serde_json::from_value(example.clone())
        .map_err(|err| format!("does not deserialize: {err}"))?;
    serde_json::to_value(&typed).map_err(|err| format!("does not serialize: {err}"))
}

fn round_trip_schema(schema: &str, example: &Json) -> Result<Json, String> {
    match schema {
        "CompanyInfo" => round_trip::<CompanyInfo>(example),
        "Customer" => round_trip::<Customer>(example),
        "Customers" => round_trip::<Page<Customer>>(example),
        "Dispute" => round_trip::<Dispute>(example),
        "Disputes" => round_trip::<Page<Dispute>>(example),
        "Location" => round_trip::<Location>(example),
        "Locations" => round_trip::<Page<Location>>(example),
        "Order" => round_trip::<Order>(example),
        "Orders" => round_trip::<Page<Order>>(example),
        "Payment" => round_trip::<Payment>(example),
        "Payments" => round_trip::<Page<Payment>>(example),
        "PaymentMethod" => round_trip::<PaymentMethod>(example),
        "PaymentMethods" => round_trip::<Page<PaymentMethod>>(example),
        "Product" => round_trip::<Product>(example),
        "Products" => round_trip::<Page<Product>>(example),
        "ProductCategory" => round_trip::<ProductCategory>(example),
        "ProductCategories" => round_trip::<Page<ProductCategory>>(example),
        "TaxComponent" => round_trip::<TaxComponent>(example),
        "TaxComponents" => round_trip::<Page<TaxComponent>>(example),
        "Transaction" => round_trip::<Transaction>(example),
        "Transactions" => round_trip::<Page<Transaction>>(example),
        other => Err(format!("no type for schema {other}")),
    }
}

#[test]
fn every_codat_example_round_trips_and_validates() {
    let Some(schemas) = codat_schemas() else {
        return;
    };
    let examples = schemas.response_examples();
    let mut failures = Vec::new();
    let mut quirks_seen = vec![0usize; QUIRKS.len()];
    let mut schemas_covered = std::collections::BTreeSet::new();
    for example in &examples {
        let label = format!("{} / {} ({})", example.path, example.name, example.schema);
        let written = match round_trip_schema(&example.schema, &example.value) {
            Ok(written) => written,
            Err(err) => {
                failures.push(format!("{label}: {err}"));
                continue;
            }
        };
        schemas_covered.insert(example.schema.clone());
        let mut diffs = Vec::new();
        compare(&example.value, Some(&written), "", &mut diffs);
        for diff in diffs {
            let quirk = QUIRKS.iter().position(|quirk| {
                diff.path.ends_with(quirk.path_suffix)
                    && diff.kind.as_ref().is_ok_and(|kind| *kind == quirk.kind)
            });
            match quirk {
                Some(index) => quirks_seen[index] += 1,
                None => failures.push(format!("{label}: {}: {:?}", diff.path, diff.kind)),
            }
        }
        if let Err(err) = schemas.validate(&example.schema, &written) {
            failures.push(format!("{label}: written JSON is invalid: {err}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The response examples happen to need no quirk (they are checked against the same list).
    assert_eq!(quirks_seen.iter().sum::<usize>(), 0);
    // Every data type's record schema and page schema had at least one example.
    for data_type in DataType::ALL {
        assert!(
            schemas_covered.contains(data_type.schema_name()),
            "no example read for {data_type}"
        );
        if let Some(page) = data_type.page_schema_name() {
            assert!(schemas_covered.contains(page), "no example read for {page}");
        }
    }
    assert!(
        examples.len() >= 100,
        "only {} examples found",
        examples.len()
    );
}

/// Schema-level examples that wrap their records in a list under one key (so they are not valid
/// instances of the schema themselves); each wrapped record is checked instead.
const WRAPPED_SCHEMA_EXAMPLES: &[(&str, &str)] = &[
    ("Customer", "customers"),
    ("ProductCategory", "productCategories"),
];

#[test]
fn every_schema_level_example_round_trips_and_validates() {
    let Some(schemas) = codat_schemas() else {
        return;
    };
    let mut failures = Vec::new();
    let mut quirks_seen = vec![0usize; QUIRKS.len()];
    let mut checked = 0;
    for (schema, example) in schemas.schema_examples() {
        match schema.as_str() {
            "DateTime" => {
                let text = example.as_str().unwrap();
                let parsed: Timestamp = text.parse().unwrap();
                assert_eq!(parsed.to_string(), text);
                checked += 1;
                continue;
            }
            // Paging info alone has no `results`; the envelope is checked with every page example.
            "PagingInfo" => continue,
            _ => {}
        }
        let records = match WRAPPED_SCHEMA_EXAMPLES
            .iter()
            .find(|(name, _)| *name == schema)
        {
            Some((_, key)) => example[*key].as_array().unwrap().clone(),
            None => vec![example],
        };
        for (index, record) in records.into_iter().enumerate() {
            checked += 1;
            let known_invalid = INVALID_SCHEMA_EXAMPLES
                .iter()
                .any(|(name, at, _)| *name == schema && *at == index);
            let written = match (round_trip_schema(&schema, &record), known_invalid) {
                (Ok(written), false) => written,
                (Err(err), false) => {
                    failures.push(format!("{schema}[{index}]: {err}"));
                    continue;
                }
                (Err(_), true) => continue,
                (Ok(_), true) => {
                    failures.push(format!(
                        "{schema}[{index}] now reads; remove it from INVALID_SCHEMA_EXAMPLES"
                    ));
                    continue;
                }
            };
            let mut diffs = Vec::new();
            compare(&record, Some(&written), "", &mut diffs);
            for diff in diffs {
                let quirk = QUIRKS.iter().position(|quirk| {
                    diff.path.ends_with(quirk.path_suffix)
                        && diff.kind.as_ref().is_ok_and(|kind| *kind == quirk.kind)
                });
                match quirk {
                    Some(index) => quirks_seen[index] += 1,
                    None => failures.push(format!("{schema}: {}: {:?}", diff.path, diff.kind)),
                }
            }
            if let Err(err) = schemas.validate(&schema, &written) {
                failures.push(format!("{schema}: written JSON is invalid: {err}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for (quirk, seen) in QUIRKS.iter().zip(quirks_seen) {
        assert!(
            seen > 0,
            "quirk {} ({}) no longer occurs; remove it",
            quirk.path_suffix,
            quirk.reason
        );
    }
    assert!(checked >= 8, "only {checked} schema examples checked");
}

#[test]
fn stripe_test_examples_keep_their_exact_text() {
    // The examples this project must reproduce byte for byte: money as plain numbers, dates with `Z`.
    let Some(schemas) = codat_schemas() else {
        return;
    };
    let transactions = schemas
        .response_examples()
        .into_iter()
        .find(|example| example.schema == "Transactions" && example.name == "Stripe Test")
        .unwrap();
    let page: Page<Transaction> = serde_json::from_value(transactions.value).unwrap();
    let fee = page
        .results
        .iter()
        .find(|row| row.id.ends_with(":Stripe processing fees"))
        .unwrap();
    let json = serde_json::to_string(fee).unwrap();
    assert!(json.contains(r#""totalAmount":-"#), "{json}");
    assert!(
        !json.contains(r#""totalAmount":"-"#),
        "money must be a number: {json}"
    );
    assert!(json.contains(r#""type":"PaymentFee""#), "{json}");
    assert!(
        json.contains(r#""createdDate":"20"#) && json.contains(r#"Z","#),
        "{json}"
    );
}

#[test]
fn the_checker_catches_what_it_should() {
    let Some(schemas) = codat_schemas() else {
        return;
    };
    // A bad enum value and a missing required field are schema violations.
    let bad = serde_json::json!({"id": "d1", "status": "Pending"});
    let err = schemas.validate("Dispute", &bad).unwrap_err().to_string();
    assert!(err.contains("currency"), "{err}");
    assert!(err.contains("Pending"), "{err}");
    // A misspelt field is not a violation, but is reported as undeclared.
    let misspelt = serde_json::json!({"id": "c1", "customerNmae": "Jane", "addresses": [{"type": "Billing", "zip": "1"}]});
    assert!(schemas.validate("Customer", &misspelt).is_ok());
    assert_eq!(
        schemas.undeclared_fields("Customer", &misspelt).unwrap(),
        vec!["addresses[].zip".to_owned(), "customerNmae".to_owned()]
    );
    assert!(schemas.validate("NoSuchSchema", &bad).is_err());
}
