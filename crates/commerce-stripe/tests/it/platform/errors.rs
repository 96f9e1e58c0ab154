//! What a pull answers when Stripe misbehaves (wiremock): rate limits and outages after the
//! client's retries, a missing endpoint, and a page holding one unreadable object.

use commerce_model::platform::{ErrorAction, PlatformError, RetryKind};
use commerce_model::DataType;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{linked, platform_for, try_pull};

fn empty_list(url: &str) -> serde_json::Value {
    json!({"object": "list", "data": [], "has_more": false, "url": url})
}

async fn server_with_events() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/events"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_list("/v1/events")))
        .mount(&server)
        .await;
    server
}

async fn pull_error(server: &MockServer, data_type: DataType) -> PlatformError {
    let platform = platform_for(&server.uri(), "ca_test1", "sk_test_1", None);
    try_pull(&platform, &linked("acct_1"), data_type, None)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn rate_limits_and_outages_after_retries_are_retry_later() {
    let server = server_with_events().await;
    Mock::given(method("GET"))
        .and(path("/v1/customers"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({"error": {
            "type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests"
        }})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/disputes"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"error": {
            "type": "api_error", "message": "Try again"
        }})))
        .mount(&server)
        .await;

    let limited = pull_error(&server, DataType::Customers).await;
    assert!(
        matches!(
            limited,
            PlatformError::RetryLater {
                kind: RetryKind::RateLimited,
                ..
            }
        ),
        "{limited:?}"
    );
    assert_eq!(limited.dataset_status().as_str(), "RateLimitError");
    assert!(matches!(limited.action(), ErrorAction::RetryLater { .. }));

    let down = pull_error(&server, DataType::Disputes).await;
    assert!(
        matches!(
            down,
            PlatformError::RetryLater {
                kind: RetryKind::Unavailable,
                ..
            }
        ),
        "{down:?}"
    );
    let attempts = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|request| request.url.path() == "/v1/disputes")
        .count();
    assert_eq!(attempts, 2, "the client retried before giving up");
}

#[tokio::test]
async fn a_missing_list_or_an_invalid_account_is_not_retried() {
    let server = server_with_events().await;
    Mock::given(method("GET"))
        .and(path("/v1/customers"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": {
            "type": "invalid_request_error", "code": "resource_missing",
            "message": "Unrecognized request URL"
        }})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/balance_transactions"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
            "type": "invalid_request_error", "code": "account_invalid",
            "message": "The provided key does not have access to account 'acct_1'"
        }})))
        .mount(&server)
        .await;
    let missing = pull_error(&server, DataType::Customers).await;
    assert!(
        matches!(missing, PlatformError::Internal { .. }),
        "{missing:?}"
    );
    assert_eq!(missing.action(), ErrorAction::Fail);
    let revoked = pull_error(&server, DataType::Transactions).await;
    assert!(
        matches!(revoked, PlatformError::RelinkNeeded { .. }),
        "{revoked:?}"
    );
}

#[tokio::test]
async fn one_unreadable_object_is_an_issue_and_the_rest_of_the_page_goes_on() {
    let server = server_with_events().await;
    Mock::given(method("GET"))
        .and(path("/v1/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object": "list", "has_more": false, "url": "/v1/customers",
            "data": [
                {"id": "cus_good", "object": "customer", "name": "Good", "created": 1_700_000_000},
                {"id": "cus_bad", "object": "customer", "created": "yesterday"},
                {"id": "cus_also_good", "object": "customer", "email": "a@example.com", "created": 1_700_000_100}
            ]
        })))
        .mount(&server)
        .await;
    let platform = platform_for(&server.uri(), "ca_test1", "sk_test_1", None);
    let batches = try_pull(&platform, &linked("acct_1"), DataType::Customers, None)
        .await
        .unwrap();
    assert_eq!(batches.len(), 1);
    let batch = &batches[0];
    let ids: Vec<&str> = batch.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["cus_good", "cus_also_good"]);
    assert_eq!(batch.issues.len(), 1);
    assert_eq!(batch.issues[0].id.as_deref(), Some("cus_bad"));
    assert!(
        batch.issues[0].message.contains("created"),
        "{}",
        batch.issues[0].message
    );
    assert!(batch.complete);
}
