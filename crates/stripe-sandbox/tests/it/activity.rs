//! Activity after start: objects change, events follow, webhooks are signed; and determinism.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::Value;
use stripe_sandbox::{sign_payload, Activity, Sandbox, SandboxConfig};

use crate::{start, START};

#[tokio::test]
async fn activity_changes_lists_and_emits_events_after_a_cursor() {
    let env = start(30, |_| {}).await;
    let newest_event = env.get("/v1/events?limit=1").await.body["data"][0]["created"]
        .as_i64()
        .unwrap();
    let charge = env
        .sandbox
        .apply(
            &env.account,
            Activity::NewCharge {
                amount: 2500,
                currency: None,
                customer: None,
            },
        )
        .unwrap();
    let listed = env.get("/v1/charges?limit=1").await;
    assert_eq!(listed.body["data"][0]["id"], charge.object_id.as_str());
    assert!(listed.body["data"][0]["created"].as_i64().unwrap() >= START);

    let refund = env
        .sandbox
        .apply(
            &env.account,
            Activity::Refund {
                charge: charge.object_id.clone(),
                amount: Some(1000),
            },
        )
        .unwrap();
    let charge_now = env.get(&format!("/v1/charges/{}", charge.object_id)).await;
    assert_eq!(charge_now.body["amount_refunded"], 1000);
    assert_eq!(
        env.get(&format!("/v1/refunds/{}", refund.object_id))
            .await
            .status,
        StatusCode::OK
    );
    let too_much = env.sandbox.apply(
        &env.account,
        Activity::Refund {
            charge: charge.object_id.clone(),
            amount: Some(5000),
        },
    );
    assert!(too_much.is_err());

    let dispute = env.get("/v1/disputes?limit=100").await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|dispute| dispute["status"] == "needs_response")
        .map(|dispute| dispute["id"].as_str().unwrap().to_owned());
    if let Some(dispute) = &dispute {
        env.sandbox
            .apply(
                &env.account,
                Activity::DisputeStatus {
                    dispute: dispute.clone(),
                    status: "won".to_owned(),
                },
            )
            .unwrap();
        assert_eq!(
            env.get(&format!("/v1/disputes/{dispute}")).await.body["status"],
            "won"
        );
    }

    let product = env.get("/v1/products?limit=1").await.body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    env.sandbox
        .apply(
            &env.account,
            Activity::UpdateProduct {
                product: product.clone(),
                name: Some("Renamed".into()),
                active: None,
            },
        )
        .unwrap();
    assert_eq!(
        env.get(&format!("/v1/products/{product}")).await.body["name"],
        "Renamed"
    );

    let customer = env.get("/v1/customers?limit=1").await.body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    env.sandbox
        .apply(
            &env.account,
            Activity::DeleteCustomer {
                customer: customer.clone(),
            },
        )
        .unwrap();
    let deleted = env.get(&format!("/v1/customers/{customer}")).await;
    assert_eq!(deleted.body["deleted"], true);
    assert!(!env.all_ids("/v1/customers", 100).await.contains(&customer));

    // Incremental sync: every change is an event after the last known event.
    let new_events = env
        .get(&format!("/v1/events?created[gt]={newest_event}&limit=100"))
        .await;
    let mut types: Vec<&str> = new_events.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    types.reverse();
    let mut expected = vec![
        "payment_intent.succeeded",
        "charge.succeeded",
        "refund.created",
        "charge.refunded",
    ];
    if dispute.is_some() {
        expected.extend(["charge.dispute.closed", "charge.dispute.funds_reinstated"]);
    }
    expected.extend(["product.updated", "customer.deleted"]);
    assert_eq!(types, expected);
    let refunded = &new_events.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["type"] == "charge.refunded")
        .unwrap()["data"];
    assert_eq!(refunded["previous_attributes"]["amount_refunded"], 0);
    assert_eq!(refunded["object"]["amount_refunded"], 1000);

    let random = env.sandbox.random_activity(&env.account, 5).unwrap();
    assert_eq!(random.len(), 5);
}

#[tokio::test]
async fn webhooks_are_signed_like_stripe() {
    let received: Arc<Mutex<Vec<(String, Bytes)>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let signature = headers["stripe-signature"].to_str().unwrap().to_owned();
                sink.lock().unwrap().push((signature, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut config = SandboxConfig::default();
    config.size = 10;
    config.webhook_url = Some(format!("http://{address}/hooks"));
    let sandbox = Sandbox::start(config).await.unwrap();
    let info = sandbox.info();
    let account = info.test_accounts()[0].to_owned();
    sandbox
        .apply(
            &account,
            Activity::NewCustomer {
                name: "Webhook Person".into(),
                email: None,
            },
        )
        .unwrap();
    sandbox.deauthorize(&account).unwrap();

    for _ in 0..100 {
        if received.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    let secret = info.webhook_secret.expose_secret().to_owned();
    let mut types = Vec::new();
    for (signature, body) in &received {
        let timestamp: i64 = signature
            .split(',')
            .next()
            .unwrap()
            .trim_start_matches("t=")
            .parse()
            .unwrap();
        assert_eq!(signature, &sign_payload(&secret, timestamp, body));
        // Signed with the wall-clock time of delivery (receivers check it against theirs),
        // whatever the simulated clock says.
        let age = chrono::Utc::now().timestamp() - timestamp;
        assert!((0..300).contains(&age), "signed {age} s ago");
        let event: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(event["account"], account.as_str());
        types.push(event["type"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        types,
        ["customer.created", "account.application.deauthorized"]
    );
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data_and_another_seed_does_not() {
    async fn snapshot(seed: u64) -> (Value, Value, Value) {
        let env = start(40, |config| config.seed = seed).await;
        let info = env.sandbox.info();
        let json = info.to_json();
        let accounts = json["accounts"].clone();
        let charges = env.get("/v1/charges?limit=100").await.body;
        let events = env.get("/v1/events?limit=100").await.body;
        (
            json!({ "keys": json["test"], "accounts": accounts }),
            charges,
            events,
        )
    }
    use serde_json::json;
    let first = snapshot(11).await;
    let again = snapshot(11).await;
    assert_eq!(first, again);
    let other = snapshot(12).await;
    assert_ne!(first.0, other.0);
    assert_ne!(first.1, other.1);
}

#[tokio::test]
async fn the_info_endpoint_matches_the_library() {
    let env = start(10, |_| {}).await;
    let reply = env.get_as("/_sandbox/info", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let info = env.sandbox.info();
    assert_eq!(reply.body, info.to_json());
    assert_eq!(reply.body["base_url"], env.sandbox.base_url());
    assert!(reply.body["test"]["secret_key"]
        .as_str()
        .unwrap()
        .starts_with("sk_test_"));
    assert!(reply.body["live"]["secret_key"]
        .as_str()
        .unwrap()
        .starts_with("sk_live_"));
    assert!(reply.body["test"]["client_id"]
        .as_str()
        .unwrap()
        .starts_with("ca_"));
    assert!(reply.body["webhook_secret"]
        .as_str()
        .unwrap()
        .starts_with("whsec_"));
    // Control requests stay out of the request log.
    assert!(env.sandbox.requests().is_empty());
    let advanced = env
        .http
        .post(format!("{}/_sandbox/clock/advance", env.sandbox.base_url()))
        .json(&json_body())
        .send()
        .await
        .unwrap();
    let now: Value = advanced.json().await.unwrap();
    assert!(now["now"].as_i64().unwrap() >= START + 3600);
}

fn json_body() -> Value {
    serde_json::json!({ "seconds": 3600 })
}
