//! Validation of mapped records against Codat's published schemas
//! (`../shared/codat-openapi/Codat-Commerce.yaml`, read in place).

use std::path::PathBuf;
use std::sync::OnceLock;

use commerce_stripe::MappedRecord;
use serde_json::{json, Value};

/// The `shared/` directory beside the repository, if it is there.
pub(crate) fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"));
    dir.is_dir().then_some(dir)
}

/// Codat's OpenAPI document as JSON, loaded once; `None` when `../shared` is absent.
fn openapi() -> Option<&'static Value> {
    static OPENAPI: OnceLock<Option<Value>> = OnceLock::new();
    OPENAPI
        .get_or_init(|| {
            let path = shared_dir()?.join("codat-openapi/Codat-Commerce.yaml");
            let text = std::fs::read_to_string(path).ok()?;
            Some(serde_yaml::from_str(&text).expect("Codat-Commerce.yaml is valid YAML"))
        })
        .as_ref()
}

/// The Codat schema name of a mapped record, or `None` for a deletion (which is not a record).
pub(crate) fn schema_name(record: &MappedRecord) -> Option<&'static str> {
    Some(match record {
        MappedRecord::CompanyInfo(_) => "CompanyInfo",
        MappedRecord::Customer(_) => "Customer",
        MappedRecord::Dispute(_) => "Dispute",
        MappedRecord::Payment(_) => "Payment",
        MappedRecord::Product(_) => "Product",
        MappedRecord::Transaction(_) => "Transaction",
        _ => return None,
    })
}

/// Validates `record` against `components.schemas.<schema_name>`; `Err` lists every violation.
/// `Ok(false)` means `../shared` is absent and nothing was checked.
pub(crate) fn validate(schema_name: &str, record: &Value) -> Result<bool, String> {
    let Some(openapi) = openapi() else {
        return Ok(false);
    };
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{schema_name}"),
        "components": openapi["components"],
    });
    let validator = jsonschema::validator_for(&schema).map_err(|err| err.to_string())?;
    let errors: Vec<String> = validator
        .iter_errors(record)
        .map(|err| format!("{}: {err}", err.instance_path))
        .collect();
    if errors.is_empty() {
        Ok(true)
    } else {
        Err(errors.join("; "))
    }
}

#[test]
fn the_validator_rejects_what_codat_forbids() {
    if shared_dir().is_none() {
        println!("skipped: ../shared not found");
        return;
    }
    assert_eq!(
        validate(
            "Payment",
            &json!({"id": "ch_1", "amount": 10.99, "status": "Paid"})
        ),
        Ok(true)
    );
    assert!(validate("Payment", &json!({"id": "ch_1", "status": "Settled"})).is_err());
    assert!(
        validate("Dispute", &json!({"id": "dp_1"})).is_err(),
        "currency is required"
    );
    assert!(validate("Transaction", &json!({"id": "t", "totalAmount": "12"})).is_err());
}
