//! `StripePlatform` against a wiremock Stripe: link, pulls with cursors, errors.

use std::collections::BTreeMap;
use std::sync::Arc;

use commerce_model as commerce;
use commerce_model::platform::{
    Batch, Cursor, ErrorAction, LinkCallback, LinkRequest, LinkedAccount, Platform, PlatformError,
};
use commerce_stripe::StripePlatform;
use futures::StreamExt;
use secrecy::SecretString;
use serde_json::{json, Value};
use stripe_client::{ClientConfig, RetryPolicy, StripeClient};
use stripe_connect::{ConnectFlow, Integration, IntegrationKind, MemoryStateStore};
use wiremock::matchers::{
    body_string_contains, header, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "acct_1PlatformTest";

fn platform(server: &MockServer) -> StripePlatform {
    let integration = Integration::builder(
        IntegrationKind::Test,
        "ca_platformtest",
        SecretString::from("sk_test_platformkey".to_owned()),
        "https://app.example.com/callback",
    )
    .connect_base(server.uri())
    .build()
    .unwrap();
    let flow = ConnectFlow::new(integration, Arc::new(MemoryStateStore::new())).unwrap();
    let config = ClientConfig::builder(SecretString::from("sk_test_platformkey".to_owned()))
        .api_base(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    StripePlatform::new(flow, StripeClient::new(config).unwrap()).unwrap()
}

fn linked() -> LinkedAccount {
    LinkedAccount {
        external_id: ACCOUNT.to_owned(),
        livemode: false,
        scope: Some("read_only".to_owned()),
        access_token: None,
        refresh_token: None,
        metadata: BTreeMap::new(),
    }
}

fn list(data: Vec<Value>, has_more: bool) -> Value {
    json!({"object": "list", "data": data, "has_more": has_more, "url": "/v1/x"})
}

async fn mount_page(server: &MockServer, route: &str, after: Option<&str>, body: Value) {
    let mock = Mock::given(method("GET"))
        .and(path(route))
        .and(header("Stripe-Account", ACCOUNT))
        .and(query_param("limit", "100"));
    let mock = match after {
        Some(after) => mock.and(query_param("starting_after", after)),
        None => mock.and(query_param_is_missing("starting_after")),
    };
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

async fn pull_all(
    platform: &StripePlatform,
    data_type: commerce::DataType,
    cursor: Option<&str>,
) -> Vec<Result<Batch, PlatformError>> {
    let account = linked();
    platform
        .pull(&account, data_type, cursor.map(Cursor::new))
        .collect()
        .await
}

fn ids(batch: &Batch) -> Vec<&str> {
    batch
        .records
        .iter()
        .map(|record| record.id.as_str())
        .collect()
}

#[tokio::test]
async fn keys_aliases_and_supported_types() {
    let server = MockServer::start().await;
    let platform = platform(&server);
    assert_eq!(platform.key().as_str(), "stripe-test");
    assert_eq!(platform.aliases()[0].as_str(), "yzth");
    assert_eq!(platform.name(), "Stripe Test");
    assert_eq!(platform.supports().len(), 6);
    let results = pull_all(&platform, commerce::DataType::Orders, None).await;
    assert_eq!(results.len(), 1);
    let err = results.into_iter().next().unwrap().unwrap_err();
    assert!(
        matches!(
            err,
            PlatformError::NotSupported {
                data_type: commerce::DataType::Orders
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn customers_page_through_with_deletions_and_record_issues() {
    let server = MockServer::start().await;
    mount_page(
        &server,
        "/v1/customers",
        None,
        list(
            vec![
                json!({"object": "customer", "id": "cus_3", "name": "Ann", "created": 1}),
                json!({"object": "customer", "id": "cus_2", "currency": "pounds", "created": 1}),
            ],
            true,
        ),
    )
    .await;
    mount_page(
        &server,
        "/v1/customers",
        Some("cus_2"),
        list(
            vec![json!({"object": "customer", "id": "cus_1", "deleted": true})],
            false,
        ),
    )
    .await;
    let platform = platform(&server);
    let batches: Vec<Batch> = pull_all(&platform, commerce::DataType::Customers, None)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(batches.len(), 2);
    assert_eq!(ids(&batches[0]), ["cus_3"]);
    assert_eq!(batches[0].records[0].json["customerName"], json!("Ann"));
    assert_eq!(batches[0].issues.len(), 1);
    assert_eq!(batches[0].issues[0].id.as_deref(), Some("cus_2"));
    assert!(
        batches[0].issues[0].message.contains("currency"),
        "{:?}",
        batches[0].issues
    );
    assert_eq!(batches[0].cursor.as_str(), "0:cus_2");
    assert!(!batches[0].complete);
    assert_eq!(batches[1].deleted_ids, ["cus_1"]);
    assert!(batches[1].complete);
    assert_eq!(batches[1].cursor.as_str(), "complete");
    assert_eq!(batches[1].progress.fetched, 3);
    assert!(batches.iter().all(|batch| !batch.incremental));
}

#[tokio::test]
async fn payments_come_from_charges_refunds_and_chargeless_intents_and_resume_by_phase() {
    let server = MockServer::start().await;
    mount_page(&server, "/v1/charges", None, list(vec![
        json!({"object": "charge", "id": "ch_1", "amount": 1099, "currency": "usd", "status": "succeeded", "captured": true, "created": 1}),
    ], false)).await;
    mount_page(&server, "/v1/refunds", None, list(vec![
        json!({"object": "refund", "id": "re_1", "amount": 500, "currency": "usd", "status": "succeeded", "created": 2}),
    ], false)).await;
    mount_page(&server, "/v1/payment_intents", None, list(vec![
        json!({"object": "payment_intent", "id": "pi_1", "amount": 100, "currency": "usd", "status": "succeeded", "latest_charge": "ch_1", "created": 1}),
        json!({"object": "payment_intent", "id": "pi_2", "amount": 700, "currency": "jpy", "status": "canceled", "latest_charge": null, "created": 3}),
    ], false)).await;
    let platform = platform(&server);
    let batches: Vec<Batch> = pull_all(&platform, commerce::DataType::Payments, None)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let all: Vec<&str> = batches.iter().flat_map(ids).collect();
    assert_eq!(all, ["ch_1", "re_1", "pi_2"]);
    let cursors: Vec<&str> = batches.iter().map(|batch| batch.cursor.as_str()).collect();
    assert_eq!(cursors, ["1:", "2:", "complete"]);
    assert_eq!(batches[1].records[0].json["amount"].to_string(), "-5");
    assert_eq!(batches[2].records[0].json["amount"].to_string(), "700");
}

#[tokio::test]
async fn a_pull_resumes_from_its_cursor() {
    let server = MockServer::start().await;
    mount_page(&server, "/v1/refunds", Some("re_9"), list(vec![
        json!({"object": "refund", "id": "re_8", "amount": 1, "currency": "usd", "status": "pending", "created": 2}),
    ], false)).await;
    mount_page(&server, "/v1/payment_intents", None, list(vec![], false)).await;
    let platform = platform(&server);
    let batches: Vec<Batch> = pull_all(&platform, commerce::DataType::Payments, Some("1:re_9"))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids(&batches[0]), ["re_8"]);
    assert!(batches[1].complete);

    let bad = pull_all(&platform, commerce::DataType::Payments, Some("7:x")).await;
    let err = bad.into_iter().next().unwrap().unwrap_err();
    assert_eq!(err.action(), ErrorAction::RestartFullPull, "{err:?}");
}

#[tokio::test]
async fn products_carry_every_price_and_company_info_its_balance() {
    let server = MockServer::start().await;
    mount_page(&server, "/v1/products", None, list(vec![
        json!({"object": "product", "id": "prod_1", "name": "Mug", "active": true, "created": 1, "updated": 2}),
    ], false)).await;
    Mock::given(method("GET"))
        .and(path("/v1/prices"))
        .and(query_param("product", "prod_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![
            json!({"object": "price", "id": "price_b", "product": "prod_1", "currency": "gbp", "unit_amount": 900, "active": false, "created": 5}),
            json!({"object": "price", "id": "price_a", "product": "prod_1", "currency": "gbp", "unit_amount": 1200, "active": true, "created": 4}),
        ], false)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .and(header("Stripe-Account", ACCOUNT))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"object": "account", "id": ACCOUNT, "email": "m@example.com", "default_currency": "gbp"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/balance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"object": "balance", "available": [{"amount": 1234, "currency": "gbp"}], "pending": []})))
        .expect(1)
        .mount(&server)
        .await;
    let platform = platform(&server);
    let products = pull_all(&platform, commerce::DataType::Products, None).await;
    let batch = products.into_iter().next().unwrap().unwrap();
    let variants: Vec<&str> = batch.records[0].json["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|variant| variant["id"].as_str().unwrap())
        .collect();
    assert_eq!(variants, ["price_a", "price_b"]);

    let info = pull_all(&platform, commerce::DataType::CompanyInfo, None).await;
    let batch = info.into_iter().next().unwrap().unwrap();
    assert!(batch.complete);
    assert_eq!(batch.records[0].id, commerce::COMPANY_INFO_RECORD_ID);
    assert_eq!(
        batch.records[0].json["accountBalances"][0]["available"].to_string(),
        "12.34"
    );
}

#[tokio::test]
async fn stripe_failures_tell_the_engine_what_to_do() {
    for (status, body, expected) in [
        (
            403,
            json!({"error": {"type": "invalid_request_error", "code": "account_invalid", "message": "The provided key does not have access to account"}}),
            ErrorAction::Relink,
        ),
        (
            500,
            json!({"error": {"type": "api_error", "message": "boom"}}),
            ErrorAction::RetryLater { retry_after: None },
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1/disputes"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
        let platform = platform(&server);
        let results = pull_all(&platform, commerce::DataType::Disputes, None).await;
        assert_eq!(results.len(), 1, "the stream ends after the error");
        let err = results.into_iter().next().unwrap().unwrap_err();
        assert!(
            matches!(
                (err.action(), expected),
                (ErrorAction::Relink, ErrorAction::Relink)
                    | (
                        ErrorAction::RetryLater { .. },
                        ErrorAction::RetryLater { .. }
                    )
            ),
            "{status}: {err:?}"
        );
    }
}

#[tokio::test]
async fn linking_uses_the_servers_state_and_exchanges_the_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("code=ac_123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "sk_test_connected", "livemode": false, "refresh_token": "rt_123",
            "token_type": "bearer", "stripe_publishable_key": "pk_test_1", "stripe_user_id": ACCOUNT,
            "scope": "read_only"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let platform = platform(&server);
    let start = platform
        .begin_link(LinkRequest {
            state: "server-state-1".to_owned(),
            redirect_uri: "https://app.example.com/callback".to_owned(),
        })
        .await
        .unwrap();
    let url = url::Url::parse(&start.authorize_url).unwrap();
    let query: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(url.path(), "/oauth/authorize");
    assert_eq!(query["state"], "server-state-1");
    assert_eq!(query["client_id"], "ca_platformtest");
    assert_eq!(query["response_type"], "code");

    let mut params = BTreeMap::new();
    params.insert("code".to_owned(), "ac_123".to_owned());
    params.insert("state".to_owned(), "server-state-1".to_owned());
    let account = platform
        .complete_link(LinkCallback {
            params,
            redirect_uri: "https://app.example.com/callback".to_owned(),
        })
        .await
        .unwrap();
    assert_eq!(account.external_id, ACCOUNT);
    assert!(!account.livemode);
    assert!(
        account.access_token.is_none(),
        "the connected account's token is not kept"
    );

    let mut denied = BTreeMap::new();
    denied.insert("error".to_owned(), "access_denied".to_owned());
    let err = platform
        .complete_link(LinkCallback {
            params: denied,
            redirect_uri: String::new(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PlatformError::LinkFailed { reason } if reason.contains("access_denied")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_deleted_account_deletes_the_company_info_record() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"object": "account", "id": ACCOUNT, "deleted": true})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/balance"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"object": "balance", "available": [], "pending": []})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let platform = platform(&server);
    let batch = pull_all(&platform, commerce::DataType::CompanyInfo, None)
        .await
        .into_iter()
        .next()
        .unwrap()
        .unwrap();
    assert!(batch.records.is_empty());
    assert_eq!(batch.deleted_ids, [commerce::COMPANY_INFO_RECORD_ID]);
}
