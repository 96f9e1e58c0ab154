//! Currencies and amounts: Stripe's minor units into exact decimal major units.
//!
//! Pure arithmetic on `rust_decimal`; never a float. Knows nothing of the commerce model.

use rust_decimal::Decimal;

use crate::error::MapError;

/// An upper-case ISO 4217 code checked to be three ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CurrencyCode(String);

impl CurrencyCode {
    /// Parses Stripe's lower-case code; `None` for a missing or empty one, an error for a malformed one.
    pub(crate) fn parse(
        raw: Option<&str>,
        object: &'static str,
        id: &str,
        field: &'static str,
    ) -> Result<Option<CurrencyCode>, MapError> {
        let Some(raw) = raw.filter(|raw| !raw.is_empty()) else {
            return Ok(None);
        };
        if raw.len() != 3 || !raw.bytes().all(|byte| byte.is_ascii_alphabetic()) {
            return Err(MapError::InvalidField {
                object,
                id: id.to_owned(),
                field,
                value: raw.to_owned(),
            });
        }
        Ok(Some(CurrencyCode(raw.to_ascii_uppercase())))
    }

    /// Like [`CurrencyCode::parse`], but a missing code is a [`MapError::MissingField`].
    pub(crate) fn require(
        raw: Option<&str>,
        object: &'static str,
        id: &str,
        field: &'static str,
    ) -> Result<CurrencyCode, MapError> {
        CurrencyCode::parse(raw, object, id, field)?.ok_or_else(|| MapError::MissingField {
            object,
            id: id.to_owned(),
            field,
        })
    }

    /// The upper-case code, e.g. `GBP`.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The number of minor digits Stripe writes for this currency.
    pub(crate) fn exponent(&self) -> u32 {
        exponent(&self.0)
    }

    /// Converts an amount in minor units into major units: `1099` USD is `10.99`.
    pub(crate) fn major(&self, minor: i64) -> Decimal {
        let mut amount = Decimal::from(minor);
        // Scales 0..=3 are always in range for `set_scale`, so this cannot fail.
        if amount.set_scale(self.exponent()).is_err() {
            return Decimal::from(minor);
        }
        amount.normalize()
    }

    /// Converts a decimal string of minor units (Stripe's `*_decimal` fields) into major units.
    pub(crate) fn major_from_decimal_str(
        &self,
        minor: &str,
        object: &'static str,
        id: &str,
        field: &'static str,
    ) -> Result<Decimal, MapError> {
        let invalid = || MapError::InvalidField {
            object,
            id: id.to_owned(),
            field,
            value: minor.to_owned(),
        };
        let parsed: Decimal = minor.trim().parse().map_err(|_| invalid())?;
        let divisor = Decimal::from(10_i64.pow(self.exponent()));
        parsed
            .checked_div(divisor)
            .map(|amount| amount.normalize())
            .ok_or_else(invalid)
    }
}

/// The number of minor digits Stripe writes for a currency (ISO 4217 with Stripe's exceptions;
/// see `stripe_wire::currency`).
pub fn exponent(currency: &str) -> u32 {
    stripe_wire::currency::exponent(currency)
}

/// Adds two amounts, naming the record and field when the sum does not fit.
pub(crate) fn checked_sum(
    left: Decimal,
    right: Decimal,
    object: &'static str,
    id: &str,
    field: &'static str,
) -> Result<Decimal, MapError> {
    left.checked_add(right)
        .ok_or_else(|| MapError::AmountOverflow {
            object,
            id: id.to_owned(),
            field,
        })
}
