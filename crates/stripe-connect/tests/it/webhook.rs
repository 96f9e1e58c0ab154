//! Webhook signature verification and event parsing.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::SecretString;
use stripe_connect::webhook::WebhookEndpoint;
use stripe_connect::ConnectError;

const SECRET: &str = "whsec_test_SIGNINGSECRET";
const SIGNED_AT: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

const PAYLOAD: &str = r#"{
  "id": "evt_1NG8Du2eZvKYlo2CUI79vXWy",
  "object": "event",
  "account": "acct_1032D82eZvKYlo2C",
  "api_version": "2026-06-24.dahlia",
  "created": 1767225600,
  "data": {
    "object": {
      "id": "ca_TESTCLIENT123",
      "object": "application",
      "name": "Commerce"
    }
  },
  "livemode": false,
  "pending_webhooks": 1,
  "request": {"id": null, "idempotency_key": null},
  "type": "account.application.deauthorized"
}"#;

fn endpoint(secret: &str) -> WebhookEndpoint {
    WebhookEndpoint::new(SecretString::from(secret)).unwrap()
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[track_caller]
fn check(header: &str, payload: &str, now: SystemTime, expect: &str) {
    let actual = match endpoint(SECRET).verify(payload.as_bytes(), header, now) {
        Ok(()) => "ok".to_owned(),
        Err(error) => error.to_string(),
    };
    assert_eq!(actual, expect);
}

fn signed(payload: &str) -> String {
    endpoint(SECRET).signature_header(SIGNED_AT, payload.as_bytes())
}

#[test]
fn a_good_signature_is_accepted() {
    check(&signed(PAYLOAD), PAYLOAD, at(SIGNED_AT + 10), "ok");
}

#[test]
fn the_signature_is_hmac_sha256_over_timestamp_dot_payload() {
    // Independently computed: printf '%s' '1767225600.{"a":1}' |
    //   openssl dgst -sha256 -hmac 'whsec_test_SIGNINGSECRET'
    let header = endpoint(SECRET).signature_header(SIGNED_AT, br#"{"a":1}"#);
    assert_eq!(
        header,
        "t=1767225600,v1=1aa62dde6d2b709aa22777cb4b0669e76e207436b6598baa02493f4a8f911cca"
    );
}

#[test]
fn a_signature_made_with_another_secret_is_refused() {
    let forged = endpoint("whsec_someone_else").signature_header(SIGNED_AT, PAYLOAD.as_bytes());
    check(
        &forged,
        PAYLOAD,
        at(SIGNED_AT),
        "no v1 signature matches the payload",
    );
}

#[test]
fn a_tampered_body_is_refused() {
    let tampered = PAYLOAD.replace("acct_1032D82eZvKYlo2C", "acct_1ATTACKER000000");
    check(
        &signed(PAYLOAD),
        &tampered,
        at(SIGNED_AT),
        "no v1 signature matches the payload",
    );
}

#[test]
fn an_old_signature_is_refused_as_a_replay() {
    check(&signed(PAYLOAD), PAYLOAD, at(SIGNED_AT + 300), "ok");
    check(
        &signed(PAYLOAD),
        PAYLOAD,
        at(SIGNED_AT + 301),
        "the webhook timestamp is 301 s old, more than the 300 s tolerance",
    );
    let lenient = endpoint(SECRET).with_tolerance(Duration::from_secs(600));
    assert!(lenient
        .verify(PAYLOAD.as_bytes(), &signed(PAYLOAD), at(SIGNED_AT + 301))
        .is_ok());
}

#[test]
fn any_of_several_v1_signatures_may_match() {
    let good = signed(PAYLOAD);
    let good_v1 = good.split_once(",v1=").unwrap().1;
    let stale = endpoint("whsec_old_secret").signature_header(SIGNED_AT, PAYLOAD.as_bytes());
    let stale_v1 = stale.split_once(",v1=").unwrap().1;
    // The matching signature first or second, with a v0 scheme that must be ignored.
    check(
        &format!("t={SIGNED_AT},v1={good_v1},v1={stale_v1},v0=deadbeef"),
        PAYLOAD,
        at(SIGNED_AT),
        "ok",
    );
    check(
        &format!("t={SIGNED_AT}, v1={stale_v1}, v1={good_v1}"),
        PAYLOAD,
        at(SIGNED_AT),
        "ok",
    );
    check(
        &format!("t={SIGNED_AT},v1={stale_v1},v1=not-hex"),
        PAYLOAD,
        at(SIGNED_AT),
        "no v1 signature matches the payload",
    );
}

#[test]
fn malformed_headers_are_refused() {
    let good_v1 = signed(PAYLOAD).split_once(",v1=").unwrap().1.to_owned();
    check(
        &format!("v1={good_v1}"),
        PAYLOAD,
        at(SIGNED_AT),
        "the stripe-signature header is malformed: there is no timestamp t",
    );
    check(
        &format!("t={SIGNED_AT},v0={good_v1}"),
        PAYLOAD,
        at(SIGNED_AT),
        "the stripe-signature header is malformed: there is no v1 signature",
    );
    check(
        &format!("t=yesterday,v1={good_v1}"),
        PAYLOAD,
        at(SIGNED_AT),
        "the stripe-signature header is malformed: the timestamp t is not a number",
    );
    check(
        "",
        PAYLOAD,
        at(SIGNED_AT),
        "the stripe-signature header is malformed: there is no timestamp t",
    );
}

#[test]
fn webhook_secrets_are_checked() {
    for (secret, expect) in [
        ("", "the webhook signing secret is invalid: it is empty"),
        (
            "sk_test_123",
            "the webhook signing secret is invalid: it does not start with whsec_",
        ),
    ] {
        let err = WebhookEndpoint::new(SecretString::from(secret)).unwrap_err();
        assert_eq!(err.to_string(), expect);
    }
}

#[test]
fn construct_event_parses_a_verified_deauthorization() {
    let event = endpoint(SECRET)
        .construct_event(PAYLOAD.as_bytes(), &signed(PAYLOAD), at(SIGNED_AT))
        .unwrap();
    assert_eq!(event.event_type, "account.application.deauthorized");
    assert_eq!(event.account.as_deref(), Some("acct_1032D82eZvKYlo2C"));
    assert_eq!(event.id, "evt_1NG8Du2eZvKYlo2CUI79vXWy");
    assert!(!event.livemode);
    assert_eq!(event.data.object.object_type(), "application");
    assert_eq!(event.data.object.id(), "ca_TESTCLIENT123");
}

#[test]
fn construct_event_refuses_before_parsing() {
    let err = endpoint(SECRET)
        .construct_event(b"not json", &signed(PAYLOAD), at(SIGNED_AT))
        .unwrap_err();
    assert!(
        matches!(err, ConnectError::WebhookSignatureMismatch),
        "{err:?}"
    );
    let err = endpoint(SECRET)
        .construct_event(b"not json", &signed("not json"), at(SIGNED_AT))
        .unwrap_err();
    assert!(
        matches!(err, ConnectError::WebhookPayload { .. }),
        "{err:?}"
    );
}

#[test]
fn construct_event_parses_a_verified_data_event() {
    let payload = r#"{"id":"evt_2","object":"event","account":"acct_1032D82eZvKYlo2C","api_version":"2026-06-24.dahlia","created":1767225600,"data":{"object":{"id":"ch_3MmlLrLkdIwHu7ix0snN0B15","object":"charge","amount":1099,"amount_captured":1099,"amount_refunded":0,"captured":true,"created":1767225500,"currency":"usd","livemode":false,"paid":true,"refunded":false,"status":"succeeded"}},"livemode":false,"pending_webhooks":1,"request":{"id":"req_1","idempotency_key":null},"type":"charge.succeeded"}"#;
    let event = endpoint(SECRET)
        .construct_event(payload.as_bytes(), &signed(payload), at(SIGNED_AT))
        .unwrap();
    assert_eq!(event.event_type, "charge.succeeded");
    let stripe_wire::EventObject::Charge(charge) = &event.data.object else {
        panic!("expected a charge, got {:?}", event.data.object);
    };
    assert_eq!(charge.amount, 1099);
    assert_eq!(charge.currency, "usd");
}
