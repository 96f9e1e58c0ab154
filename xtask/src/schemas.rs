//! `cargo xtask schemas`: writes `crates/commerce-server/src/openapi/model-schemas.json`, the
//! OpenAPI component schemas of the commerce records, from `commerce-model`'s types (their
//! `schemars::JsonSchema` derives, behind commerce-model's `schemars` feature, which only this
//! xtask turns on). `cargo xtask schemas --check` fails when the file is stale (CI runs it).
//!
//! The schemas keep Codat's shapes: each record type and Codat enum under its own name,
//! money as `type: number, format: decimal`, dates as a reference to the `DateTime` schema the
//! server declares, fields that are absent when unknown (`Option`) neither required nor
//! nullable (the API leaves them out, never writes `null`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use commerce_model as model;
use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{Map, Value};

/// Where the generated file lives, relative to the repository root.
pub(crate) const MODEL_SCHEMAS: &str = "crates/commerce-server/src/openapi/model-schemas.json";

fn path(root: &Path) -> PathBuf {
    root.join(MODEL_SCHEMAS)
}

/// The schemas, as the file holds them (pretty JSON and a final newline).
pub(crate) fn generate() -> Result<String> {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut generator = settings.into_generator();
    fn add<T: JsonSchema>(generator: &mut schemars::SchemaGenerator) {
        generator.subschema_for::<T>();
    }
    // Every data type's record (the server's tests check each data route's schema exists).
    add::<model::CompanyInfo>(&mut generator);
    add::<model::Customer>(&mut generator);
    add::<model::Dispute>(&mut generator);
    add::<model::Location>(&mut generator);
    add::<model::Order>(&mut generator);
    add::<model::Payment>(&mut generator);
    add::<model::PaymentMethod>(&mut generator);
    add::<model::Product>(&mut generator);
    add::<model::ProductCategory>(&mut generator);
    add::<model::TaxComponent>(&mut generator);
    add::<model::Transaction>(&mut generator);
    let definitions = generator.take_definitions(true);
    let mut text = serde_json::to_string_pretty(&schemas(definitions))?;
    text.push('\n');
    Ok(text)
}

/// Drops what schemars adds beyond the OpenAPI document's needs: `$schema`, `title`, the
/// integer `format`/`minimum` hints (the record integers are plain counts), and `null` as a
/// value of an `Option` field: the API leaves a `None` field out (`skip_serializing_none`) and
/// never writes `null`, so `type: [string, null]` becomes `type: string` and
/// `anyOf: [{$ref}, {type: null}]` becomes the `$ref`.
fn tidy(mut schema: Value) -> Value {
    let Value::Object(map) = &mut schema else {
        return schema;
    };
    map.remove("$schema");
    map.remove("title");
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|kind| kind != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            map.insert("type".to_owned(), only);
        }
    }
    if map.get("type").and_then(Value::as_str) == Some("integer") {
        map.remove("format");
        map.remove("minimum");
    }
    if let Some(Value::Array(options)) = map.get("anyOf") {
        let not_null: Vec<&Value> = options
            .iter()
            .filter(|option| option.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if let [Value::Object(only)] = not_null.as_slice() {
            let only = only.clone();
            map.remove("anyOf");
            for (key, value) in only {
                map.entry(key).or_insert(value);
            }
        }
    }
    let entries = sorted(std::mem::take(map));
    for (key, value) in entries {
        let value = match (key.as_str(), value) {
            ("properties", Value::Object(properties)) => schemas(properties),
            (_, Value::Array(items)) => Value::Array(items.into_iter().map(tidy).collect()),
            (_, value @ Value::Object(_)) => tidy(value),
            (_, value) => value,
        };
        map.insert(key, value);
    }
    schema
}

/// A map of names to schemas (the definitions, an object's `properties`), each tidied.
fn schemas(map: Map<String, Value>) -> Value {
    Value::Object(
        sorted(map)
            .into_iter()
            .map(|(name, schema)| (name, tidy(schema)))
            .collect(),
    )
}

/// Entries sorted by key, so the file is the same whether or not serde_json's
/// `preserve_order` is on in the build at hand (a workspace build unifies features).
fn sorted(map: Map<String, Value>) -> Vec<(String, Value)> {
    let mut entries: Vec<(String, Value)> = map.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
}

/// `cargo xtask schemas`: rewrites the file.
pub(crate) fn regen(root: &Path) -> Result<()> {
    let text = generate()?;
    std::fs::write(path(root), text).with_context(|| format!("writing {MODEL_SCHEMAS}"))?;
    println!("schemas: wrote {MODEL_SCHEMAS}");
    Ok(())
}

/// `cargo xtask schemas --check`: fails when the file differs from what the types give.
pub(crate) fn check(root: &Path) -> Result<()> {
    let expected = generate()?;
    let actual =
        std::fs::read_to_string(path(root)).with_context(|| format!("reading {MODEL_SCHEMAS}"))?;
    if actual != expected {
        bail!("{MODEL_SCHEMAS} is stale: run `cargo xtask schemas` and commit the result");
    }
    println!("schemas: {MODEL_SCHEMAS} is fresh");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_committed_schemas_are_fresh() {
        super::check(&crate::project_root()).unwrap();
    }
}
