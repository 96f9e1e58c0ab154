//! API-key authentication, as Codat does it: `Authorization: Basic <base64 of the API key>`.
//! `Basic <base64 of "KEY:">` (what `curl -u KEY:` sends: the key as user name, no password)
//! is accepted too.
//!
//! Keys are kept only as SHA-256 hashes; a request's key is hashed and looked up, first among
//! the configured keys (`COMMERCE_API_KEYS`), then among the keys made with `POST /apiKeys`
//! (in the store, so a key deleted there stops working at once, in every process). A missing,
//! malformed or unknown key gets `401` with Codat's error body.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use commerce_store::Store;
use sha2::{Digest, Sha256};

/// The accepted API keys, hashed. `Debug` shows only how many there are.
#[derive(Clone, Default)]
pub struct ApiKeys {
    hashes: Arc<HashSet<[u8; 32]>>,
    /// The same hashes in configuration order (for `GET /apiKeys`).
    ordered: Arc<Vec<[u8; 32]>>,
}

impl ApiKeys {
    /// Hashes the given keys (surrounding spaces trimmed; empty ones ignored).
    pub fn new<I, S>(keys: I) -> ApiKeys
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut ordered: Vec<[u8; 32]> = Vec::new();
        for key in keys {
            let key = key.as_ref().trim();
            if !key.is_empty() && !ordered.contains(&hash(key)) {
                ordered.push(hash(key));
            }
        }
        ApiKeys {
            hashes: Arc::new(ordered.iter().copied().collect()),
            ordered: Arc::new(ordered),
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

    /// Whether an `Authorization` header value carries one of these keys.
    pub fn authorizes(&self, header: &str) -> bool {
        candidates(header).iter().any(|key| self.contains(key))
    }

    /// The keys' SHA-256 hashes, in configuration order.
    pub(crate) fn hashes(&self) -> &[[u8; 32]] {
        &self.ordered
    }
}

/// The keys an `Authorization: Basic ...` value may carry: the decoded text (Codat's
/// `base64(apiKey)`), and for `user:password` forms the user name when the password is empty
/// (`curl -u KEY:`) or the password when the user name is empty (`:KEY`).
pub(crate) fn candidates(header: &str) -> Vec<String> {
    let Some((scheme, encoded)) = header.trim().split_once(' ') else {
        return Vec::new();
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Vec::new();
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return Vec::new();
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return Vec::new();
    };
    let mut keys = vec![decoded.clone()];
    if let Some((user, password)) = decoded.split_once(':') {
        if password.is_empty() {
            keys.push(user.to_owned());
        } else if user.is_empty() {
            keys.push(password.to_owned());
        }
    }
    keys.retain(|key| !key.is_empty());
    keys
}

/// The accepted key among `candidates`: a configured one, or one made with `POST /apiKeys`
/// and not deleted (looked up in the store on every request).
pub(crate) async fn accepted(
    api_keys: &ApiKeys,
    store: &Store,
    candidates: &[String],
) -> Option<String> {
    if let Some(key) = candidates.iter().find(|key| api_keys.contains(key)) {
        return Some(key.clone());
    }
    for key in candidates {
        match store.api_key_exists(&hash(key)).await {
            Ok(true) => return Some(key.clone()),
            Ok(false) => {}
            Err(error) => {
                tracing::error!(error = %error, "looking up an API key failed");
                return None;
            }
        }
    }
    None
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeys({} hashed)", self.hashes.len())
    }
}

pub(crate) fn hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// The `Authorization` header value for an API key (`Basic <base64>`), for clients and tests.
pub fn authorization_header(api_key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(api_key)
    )
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
        // `curl -u KEY:` sends base64("KEY:"); `:KEY` carries it as the password.
        assert!(keys.authorizes(&authorization_header("key-one-0123456789:")));
        assert!(keys.authorizes(&authorization_header(":key-one-0123456789")));
        assert!(!keys.authorizes(&authorization_header("key-one-0123456789:other")));
        assert!(!keys.authorizes(&authorization_header("other:key-one-0123456789")));
        assert_eq!(format!("{keys:?}"), "ApiKeys(2 hashed)");
    }
}
