//! Stripe webhook signatures: checks the `Stripe-Signature` header of a delivery and parses
//! the payload as a Stripe event.
//!
//! Sans-IO: the caller hands in the raw body bytes, the header value and the current time.
//! Depends on `hmac`/`sha2`/`subtle` and `stripe-wire`; knows nothing of HTTP frameworks.
//!
//! The scheme: the header is `t=<unix seconds>,v1=<hex>[,v1=<hex>...]` (other schemes such
//! as `v0` are ignored). Each `v1` is HMAC-SHA256, keyed with the endpoint's signing secret
//! (the whole `whsec_...` string), over `{t}.{payload}`. The delivery is accepted when any
//! `v1` matches (Stripe sends several while a secret is being rolled) and `t` is no older
//! than the tolerance.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::ConnectError;

/// How old a signature timestamp may be: 300 seconds, as Stripe's libraries use.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The name of the header Stripe signs deliveries with.
pub const SIGNATURE_HEADER: &str = "Stripe-Signature";

/// A webhook endpoint's signing secret and tolerance: what a delivery is checked against.
///
/// `Debug` never shows the secret.
#[derive(Clone)]
pub struct WebhookEndpoint {
    secret: SecretString,
    tolerance: Duration,
}

impl WebhookEndpoint {
    /// An endpoint with its signing secret (`whsec_...`) and the default 300 s tolerance.
    ///
    /// Refuses an empty secret or one that does not start with `whsec_`.
    pub fn new(secret: SecretString) -> Result<Self, ConnectError> {
        let raw = secret.expose_secret();
        if raw.is_empty() {
            return Err(ConnectError::InvalidWebhookSecret {
                problem: "it is empty",
            });
        }
        if !raw.starts_with("whsec_") {
            return Err(ConnectError::InvalidWebhookSecret {
                problem: "it does not start with whsec_",
            });
        }
        Ok(Self {
            secret,
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// Accepts signatures up to `tolerance` old instead of 300 s.
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The tolerance in force.
    pub fn tolerance(&self) -> Duration {
        self.tolerance
    }

    /// Checks `signature_header` against the raw `payload` at time `now`.
    ///
    /// Errors: [`ConnectError::WebhookHeaderInvalid`] (no `t`, no `v1`, a non-numeric `t`),
    /// [`ConnectError::WebhookSignatureMismatch`] (no `v1` matches: wrong secret or altered
    /// body), [`ConnectError::WebhookTimestampTooOld`] (a valid signature older than the
    /// tolerance: a replay). Signatures are compared in constant time.
    pub fn verify(
        &self,
        payload: &[u8],
        signature_header: &str,
        now: SystemTime,
    ) -> Result<(), ConnectError> {
        let header = parse_header(signature_header)?;
        let expected = self
            .sign(header.timestamp, payload)
            .ok_or(ConnectError::WebhookSignatureMismatch)?;
        let matched = header
            .v1
            .iter()
            .filter_map(|candidate| hex::decode(candidate).ok())
            .fold(subtle::Choice::from(0), |matched, candidate| {
                matched | expected.as_slice().ct_eq(&candidate)
            });
        if !bool::from(matched) {
            return Err(ConnectError::WebhookSignatureMismatch);
        }
        let now_secs = now
            .duration_since(UNIX_EPOCH)
            .map(|since| since.as_secs())
            .unwrap_or(0);
        let age_secs = now_secs.saturating_sub(header.timestamp);
        if age_secs > self.tolerance.as_secs() {
            return Err(ConnectError::WebhookTimestampTooOld {
                age_secs,
                tolerance_secs: self.tolerance.as_secs(),
            });
        }
        Ok(())
    }

    /// Verifies the delivery (see [`WebhookEndpoint::verify`]), then parses it as a Stripe
    /// event. Nothing in an unverified payload is parsed.
    pub fn construct_event(
        &self,
        payload: &[u8],
        signature_header: &str,
        now: SystemTime,
    ) -> Result<stripe_wire::Event, ConnectError> {
        self.verify(payload, signature_header, now)?;
        stripe_wire::from_slice(payload).map_err(|source| ConnectError::WebhookPayload { source })
    }

    /// The `v1` signature of `payload` at `timestamp`, as Stripe computes it. Useful to sign
    /// test deliveries (the sandbox and tests use it).
    pub fn signature_header(&self, timestamp: u64, payload: &[u8]) -> String {
        let signature = self.sign(timestamp, payload).unwrap_or_default();
        format!("t={timestamp},v1={}", hex::encode(signature))
    }

    /// `None` only if HMAC refused the key, which it never does for HMAC-SHA256 (any key
    /// length is accepted); callers treat `None` as "nothing matches".
    fn sign(&self, timestamp: u64, payload: &[u8]) -> Option<Vec<u8>> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.secret.expose_secret().as_bytes()).ok()?;
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        Some(mac.finalize().into_bytes().to_vec())
    }
}

impl fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("secret", &"[REDACTED]")
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

struct SignatureHeader<'a> {
    timestamp: u64,
    v1: Vec<&'a str>,
}

fn parse_header(header: &str) -> Result<SignatureHeader<'_>, ConnectError> {
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for item in header.split(',') {
        let Some((key, value)) = item.trim().split_once('=') else {
            continue;
        };
        match key {
            "t" => {
                let parsed =
                    value
                        .parse::<u64>()
                        .map_err(|_| ConnectError::WebhookHeaderInvalid {
                            problem: "the timestamp t is not a number",
                        })?;
                timestamp = Some(parsed);
            }
            "v1" => v1.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(ConnectError::WebhookHeaderInvalid {
        problem: "there is no timestamp t",
    })?;
    if v1.is_empty() {
        return Err(ConnectError::WebhookHeaderInvalid {
            problem: "there is no v1 signature",
        });
    }
    Ok(SignatureHeader { timestamp, v1 })
}
