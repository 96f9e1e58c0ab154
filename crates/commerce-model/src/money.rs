//! Money and other decimals: exact `rust_decimal::Decimal` values written as JSON numbers.
//!
//! Codat declares every amount as `type: number, format: decimal` in major units (`10.99`, not `1099`).
//! The serde helpers here are used with `#[serde(with = ...)]` on every `Decimal` field of the model.
//!
//! Writing: an integral value is written as an integer (`500`); a value with at most 15 significant
//! digits goes through `f64`, whose shortest round-trip form is exactly the decimal's digits (`10.99`),
//! so every serializer (JSON, YAML snapshots) sees a plain number. Longer values are written with
//! `serde_json`'s arbitrary-precision number, so no digit is lost, when this crate's
//! `arbitrary-precision` feature is on; without it they go through the nearest `f64`.
//! Trailing zeros are not kept: `10.50` is written `10.5`.
//!
//! Reading accepts a JSON number, an integer, a float, or a numeric string (Codat leaves `type` off a
//! few decimal fields, e.g. `Dispute.totalAmount`, so a string is legal there); an optional amount
//! also reads `null` and `""` as absent. Without the `arbitrary-precision` feature a JSON number
//! is read through `f64`, exact for up to 15 significant digits; a numeric string is always exact.
//!
//! Depends on nothing but serde, serde_json and rust_decimal.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserializer, Serializer};

/// Largest number of significant digits that survive a trip through `f64` unchanged.
const F64_EXACT_DIGITS: u32 = 15;

/// Serializes a decimal as a JSON number (see the module docs for the exact form).
pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let normalized = value.normalize();
    if normalized.scale() == 0 {
        if let Some(integer) = normalized.to_i64() {
            return serializer.serialize_i64(integer);
        }
    }
    if significant_digits(&normalized) <= F64_EXACT_DIGITS {
        if let Some(float) = normalized.to_f64() {
            return serializer.serialize_f64(float);
        }
    }
    write_long(&normalized, serializer)
}

#[cfg(feature = "arbitrary-precision")]
fn write_long<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    rust_decimal::serde::arbitrary_precision::serialize(value, serializer)
}

#[cfg(not(feature = "arbitrary-precision"))]
fn write_long<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    match value.to_f64() {
        Some(float) => serializer.serialize_f64(float),
        None => Err(serde::ser::Error::custom(format!(
            "the decimal {value} has no JSON number form"
        ))),
    }
}

/// Reads a decimal from a JSON number or a numeric string.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    #[cfg(feature = "arbitrary-precision")]
    {
        rust_decimal::serde::arbitrary_precision::deserialize(deserializer)
    }
    #[cfg(not(feature = "arbitrary-precision"))]
    {
        <Decimal as serde::Deserialize>::deserialize(deserializer)
    }
}

fn significant_digits(value: &Decimal) -> u32 {
    let mantissa = value.mantissa().unsigned_abs();
    if mantissa == 0 {
        return 1;
    }
    mantissa.ilog10() + 1
}

/// The JSON Schema of a money field: Codat's `type: number, format: decimal`. Named in the
/// records' `#[schemars(with = ...)]` (their serde `with` helpers are modules, not types).
#[cfg(feature = "schemars")]
#[derive(Debug)]
pub struct Amount;

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Amount {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Decimal")
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "number", "format": "decimal" })
    }
}

/// The same helpers for `Option<Decimal>` fields (`None` is skipped by the struct's
/// `#[skip_serializing_none]`; `null` reads as `None`).
pub mod option {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes `Some` as a JSON number and `None` as `null`.
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(decimal) => super::serialize(decimal, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null` and the empty string as `None` (Codat's own examples write `""` for a missing
    /// amount), and a number or numeric string as `Some`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Null => Ok(None),
            serde_json::Value::String(text) if text.trim().is_empty() => Ok(None),
            value => super::deserialize(value)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests;
