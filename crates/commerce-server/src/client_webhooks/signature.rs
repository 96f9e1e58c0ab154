//! Signatures the Standard Webhooks way (as Codat's Svix signs): every request carries
//! `webhook-id` (the event id), `webhook-timestamp` (Unix seconds of the attempt) and
//! `webhook-signature: v1,<base64 of HMAC-SHA256("<id>.<timestamp>.<body>")>`, keyed with the
//! consumer's secret `whsec_<base64 of the key>`. The framing and the MAC are the
//! `standardwebhooks` crate's, so any Standard Webhooks library verifies them.

use std::fmt;

use base64::Engine as _;
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretString};
use standardwebhooks::Webhook;

/// The header carrying the event id.
pub const ID_HEADER: &str = standardwebhooks::HEADER_WEBHOOK_ID;
/// The header carrying the attempt's Unix time in seconds.
pub const TIMESTAMP_HEADER: &str = standardwebhooks::HEADER_WEBHOOK_TIMESTAMP;
/// The header carrying the signature(s).
pub const SIGNATURE_HEADER: &str = standardwebhooks::HEADER_WEBHOOK_SIGNATURE;

/// The prefix of a signing secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// The fewest key bytes a secret may hold.
pub const MIN_SECRET_BYTES: usize = 16;
/// How many key bytes a generated secret holds.
const GENERATED_SECRET_BYTES: usize = 32;

/// A signing secret, `whsec_<base64>`. Never shown by `Debug`.
#[derive(Clone)]
pub struct WebhookSecret(SecretString);

/// Why a secret or a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The secret is not `whsec_` followed by base64 of at least [`MIN_SECRET_BYTES`] bytes.
    #[error("a webhook secret must be `whsec_` followed by the base64 of at least {MIN_SECRET_BYTES} random bytes")]
    MalformedSecret,
    /// The body is not UTF-8 (every event body is JSON text).
    #[error("the body is not UTF-8 text")]
    NotText,
    /// The headers are missing, malformed, stale or do not match the body.
    #[error("the signature does not verify: {0}")]
    Invalid(String),
}

impl WebhookSecret {
    /// Reads `whsec_<base64>` (standard base64, at least [`MIN_SECRET_BYTES`] bytes).
    pub fn parse(text: &str) -> Result<Self, SignatureError> {
        let encoded = text
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SignatureError::MalformedSecret)?;
        let key = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| SignatureError::MalformedSecret)?;
        if key.len() < MIN_SECRET_BYTES {
            return Err(SignatureError::MalformedSecret);
        }
        Ok(WebhookSecret(SecretString::from(text.trim().to_owned())))
    }

    /// A new random secret of 32 bytes.
    pub fn generate() -> Self {
        let mut key = [0u8; GENERATED_SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let encoded = base64::engine::general_purpose::STANDARD.encode(key);
        WebhookSecret(SecretString::from(format!("{SECRET_PREFIX}{encoded}")))
    }

    /// The secret's text, `whsec_...`.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    fn webhook(&self) -> Result<Webhook, SignatureError> {
        Webhook::new(self.expose()).map_err(|_| SignatureError::MalformedSecret)
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

/// The `webhook-signature` value for the event `id`'s `body` sent at `timestamp`.
pub fn sign(
    secret: &WebhookSecret,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SignatureError> {
    secret
        .webhook()?
        .sign(id, timestamp, body)
        .map_err(|error| match error {
            standardwebhooks::WebhookError::InvalidPayload => SignatureError::NotText,
            other => SignatureError::Invalid(other.to_string()),
        })
}

/// Checks a request's `webhook-id`, `webhook-timestamp` and `webhook-signature` headers
/// against `body`, as a receiver does (the timestamp must be within 5 minutes of now).
pub fn verify(
    secret: &WebhookSecret,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<(), SignatureError> {
    secret
        .webhook()?
        .verify(body, headers)
        .map_err(|error| SignatureError::Invalid(error.to_string()))
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    use super::*;

    // The Standard Webhooks specification's example secret.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn headers(id: &str, timestamp: i64, signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ID_HEADER, HeaderValue::from_str(id).unwrap());
        headers.insert(
            TIMESTAMP_HEADER,
            HeaderValue::from_str(&timestamp.to_string()).unwrap(),
        );
        headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(signature).unwrap());
        headers
    }

    #[test]
    fn known_vector() {
        // Computed independently:
        // printf 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}' |
        //   openssl dgst -sha256 -mac HMAC -macopt hexkey:$(echo MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw | base64 -d | xxd -p) -binary | base64
        let secret = WebhookSecret::parse(SECRET).unwrap();
        let signature = sign(
            &secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn fresh_signatures_verify_and_tampering_is_refused() {
        let secret = WebhookSecret::generate();
        assert!(secret.expose().starts_with(SECRET_PREFIX));
        let now = chrono::Utc::now().timestamp();
        let body = br#"{"id":"e1"}"#;
        let signature = sign(&secret, "e1", now, body).unwrap();
        assert_eq!(
            verify(&secret, &headers("e1", now, &signature), body),
            Ok(())
        );
        // Another body, id, timestamp or secret: refused.
        assert!(verify(&secret, &headers("e1", now, &signature), b"{}").is_err());
        assert!(verify(&secret, &headers("e2", now, &signature), body).is_err());
        assert!(verify(&secret, &headers("e1", now + 1, &signature), body).is_err());
        assert!(verify(
            &WebhookSecret::generate(),
            &headers("e1", now, &signature),
            body
        )
        .is_err());
        // Stale: an hour old, even with a matching signature.
        let old = now - 3600;
        let stale = sign(&secret, "e1", old, body).unwrap();
        assert!(verify(&secret, &headers("e1", old, &stale), body).is_err());
        // Rotation: several space-separated signatures, one of which matches.
        let both = format!("v1,{} {signature}", "A".repeat(44));
        assert_eq!(verify(&secret, &headers("e1", now, &both), body), Ok(()));
    }

    #[test]
    fn secrets_must_be_whsec_base64_of_enough_bytes() {
        for bad in [
            "",
            "whsec_",
            "secret-0123456789abcdef",
            "whsec_not base64!",
            "whsec_c2hvcnQ=",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ] {
            assert_eq!(
                WebhookSecret::parse(bad).err(),
                Some(SignatureError::MalformedSecret),
                "{bad}"
            );
        }
        let secret = WebhookSecret::parse(SECRET).unwrap();
        assert!(!format!("{secret:?}").contains("MfKQ"));
    }
}
