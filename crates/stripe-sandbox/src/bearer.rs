//! The API key a request carries in its `Authorization` header. Knows no state and no
//! routes, so `server`, `auth` and `oauth` all read keys the same way without depending on
//! one another.

use axum::http::HeaderMap;

/// The API key a request carries (Bearer, Basic `key:` or none).
pub(crate) fn bearer_key(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?.trim();
    if let Some(key) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
    {
        return Some(key.trim().to_owned());
    }
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let key = text.split(':').next().unwrap_or_default();
    (!key.is_empty()).then(|| key.to_owned())
}
