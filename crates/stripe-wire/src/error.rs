//! The crate's one error type and the decoding helpers that produce it.
//! Depends on serde_json and serde_path_to_error; no I/O.

use serde::de::DeserializeOwned;

/// Why Stripe JSON could not be decoded into a wire type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The bytes are not valid JSON, or do not fit the type at `path`.
    #[error("invalid stripe json at `{path}`: {source}")]
    Json {
        /// The JSON path of the failure, e.g. `data[3].amount` (`.` for the document itself).
        path: String,
        /// The underlying serde_json error (with line and column).
        #[source]
        source: serde_json::Error,
    },
}

impl WireError {
    /// The JSON path where decoding failed.
    pub fn path(&self) -> &str {
        match self {
            WireError::Json { path, .. } => path,
        }
    }
}

/// Decodes Stripe JSON bytes into `T`; the error names the JSON path of the failure.
///
/// The bytes are decoded once at full serde_json speed; only when that fails are they decoded
/// again with path tracking, so the happy path pays nothing for the path.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
    serde_json::from_slice(bytes).map_err(|source| {
        let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
        locate::<_, T>(deserializer, source)
    })
}

/// Decodes Stripe JSON text into `T`; the error names the JSON path of the failure.
///
/// Same strategy as [`from_slice`].
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, WireError> {
    serde_json::from_str(text).map_err(|source| {
        let deserializer = &mut serde_json::Deserializer::from_str(text);
        locate::<_, T>(deserializer, source)
    })
}

/// Decodes again with path tracking to find where `first_error` happened.
fn locate<'de, R: serde_json::de::Read<'de>, T: DeserializeOwned>(
    deserializer: &mut serde_json::Deserializer<R>,
    first_error: serde_json::Error,
) -> WireError {
    match serde_path_to_error::deserialize::<_, T>(&mut *deserializer) {
        Err(error) => WireError::Json {
            path: error.path().to_string(),
            source: error.into_inner(),
        },
        // The value itself decoded, so the first failure was after it (trailing characters).
        Ok(_) => WireError::Json {
            path: ".".to_owned(),
            source: first_error,
        },
    }
}
