//! Stripe's own example objects (`../shared/stripe-openapi/fixtures3.json`, read in place) map without
//! error, and the records validate against Codat's schema.

use commerce_model as commerce;
use commerce_stripe::{map_document, MappedRecord};
use serde_json::{json, Value};

use crate::schema::{schema_name, shared_dir, validate};

/// The example documents to map: (data type, Stripe objects of that type).
fn documents(resources: &Value) -> Vec<(commerce::DataType, Value)> {
    let object = |name: &str| resources[name].clone();
    // Stripe's example price points at a product id of its own; pair it with the example product.
    let mut price = object("price");
    price["product"] = object("product")["id"].clone();
    vec![
        (
            commerce::DataType::CompanyInfo,
            json!([object("account"), object("balance")]),
        ),
        (commerce::DataType::Customers, json!([object("customer")])),
        (commerce::DataType::Disputes, json!([object("dispute")])),
        (
            commerce::DataType::Payments,
            json!([object("charge"), object("refund"), object("payment_intent")]),
        ),
        (
            commerce::DataType::Products,
            json!([object("product"), price]),
        ),
        (
            commerce::DataType::Transactions,
            json!([object("balance_transaction")]),
        ),
    ]
}

#[test]
fn stripe_examples_map_and_validate_against_codat() {
    let Some(shared) = shared_dir() else {
        println!("skipped: ../shared not found");
        return;
    };
    let text = std::fs::read_to_string(shared.join("stripe-openapi/fixtures3.json")).unwrap();
    let fixtures: Value = serde_json::from_str(&text).unwrap();
    let mut validated = Vec::new();
    for (data_type, document) in documents(&fixtures["resources"]) {
        let records = map_document(data_type, document.to_string().as_bytes())
            .unwrap_or_else(|err| panic!("{data_type}: {err}"));
        assert!(!records.is_empty(), "{data_type}: nothing mapped");
        for record in &records {
            let schema = schema_name(record).unwrap();
            let json = serde_json::to_value(record).unwrap();
            validate(schema, &json).unwrap_or_else(|errors| panic!("{schema}: {errors}\n{json:#}"));
            validated.push(schema);
        }
        if let Some(MappedRecord::Payment(payment)) = records.first() {
            assert_eq!(
                payment.id,
                fixtures["resources"]["charge"]["id"].as_str().unwrap()
            );
        }
    }
    validated.sort_unstable();
    validated.dedup();
    assert_eq!(
        validated,
        [
            "CompanyInfo",
            "Customer",
            "Dispute",
            "Payment",
            "Product",
            "Transaction"
        ]
    );
}
