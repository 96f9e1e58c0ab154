//! Only webhook signatures: verify a delivery and read its event, no HTTP client or runtime.

#[path = "../../serde_patterns.rs"]
mod serde_patterns;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use stripe_connect::webhook::WebhookEndpoint;
use stripe_connect::{ConnectError, SecretString};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    serde_patterns::check()?;
    let endpoint = WebhookEndpoint::new(SecretString::from("whsec_test_secret"))?;
    let payload =
        br#"{"id":"evt_1","object":"event","type":"customer.created","created":1700000000,
        "livemode":false,"api_version":"2024-06-20","pending_webhooks":1,
        "data":{"object":{"id":"cus_1","object":"customer","created":1700000000}}}"#;
    let now = SystemTime::now();
    let signed_at = now.duration_since(UNIX_EPOCH)?.as_secs();
    // What Stripe sends in the `Stripe-Signature` header (signed here for the example).
    let header = endpoint.signature_header(signed_at, payload);

    let event = endpoint.construct_event(payload, &header, now)?;
    assert_eq!(event.id, "evt_1");

    // An altered body or an old signature is refused.
    let altered = endpoint.construct_event(b"{}", &header, now);
    assert!(matches!(
        altered,
        Err(ConnectError::WebhookSignatureMismatch)
    ));
    let later = now + Duration::from_secs(3600);
    assert!(matches!(
        endpoint.verify(payload, &header, later),
        Err(ConnectError::WebhookTimestampTooOld { .. })
    ));
    println!("connect-webhooks: ok");
    Ok(())
}
