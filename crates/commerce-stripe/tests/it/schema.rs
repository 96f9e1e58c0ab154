//! Validation of mapped records against Codat's published schemas
//! (`../shared/codat-openapi/Codat-Commerce.yaml`, read in place).

use std::path::PathBuf;
use std::sync::OnceLock;

use commerce_model::schema_check::CodatSchemas;
use commerce_stripe::MappedRecord;
use serde_json::{json, Value};

/// The `shared/` directory beside the repository, if it is there.
pub(crate) fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"));
    dir.is_dir().then_some(dir)
}

/// Codat's Commerce schemas (commerce-model's `schema-check` validator), loaded once;
/// `None` when `../shared` is absent.
fn schemas() -> Option<&'static CodatSchemas> {
    static SCHEMAS: OnceLock<Option<CodatSchemas>> = OnceLock::new();
    SCHEMAS
        .get_or_init(|| {
            let path = shared_dir()?.join("codat-openapi/Codat-Commerce.yaml");
            Some(CodatSchemas::load(path).expect("Codat-Commerce.yaml is an OpenAPI document"))
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
    let Some(schemas) = schemas() else {
        return Ok(false);
    };
    schemas
        .validate(schema_name, record)
        .map(|()| true)
        .map_err(|err| err.to_string())
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
