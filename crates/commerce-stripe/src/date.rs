//! Stripe's unix-second times into commerce `Timestamp`s (RFC 3339 UTC with a `Z`).

use commerce_model as commerce;

use crate::error::MapError;

/// Converts unix seconds; a zero or absent time is `None` (left out, never 1970), a negative or
/// out-of-range one is an [`MapError::InvalidField`].
pub(crate) fn timestamp(
    seconds: Option<i64>,
    object: &'static str,
    id: &str,
    field: &'static str,
) -> Result<Option<commerce::Timestamp>, MapError> {
    match seconds {
        None | Some(0) => Ok(None),
        Some(seconds) if seconds < 0 => Err(invalid(seconds, object, id, field)),
        Some(seconds) => commerce::Timestamp::from_unix_seconds(seconds)
            .map(Some)
            .ok_or_else(|| invalid(seconds, object, id, field)),
    }
}

fn invalid(seconds: i64, object: &'static str, id: &str, field: &'static str) -> MapError {
    MapError::InvalidField {
        object,
        id: id.to_owned(),
        field,
        value: seconds.to_string(),
    }
}
