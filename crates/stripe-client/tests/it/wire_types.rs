//! The client with `stripe-wire`'s real resource types, fed Stripe's own example objects.

use futures::TryStreamExt;
use serde_json::json;
use stripe_client::{ListParams, Page};
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::client;

/// Stripe's example object for `resource` from `../shared`, or `None` when it is absent.
fn example(resource: &str) -> Option<serde_json::Value> {
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/stripe-openapi/fixtures3.json"
    );
    let Ok(text) = std::fs::read_to_string(fixtures) else {
        println!("skipped: ../shared not found");
        return None;
    };
    let all: serde_json::Value = serde_json::from_str(&text).unwrap();
    Some(all["resources"][resource].clone())
}

#[tokio::test]
async fn real_charges_page_through_with_their_ids_as_cursors() {
    let Some(charge) = example("charge") else {
        return;
    };
    let with_id = |id: &str| {
        let mut charge = charge.clone();
        charge["id"] = json!(id);
        charge
    };
    let server = MockServer::start().await;
    Mock::given(path("/v1/charges"))
        .and(|request: &Request| {
            !request
                .url
                .query_pairs()
                .any(|(key, _)| key == "starting_after")
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object": "list", "url": "/v1/charges", "has_more": true,
            "data": [with_id("ch_b"), with_id("ch_a")],
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/charges"))
        .and(query_param("starting_after", "ch_a"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object": "list", "url": "/v1/charges", "has_more": false,
            "data": [with_id("ch_0")],
        })))
        .expect(1)
        .mount(&server)
        .await;
    let merchant = client(&server).on_behalf_of("acct_1").unwrap();
    let pages: Vec<Page<stripe_wire::Charge>> = merchant
        .list("/v1/charges", ListParams::new())
        .try_collect()
        .await
        .unwrap();
    let cursors: Vec<_> = pages.iter().map(|page| page.cursor.as_deref()).collect();
    assert_eq!(cursors, [Some("ch_a"), Some("ch_0")]);
    assert_eq!(pages[0].data[0].amount, charge["amount"].as_i64().unwrap());
}

#[tokio::test]
async fn a_real_account_is_fetched_for_a_connected_account() {
    let Some(account) = example("account") else {
        return;
    };
    let server = MockServer::start().await;
    Mock::given(path("/v1/account"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&account))
        .expect(1)
        .mount(&server)
        .await;
    let merchant = client(&server).on_behalf_of("acct_1").unwrap();
    let fetched: stripe_wire::Account = merchant.get("/v1/account", &[]).await.unwrap();
    assert_eq!(fetched.id, account["id"].as_str().unwrap());
}
