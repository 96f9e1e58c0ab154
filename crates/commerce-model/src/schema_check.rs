//! Checking values against a Codat OpenAPI file (feature `schema-check`).
//!
//! Meant for tests: this crate's contract tests, and the tests of platform crates that want to prove
//! their mapped records are valid Codat JSON.
//! Enable it in a crate's dev-dependencies:
//!
//! ```toml
//! [dev-dependencies]
//! commerce-model = { version = "0.0.0", features = ["schema-check"] }
//! ```
//!
//! then load the file in place (it is never copied into the repository):
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use commerce_model::schema_check::CodatSchemas;
//! let schemas = CodatSchemas::load("../shared/codat-openapi/Codat-Commerce.yaml")?;
//! let customer = commerce_model::Customer { id: "cus_1".into(), ..Default::default() };
//! let json = serde_json::to_value(&customer)?;
//! schemas.validate("Customer", &json)?;
//! assert!(schemas.undeclared_fields("Customer", &json)?.is_empty());
//! # Ok(()) }
//! ```
//!
//! [`CodatSchemas::validate`] runs JSON Schema (draft 2020-12, as OpenAPI 3.1 uses) with
//! `$ref`s resolved inside the file. JSON Schema lets objects carry properties a schema does not
//! declare, so [`CodatSchemas::undeclared_fields`] also lists every field of a value that the schema
//! does not name: a misspelt field passes validation but not that check.
//! Formats (`decimal`, `ISO4217`, `uri-reference`) are not checked; OpenAPI's `nullable` is
//! ignored, as JSON Schema 2020-12 does.

use std::path::Path;

use serde_json::Value as Json;

use crate::error::ModelError;
use crate::DataType;

/// A Codat OpenAPI document, ready to validate values against its `components.schemas`.
#[derive(Debug, Clone)]
pub struct CodatSchemas {
    document: Json,
}

/// One response example from the document's `paths`.
#[derive(Debug, Clone)]
pub struct ResponseExample {
    /// The operation's path, e.g. `/companies/{companyId}/connections/{connectionId}/data/commerce-customers`.
    pub path: String,
    /// The example's name, e.g. `Stripe Test`.
    pub name: String,
    /// The name of the response's schema under `components.schemas`, e.g. `Customers`.
    pub schema: String,
    /// The example value.
    pub value: Json,
}

impl CodatSchemas {
    /// Reads an OpenAPI YAML (or JSON) file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ModelError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|err| schema_error(format!("cannot read {}: {err}", path.display())))?;
        Self::from_yaml_str(&text)
    }

    /// Parses an OpenAPI document given as YAML (JSON is valid YAML).
    pub fn from_yaml_str(text: &str) -> Result<Self, ModelError> {
        let document: Json = serde_yaml::from_str(text)
            .map_err(|err| schema_error(format!("not an OpenAPI YAML document: {err}")))?;
        if document.pointer("/components/schemas").is_none() {
            return Err(schema_error(
                "the document has no components.schemas".to_owned(),
            ));
        }
        Ok(CodatSchemas { document })
    }

    /// The whole document, as JSON.
    pub fn document(&self) -> &Json {
        &self.document
    }

    /// The names under `components.schemas`.
    pub fn schema_names(&self) -> Vec<&str> {
        match self.document.pointer("/components/schemas") {
            Some(Json::Object(schemas)) => schemas.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// Validates `value` against `components.schemas.<schema>`; the error lists every violation.
    pub fn validate(&self, schema: &str, value: &Json) -> Result<(), ModelError> {
        let root = self.root_for(schema)?;
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .map_err(|err| schema_error(format!("schema {schema} does not compile: {err}")))?;
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|err| format!("at {:?}: {err}", err.instance_path.to_string()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ModelError::SchemaViolation {
                schema: schema.to_owned(),
                errors,
            })
        }
    }

    /// Every field path in `value` (e.g. `results[].variants[].quantity`) that
    /// `components.schemas.<schema>` does not declare.
    pub fn undeclared_fields(&self, schema: &str, value: &Json) -> Result<Vec<String>, ModelError> {
        let schema_json = self.resolve(&format!("#/components/schemas/{schema}"))?;
        let mut found = Vec::new();
        self.walk(value, schema_json, "", &mut found);
        found.sort();
        found.dedup();
        Ok(found)
    }

    /// Every `200` response example in `paths`, in document order.
    pub fn response_examples(&self) -> Vec<ResponseExample> {
        let mut examples = Vec::new();
        let Some(Json::Object(paths)) = self.document.get("paths") else {
            return examples;
        };
        for (path, operations) in paths {
            let Json::Object(operations) = operations else {
                continue;
            };
            for operation in operations.values() {
                let Some(content) = operation.pointer("/responses/200/content/application~1json")
                else {
                    continue;
                };
                let Some(schema) = content.pointer("/schema/$ref").and_then(Json::as_str) else {
                    continue;
                };
                let schema = schema.rsplit('/').next().unwrap_or(schema).to_owned();
                let Some(Json::Object(named)) = content.get("examples") else {
                    continue;
                };
                for (name, example) in named {
                    if let Some(value) = example.get("value") {
                        examples.push(ResponseExample {
                            path: path.clone(),
                            name: name.clone(),
                            schema: schema.clone(),
                            value: value.clone(),
                        });
                    }
                }
            }
        }
        examples
    }

    /// Every example listed under a schema's own `examples` keyword, as `(schema name, example)`.
    pub fn schema_examples(&self) -> Vec<(String, Json)> {
        let mut examples = Vec::new();
        let Some(Json::Object(schemas)) = self.document.pointer("/components/schemas") else {
            return examples;
        };
        for (name, schema) in schemas {
            if let Some(Json::Array(values)) = schema.get("examples") {
                examples.extend(values.iter().map(|value| (name.clone(), value.clone())));
            }
        }
        examples
    }

    fn root_for(&self, schema: &str) -> Result<Json, ModelError> {
        self.resolve(&format!("#/components/schemas/{schema}"))?;
        let components = self
            .document
            .get("components")
            .cloned()
            .unwrap_or(Json::Null);
        Ok(serde_json::json!({
            "$ref": format!("#/components/schemas/{schema}"),
            "components": components,
        }))
    }

    fn resolve(&self, reference: &str) -> Result<&Json, ModelError> {
        reference
            .strip_prefix('#')
            .and_then(|pointer| self.document.pointer(pointer))
            .ok_or_else(|| schema_error(format!("no schema at {reference}")))
    }

    /// The property schemas a schema declares, following `$ref` and `allOf`.
    fn declared_properties<'a>(
        &'a self,
        schema: &'a Json,
        into: &mut serde_json::Map<String, Json>,
    ) {
        if let Some(reference) = schema.get("$ref").and_then(Json::as_str) {
            if let Ok(target) = self.resolve(reference) {
                self.declared_properties(target, into);
            }
        }
        if let Some(Json::Array(parts)) = schema.get("allOf") {
            for part in parts {
                self.declared_properties(part, into);
            }
        }
        if let Some(Json::Object(properties)) = schema.get("properties") {
            for (name, property) in properties {
                into.insert(name.clone(), property.clone());
            }
        }
    }

    fn items_schema<'a>(&'a self, schema: &'a Json) -> Option<&'a Json> {
        if let Some(items) = schema.get("items") {
            return Some(items);
        }
        if let Some(reference) = schema.get("$ref").and_then(Json::as_str) {
            return self
                .resolve(reference)
                .ok()
                .and_then(|target| self.items_schema(target));
        }
        schema
            .get("allOf")
            .and_then(Json::as_array)
            .and_then(|parts| parts.iter().find_map(|part| self.items_schema(part)))
    }

    fn additional_properties<'a>(&'a self, schema: &'a Json) -> Option<&'a Json> {
        if let Some(additional) = schema.get("additionalProperties") {
            return Some(additional);
        }
        if let Some(reference) = schema.get("$ref").and_then(Json::as_str) {
            return self
                .resolve(reference)
                .ok()
                .and_then(|target| self.additional_properties(target));
        }
        None
    }

    fn walk(&self, value: &Json, schema: &Json, path: &str, found: &mut Vec<String>) {
        match value {
            Json::Object(fields) => {
                if let Some(additional) = self.additional_properties(schema) {
                    // A map (`sourceUrls`, `supplementalData.content`): any key is declared.
                    for (key, field) in fields {
                        self.walk(field, additional, &format!("{path}.{key}"), found);
                    }
                    return;
                }
                let mut properties = serde_json::Map::new();
                self.declared_properties(schema, &mut properties);
                for (key, field) in fields {
                    let field_path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    match properties.get(key) {
                        Some(property) => self.walk(field, property, &field_path, found),
                        None => found.push(field_path),
                    }
                }
            }
            Json::Array(items) => {
                if let Some(item_schema) = self.items_schema(schema) {
                    for item in items {
                        self.walk(item, item_schema, &format!("{path}[]"), found);
                    }
                }
            }
            _ => {}
        }
    }
}

impl DataType {
    /// The name of this type's record schema in Codat's Commerce OpenAPI (`Customer`).
    pub const fn schema_name(self) -> &'static str {
        match self {
            DataType::CompanyInfo => "CompanyInfo",
            DataType::Customers => "Customer",
            DataType::Disputes => "Dispute",
            DataType::Locations => "Location",
            DataType::Orders => "Order",
            DataType::PaymentMethods => "PaymentMethod",
            DataType::Payments => "Payment",
            DataType::ProductCategories => "ProductCategory",
            DataType::Products => "Product",
            DataType::TaxComponents => "TaxComponent",
            DataType::Transactions => "Transaction",
        }
    }

    /// The name of this type's paged-list schema (`Customers`), or `None` for company info.
    pub const fn page_schema_name(self) -> Option<&'static str> {
        match self {
            DataType::CompanyInfo => None,
            DataType::Customers => Some("Customers"),
            DataType::Disputes => Some("Disputes"),
            DataType::Locations => Some("Locations"),
            DataType::Orders => Some("Orders"),
            DataType::PaymentMethods => Some("PaymentMethods"),
            DataType::Payments => Some("Payments"),
            DataType::ProductCategories => Some("ProductCategories"),
            DataType::Products => Some("Products"),
            DataType::TaxComponents => Some("TaxComponents"),
            DataType::Transactions => Some("Transactions"),
        }
    }
}

fn schema_error(message: String) -> ModelError {
    ModelError::SchemaCheck { message }
}
