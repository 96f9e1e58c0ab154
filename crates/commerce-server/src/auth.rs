//! API-key authentication, as Codat does it: `Authorization: Basic <base64 of the API key>`.
//!
//! Keys are kept only as SHA-256 hashes; a request's key is hashed and looked up. A missing,
//! malformed or unknown key gets `401` with Codat's error body.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// The accepted API keys, hashed. `Debug` shows only how many there are.
#[derive(Clone, Default)]
pub struct ApiKeys {
    hashes: Arc<HashSet<[u8; 32]>>,
}

impl ApiKeys {
    /// Hashes the given keys (surrounding spaces trimmed; empty ones ignored).
    pub fn new<I, S>(keys: I) -> ApiKeys
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let hashes = keys
            .into_iter()
            .filter_map(|key| {
                let key = key.as_ref().trim();
                (!key.is_empty()).then(|| hash(key))
            })
            .collect();
        ApiKeys {
            hashes: Arc::new(hashes),
        }
    }

    /// Whether `key` is one of the accepted keys.
    pub fn contains(&self, key: &str) -> bool {
        self.hashes.contains(&hash(key))
    }

    /// How many keys are accepted.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether no key is accepted (every authenticated request is refused).
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Whether an `Authorization` header value carries an accepted key.
    pub fn authorizes(&self, header: &str) -> bool {
        let Some(encoded) = header
            .strip_prefix("Basic ")
            .or_else(|| header.strip_prefix("basic "))
        else {
            return false;
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let Ok(key) = std::str::from_utf8(&decoded) else {
            return false;
        };
        self.contains(key)
    }
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeys({} hashed)", self.hashes.len())
    }
}

fn hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// The `Authorization` header value for an API key (`Basic <base64>`), for clients and tests.
pub fn authorization_header(api_key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(api_key)
    )
}

/// Middleware: refuses requests without an accepted key.
pub(crate) async fn require_api_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let authorized = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| state.inner.api_keys.authorizes(value));
    if authorized {
        next.run(request).await
    } else {
        ApiError::unauthorized().into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_with_the_key_is_accepted() {
        let keys = ApiKeys::new(["key-one-0123456789", " key-two-0123456789 "]);
        assert!(keys.authorizes(&authorization_header("key-one-0123456789")));
        assert!(keys.authorizes(&authorization_header("key-two-0123456789")));
        assert!(!keys.authorizes(&authorization_header("key-three-0123456789")));
        assert!(!keys.authorizes("Bearer key-one-0123456789"));
        assert!(!keys.authorizes("Basic key-one-0123456789"));
        assert!(!keys.authorizes("Basic "));
        assert_eq!(format!("{keys:?}"), "ApiKeys(2 hashed)");
    }
}
