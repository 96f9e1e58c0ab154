#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]
//! Integration tests of commerce-model, through its public API only.

mod built_values;
mod contract;
mod data_type;
mod fields;
mod platform;
mod query_check;
mod query_eval;

use std::sync::OnceLock;

use commerce_model::schema_check::CodatSchemas;

/// Codat's Commerce OpenAPI file, read in place from `../shared`; `None` (after printing one line)
/// when `../shared` is absent.
pub(crate) fn codat_schemas() -> Option<&'static CodatSchemas> {
    static SCHEMAS: OnceLock<Option<CodatSchemas>> = OnceLock::new();
    SCHEMAS
        .get_or_init(|| {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/codat-openapi/Codat-Commerce.yaml"
            );
            if !std::path::Path::new(path).exists() {
                println!("skipped: ../shared not found");
                return None;
            }
            Some(CodatSchemas::load(path).expect("Codat-Commerce.yaml loads"))
        })
        .as_ref()
}
