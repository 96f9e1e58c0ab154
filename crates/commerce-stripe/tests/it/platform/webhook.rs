//! Webhooks: the sandbox's signed deliveries (captured by a wiremock receiver) and forged ones.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use commerce_model::platform::{Platform, PlatformError, WebhookOutcome, WebhookRequest};
use commerce_model::DataType;
use stripe_sandbox::Activity;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{platform_for, start};

/// The deliveries the receiver got so far, as the server would hand them over.
async fn deliveries(receiver: &MockServer, at_least: usize) -> Vec<WebhookRequest> {
    for _ in 0..200 {
        let received = receiver.received_requests().await.unwrap_or_default();
        if received.len() >= at_least {
            return received
                .into_iter()
                .map(|request| WebhookRequest {
                    headers: request
                        .headers
                        .iter()
                        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
                        .collect(),
                    body: request.body,
                })
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("fewer than {at_least} webhook deliveries arrived");
}

fn event_type(request: &WebhookRequest) -> String {
    let event: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    event["type"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn sandbox_deliveries_are_verified_and_interpreted() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let uri = receiver.uri();
    let env = start(10, |config| config.webhook_url = Some(uri)).await;
    let account = env.account.external_id.clone();

    let customer = env
        .sandbox
        .apply(
            &account,
            Activity::NewCustomer {
                name: "Ada Lovelace".to_owned(),
                email: Some("ada@example.com".to_owned()),
            },
        )
        .unwrap()
        .object_id;
    let created = &deliveries(&receiver, 1).await[0];
    assert_eq!(event_type(created), "customer.created");
    let webhook = env.platform.interpret_webhook(created).unwrap();
    assert!(webhook.event_id.starts_with("evt_"));
    assert_eq!(webhook.account.as_deref(), Some(account.as_str()));
    assert_eq!(
        webhook.outcome,
        WebhookOutcome::RecordsChanged {
            external_account_id: account.clone(),
            data_types: vec![DataType::Customers],
        }
    );
    let changes = webhook.changes.unwrap();
    assert_eq!(changes.data_type, DataType::Customers);
    assert_eq!(changes.records.len(), 1);
    assert_eq!(changes.records[0].id, customer);
    assert_eq!(changes.records[0].json["customerName"], "Ada Lovelace");
    assert!(changes.records[0].source_modified_date.is_some());

    env.sandbox
        .apply(
            &account,
            Activity::DeleteCustomer {
                customer: customer.clone(),
            },
        )
        .unwrap();
    let deleted = &deliveries(&receiver, 2).await[1];
    assert_eq!(event_type(deleted), "customer.deleted");
    let webhook = env.platform.interpret_webhook(deleted).unwrap();
    let changes = webhook.changes.unwrap();
    assert!(changes.records.is_empty());
    assert_eq!(changes.deleted_ids, vec![customer]);

    env.sandbox.deauthorize(&account).unwrap();
    let all = deliveries(&receiver, 3).await;
    let deauthorized = all
        .iter()
        .find(|request| event_type(request) == "account.application.deauthorized")
        .expect("a deauthorization event");
    assert_eq!(
        env.platform
            .handle_webhook(deauthorized.clone())
            .await
            .unwrap(),
        WebhookOutcome::AccountDeauthorized {
            external_account_id: account.clone(),
        }
    );

    // The same body with a forged signature, or none, is refused.
    let mut forged = deauthorized.clone();
    forged.headers = vec![(
        "Stripe-Signature".to_owned(),
        stripe_sandbox::sign_payload("whsec_not_the_secret", now(), &forged.body),
    )];
    let error = env.platform.handle_webhook(forged).await.unwrap_err();
    assert!(
        matches!(error, PlatformError::InvalidWebhook { .. }),
        "{error:?}"
    );
    let mut unsigned = deauthorized.clone();
    unsigned.headers.clear();
    let error = env.platform.handle_webhook(unsigned).await.unwrap_err();
    assert!(
        matches!(error, PlatformError::InvalidWebhook { .. }),
        "{error:?}"
    );
    // An altered body does not match its signature.
    let mut altered = deauthorized.clone();
    altered.body = String::from_utf8(altered.body)
        .unwrap()
        .replace(&account, "acct_someoneelse")
        .into_bytes();
    let error = env.platform.handle_webhook(altered).await.unwrap_err();
    assert!(
        matches!(error, PlatformError::InvalidWebhook { .. }),
        "{error:?}"
    );
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn signed(secret: &str, event: serde_json::Value) -> WebhookRequest {
    let body = serde_json::to_vec(&event).unwrap();
    WebhookRequest {
        headers: vec![(
            "stripe-signature".to_owned(),
            stripe_sandbox::sign_payload(secret, now(), &body),
        )],
        body,
    }
}

#[tokio::test]
async fn other_modes_other_types_and_missing_secrets() {
    let secret = "whsec_test_secret_for_platform";
    let platform = platform_for("http://127.0.0.1:9", "ca_test1", "sk_test_1", Some(secret));
    let event = |event_type: &str, livemode: bool, object: serde_json::Value| {
        serde_json::json!({
            "id": "evt_1", "object": "event", "account": "acct_1", "created": 1_800_000_000,
            "livemode": livemode, "type": event_type, "data": {"object": object},
            "pending_webhooks": 1, "api_version": "2026-06-24.dahlia"
        })
    };
    let charge = serde_json::json!({
        "id": "ch_1", "object": "charge", "amount": 1099, "currency": "usd", "captured": true,
        "status": "succeeded", "created": 1_799_999_000
    });

    let webhook = platform
        .interpret_webhook(&signed(
            secret,
            event("charge.succeeded", false, charge.clone()),
        ))
        .unwrap();
    let changes = webhook.changes.unwrap();
    assert_eq!(changes.records[0].json["amount"], serde_json::json!(10.99));
    assert_eq!(
        changes.records[0].json["sourceModifiedDate"],
        "2027-01-15T08:00:00Z"
    );

    let live = platform
        .handle_webhook(signed(secret, event("charge.succeeded", true, charge)))
        .await
        .unwrap();
    assert!(matches!(live, WebhookOutcome::Ignored { .. }), "{live:?}");

    let payout = platform
        .handle_webhook(signed(
            secret,
            event(
                "payout.paid",
                false,
                serde_json::json!({"id": "po_1", "object": "payout"}),
            ),
        ))
        .await
        .unwrap();
    assert!(
        matches!(payout, WebhookOutcome::Ignored { .. }),
        "{payout:?}"
    );

    let product = platform
        .interpret_webhook(&signed(
            secret,
            event(
                "product.updated",
                false,
                serde_json::json!({"id": "prod_1", "object": "product", "name": "Tea"}),
            ),
        ))
        .unwrap();
    assert!(product.changes.is_none(), "products need their prices");
    assert_eq!(
        product.outcome,
        WebhookOutcome::RecordsChanged {
            external_account_id: "acct_1".to_owned(),
            data_types: vec![DataType::Products],
        }
    );

    let not_json = WebhookRequest {
        headers: vec![(
            "Stripe-Signature".to_owned(),
            stripe_sandbox::sign_payload(secret, now(), b"not json"),
        )],
        body: b"not json".to_vec(),
    };
    let error = platform.handle_webhook(not_json).await.unwrap_err();
    assert!(
        matches!(error, PlatformError::InvalidWebhook { .. }),
        "{error:?}"
    );

    let without_secret = platform_for("http://127.0.0.1:9", "ca_test1", "sk_test_1", None);
    let error = without_secret
        .handle_webhook(signed(
            secret,
            event("payout.paid", false, serde_json::json!({})),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(error, PlatformError::Unsupported { .. }),
        "{error:?}"
    );
}
