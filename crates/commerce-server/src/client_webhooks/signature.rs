//! The `Commerce-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`, where the MAC is
//! computed with the webhook secret over `"<t>.<raw body>"` (the timestamp, a dot, and the exact
//! bytes of the request body). Receivers check the MAC in constant time and refuse stale
//! timestamps, so a captured request cannot be replayed later.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Commerce-Signature";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &SecretString, timestamp: i64, body: &[u8]) -> Option<HmacSha256> {
    // HMAC accepts keys of any length, so this is always `Some`.
    let mut mac = HmacSha256::new_from_slice(secret.expose_secret().as_bytes()).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// The `Commerce-Signature` header value for `body` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &SecretString, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body)
        .map(|mac| hex::encode(mac.finalize().into_bytes()))
        .unwrap_or_default();
    format!("t={timestamp},v1={digest}")
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The header is not `t=<digits>,v1=<hex>`.
    #[error("malformed signature header")]
    Malformed,
    /// The timestamp is further than the tolerance from now.
    #[error("timestamp outside the tolerance")]
    Stale,
    /// No `v1` value matches the body.
    #[error("signature does not match")]
    Mismatch,
}

/// Checks a `Commerce-Signature` header against `body`, refusing timestamps more than
/// `tolerance_seconds` away from `now` (Unix seconds). Several `v1=` values are accepted (any
/// may match), so a receiver can rotate secrets.
pub fn verify(
    secret: &SecretString,
    header: &str,
    body: &[u8],
    now: i64,
    tolerance_seconds: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                )
            }
            Some(("v1", value)) => {
                candidates.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?)
            }
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return Err(SignatureError::Malformed);
    };
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > tolerance_seconds {
        return Err(SignatureError::Stale);
    }
    for candidate in candidates {
        // `verify_slice` compares in constant time.
        let matches =
            mac(secret, timestamp, body).is_some_and(|mac| mac.verify_slice(&candidate).is_ok());
        if matches {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretString {
        SecretString::from("whsec_client_0123456789")
    }

    #[test]
    fn known_vector() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_client_0123456789
        let header = sign(&secret(), 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(
            header,
            "t=1700000000,v1=b452a5995493af3d657bb611235bbc165821fdab98ccd5721ed6e4b916e553fd"
        );
        assert_eq!(
            verify(&secret(), &header, br#"{"a":1}"#, 1_700_000_100, 300),
            Ok(())
        );
    }

    #[test]
    fn tampering_staleness_and_garbage_are_refused() {
        let header = sign(&secret(), 1_700_000_000, b"body");
        assert_eq!(
            verify(&secret(), &header, b"body!", 1_700_000_000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                &SecretString::from("another-secret-0123"),
                &header,
                b"body",
                1_700_000_000,
                300
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&secret(), &header, b"body", 1_700_000_301, 300),
            Err(SignatureError::Stale)
        );
        // The timestamp is signed: moving it breaks the MAC.
        let moved = header.replace("t=1700000000", "t=1700000200");
        assert_eq!(
            verify(&secret(), &moved, b"body", 1_700_000_200, 300),
            Err(SignatureError::Mismatch)
        );
        for bad in ["", "t=1", "v1=00", "t=x,v1=00", "t=1,v1=zz"] {
            assert_eq!(
                verify(&secret(), bad, b"body", 1, 300),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        // Rotation: a second v1 value may match.
        let (_, good) = header.split_once(",v1=").unwrap();
        let rotated = format!("t=1700000000,v1={},v1={good}", "00".repeat(32));
        assert_eq!(
            verify(&secret(), &rotated, b"body", 1_700_000_000, 300),
            Ok(())
        );
    }
}
