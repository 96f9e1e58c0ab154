//! Codat's `DateTime`: an ISO 8601 string that may or may not carry a time zone.
//!
//! Codat's readers must accept `2021-11-15T06:00:00Z` (UTC), `2021-11-15T01:00:00-05:00` (offset),
//! `2021-11-15T01:00:00` (local time of the business, no zone), the date-only form `2022-10-23`, and the
//! sentinel `0001-01-01T00:00:00`.
//! [`Timestamp`] keeps which form it was given and writes it back in the same form, so nothing is
//! invented (a local time is never silently turned into UTC).
//! Values this crate produces are UTC and are written RFC 3339 with a `Z`
//! (`2020-11-19T16:56:06Z`, with a fraction only when there is one).
//!
//! Depends only on chrono and serde.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, Utc,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ModelError;

/// A Codat `DateTime` value in one of the forms Codat uses.
///
/// Build UTC values with `Timestamp::from(chrono_utc)` or [`Timestamp::from_unix_seconds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timestamp {
    /// An instant in UTC, written with a `Z` suffix: `2020-11-19T16:56:06Z`.
    Utc(DateTime<Utc>),
    /// An instant with an explicit non-`Z` offset: `2021-11-15T01:00:00-05:00`.
    Offset(DateTime<FixedOffset>),
    /// A wall-clock time with no zone (Codat: "times local to the business"): `2021-11-15T01:00:00`.
    Local(NaiveDateTime),
    /// A calendar date with no time: `2022-10-23`.
    Date(NaiveDate),
}

/// Codat's `DateTime`: a reference to the `DateTime` schema every OpenAPI document of this
/// model declares (its forms are described there, not repeated on each field).
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Timestamp {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("DateTime")
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "$ref": "#/components/schemas/DateTime" })
    }
}

impl Timestamp {
    /// The UTC instant for Unix seconds (Stripe's `created`), or `None` when out of range.
    pub fn from_unix_seconds(seconds: i64) -> Option<Self> {
        DateTime::from_timestamp(seconds, 0).map(Timestamp::Utc)
    }

    /// The instant this value names, reading a zone-less value as if it were UTC
    /// (and a date as its midnight).
    ///
    /// Zone-less values have no exact instant; treating them as UTC is the convention used
    /// wherever a date is compared as an instant.
    pub fn to_utc_lossy(&self) -> DateTime<Utc> {
        match self {
            Timestamp::Utc(instant) => *instant,
            Timestamp::Offset(instant) => instant.with_timezone(&Utc),
            Timestamp::Local(naive) => naive.and_utc(),
            Timestamp::Date(date) => date.and_time(NaiveTime::MIN).and_utc(),
        }
    }

    /// Whether this is Codat's "no date" sentinel `0001-01-01T00:00:00` (in any form).
    pub fn is_sentinel(&self) -> bool {
        let instant = self.to_utc_lossy();
        instant.year() == 1 && instant.ordinal() == 1 && instant.time() == NaiveTime::MIN
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(instant: DateTime<Utc>) -> Self {
        Timestamp::Utc(instant)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timestamp::Utc(instant) => {
                f.write_str(&instant.to_rfc3339_opts(SecondsFormat::AutoSi, true))
            }
            Timestamp::Offset(instant) => {
                f.write_str(&instant.to_rfc3339_opts(SecondsFormat::AutoSi, false))
            }
            Timestamp::Local(naive) => write!(f, "{}", naive.format("%Y-%m-%dT%H:%M:%S%.f")),
            Timestamp::Date(date) => write!(f, "{}", date.format("%Y-%m-%d")),
        }
    }
}

impl FromStr for Timestamp {
    type Err = ModelError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        if let Ok(instant) = DateTime::parse_from_rfc3339(trimmed) {
            let is_utc = trimmed.ends_with('Z') || trimmed.ends_with('z');
            return Ok(if is_utc {
                Timestamp::Utc(instant.with_timezone(&Utc))
            } else {
                Timestamp::Offset(instant)
            });
        }
        if let Ok(naive) = NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M:%S%.f") {
            return Ok(Timestamp::Local(naive));
        }
        if let Ok(naive) = NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M") {
            return Ok(Timestamp::Local(naive));
        }
        if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
            return Ok(Timestamp::Date(date));
        }
        Err(ModelError::InvalidDate {
            value: text.to_owned(),
        })
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
