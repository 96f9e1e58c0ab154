use serde_json::{json, Value};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{record, scrub, RecordConfig};

const KEY: &str = "sk_test_recordtestkey000000";
const ACCOUNT: &str = "acct_1RecordTest000";

fn list(url: &str, data: Vec<Value>, has_more: bool) -> Value {
    json!({"object": "list", "data": data, "has_more": has_more, "url": url})
}

fn empty_list(url: &str) -> Value {
    list(url, Vec::new(), false)
}

async fn mount(server: &MockServer, route: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(route))
        .and(header("Stripe-Account", ACCOUNT))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

/// A fake Stripe account: one customer with personal data, two pages of charges, empty other lists.
async fn fake_stripe(customer_description: &str) -> MockServer {
    let server = MockServer::start().await;
    mount(
        &server,
        "/v1/account",
        json!({"id": ACCOUNT, "object": "account", "email": "owner@shop.test",
               "business_profile": {"name": "Real Shop Ltd", "support_phone": "+442071112222"},
               "default_currency": "gbp", "created": 1700000000}),
    )
    .await;
    mount(
        &server,
        "/v1/balance",
        json!({"object": "balance", "available": [{"amount": 100, "currency": "gbp"}], "pending": []}),
    )
    .await;
    mount(
        &server,
        "/v1/customers",
        list(
            "/v1/customers",
            vec![json!({
            "id": "cus_1", "object": "customer", "name": "Jane Real", "email": "jane@real.test",
            "phone": "+447700900999", "description": customer_description, "created": 1700000001,
            "address": {"line1": "7 Private Road", "line2": "Flat 2", "city": "Bath", "state": null,
                        "postal_code": "BA1 1AA", "country": "GB"}})],
            false,
        ),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/v1/charges"))
        .and(query_param("limit", "100"))
        .and(query_param_is_missing("starting_after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(
            "/v1/charges",
            vec![
                json!({"id": "ch_2", "object": "charge", "amount": 500, "currency": "gbp",
                        "billing_details": {"name": "Jane Real", "email": "jane@real.test"},
                        "receipt_url": "https://pay.stripe.com/receipts/secret-path"}),
            ],
            true,
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/charges"))
        .and(query_param("starting_after", "ch_2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(
            "/v1/charges",
            vec![json!({"id": "ch_1", "object": "charge", "amount": 700, "currency": "gbp"})],
            false,
        )))
        .expect(1)
        .mount(&server)
        .await;
    for route in [
        "/v1/disputes",
        "/v1/refunds",
        "/v1/payment_intents",
        "/v1/balance_transactions",
    ] {
        mount(&server, route, empty_list(route)).await;
    }
    mount(
        &server,
        "/v1/products",
        list(
            "/v1/products",
            vec![json!({"id": "prod_1", "object": "product", "name": "Blue Mug"})],
            false,
        ),
    )
    .await;
    mount(&server, "/v1/prices", empty_list("/v1/prices")).await;
    server
}

fn config(server: &MockServer, out_dir: &std::path::Path) -> RecordConfig {
    RecordConfig {
        api_base: server.uri(),
        secret_key: KEY.to_owned(),
        account: ACCOUNT.to_owned(),
        out_dir: out_dir.to_owned(),
        max_pages: 5,
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-record-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test]
async fn records_every_resource_pages_and_scrubs() {
    let server = fake_stripe("Regular").await;
    let root = temp_dir("ok");
    let out_dir = root.join("fixtures/stripe");
    let written = record(&config(&server, &out_dir)).await.unwrap();
    assert_eq!(written.len(), 8, "{written:?}");

    let charges: Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("charge/recorded.json")).unwrap(),
    )
    .unwrap();
    let ids: Vec<&str> = charges["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|charge| charge["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ch_2", "ch_1"], "both pages, in Stripe's order");
    assert_eq!(charges["has_more"], json!(false));

    let all = written
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect::<String>();
    for personal in [
        "Jane Real",
        "jane@real.test",
        "owner@shop.test",
        "+447700900999",
        "+442071112222",
        "7 Private Road",
        "BA1 1AA",
        "secret-path",
        "Real Shop Ltd",
    ] {
        assert!(!all.contains(personal), "{personal} survived scrubbing");
    }
    assert!(all.contains("Blue Mug"), "product names are kept");
    assert!(all.contains("Bath"), "cities are kept");

    let products: Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("product/recorded.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(products[0]["url"], json!("/v1/products"));
    assert_eq!(products[1]["url"], json!("/v1/prices"));

    // What was recorded is a usable fixture set: regen maps every file.
    let goldens = crate::fixtures::expected_goldens(&root).unwrap();
    assert_eq!(goldens.len(), 8);
    let payments = &goldens[&root.join("fixtures/commerce/charge/recorded.json")];
    assert!(
        payments.contains("\"id\": \"ch_2\"") && payments.contains("\"amount\": 7"),
        "{payments}"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[tokio::test]
async fn refuses_to_write_anything_when_a_key_survives() {
    let server = fake_stripe("paid with sk_test_leakedkey123 by mistake").await;
    let out_dir = temp_dir("leak");
    let err = record(&config(&server, &out_dir)).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("refusing to write"), "{message}");
    assert!(message.contains("customer"), "{message}");
    assert!(!out_dir.exists(), "no file may be written");
}

#[tokio::test]
async fn refuses_live_keys_before_any_request() {
    let server = MockServer::start().await;
    let out_dir = temp_dir("live");
    let mut live = config(&server, &out_dir);
    live.secret_key = "sk_live_nope".to_owned();
    let err = record(&live).await.unwrap_err();
    assert!(err.to_string().contains("test-mode key"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn scrub_keeps_product_names_and_replaces_people() {
    let mut value = json!({"object": "list", "data": [
        {"object": "product", "name": "Tea"},
        {"object": "customer", "name": "Ann", "shipping": {"name": "Ann", "phone": "+44"}}
    ]});
    scrub(&mut value, None);
    assert_eq!(value["data"][0]["name"], json!("Tea"));
    assert_eq!(value["data"][1]["name"], json!("Redacted Name"));
    assert_eq!(value["data"][1]["shipping"]["name"], json!("Redacted Name"));
    assert_eq!(value["data"][1]["shipping"]["phone"], json!("+15555550100"));
}
