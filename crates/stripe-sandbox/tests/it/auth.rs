//! Keys, modes, `Stripe-Account`, Request-Id and the rate limit.

use reqwest::StatusCode;
use secrecy::ExposeSecret;
use stripe_sandbox::RateLimits;

use crate::{error_code, start};

#[tokio::test]
async fn keys_and_accounts_are_checked_like_stripe() {
    let env = start(10, |_| {}).await;
    let info = env.sandbox.info();
    let live_key = info.live.secret_key.expose_secret().to_owned();
    let live_account = info.live_accounts()[0].to_owned();

    let missing = env.get_as("/v1/charges", None, Some(&env.account)).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert!(missing.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("did not provide an API key"));

    let wrong = env
        .get_as("/v1/charges", Some("sk_test_wrong1234"), Some(&env.account))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let message = wrong.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("sk_test_") && message.contains("1234") && !message.contains("wrong"),
        "{message}"
    );

    // A test key sees only test accounts, a live key only live ones.
    let cross = env
        .get_as("/v1/charges", Some(&env.key), Some(&live_account))
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&cross), Some("account_invalid"));
    let cross = env
        .get_as("/v1/charges", Some(&live_key), Some(&env.account))
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let live = env
        .get_as("/v1/charges?limit=1", Some(&live_key), Some(&live_account))
        .await;
    assert_eq!(live.status, StatusCode::OK);
    assert_eq!(live.body["data"][0]["livemode"], true);

    let unknown = env
        .get_as("/v1/charges", Some(&env.key), Some("acct_1NotConnected00"))
        .await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);

    // Without Stripe-Account: the platform itself, which has no charges.
    let own = env.get_as("/v1/charges", Some(&env.key), None).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body["data"].as_array().unwrap().len(), 0);
    let platform = env.get_as("/v1/account", Some(&env.key), None).await;
    assert_eq!(platform.body["id"], info.platform_account);
    let connected = env.get("/v1/account").await;
    assert_eq!(connected.body["id"], env.account);
    assert_eq!(connected.body["object"], "account");
}

#[tokio::test]
async fn every_response_has_a_request_id() {
    let env = start(10, |_| {}).await;
    let mut seen = std::collections::HashSet::new();
    for path in [
        "/v1/charges",
        "/v1/nothing",
        "/v1/balance",
        "/v1/charges/ch_x",
        "/oauth/token",
    ] {
        let reply = env.get(path).await;
        let id = reply.headers["request-id"].to_str().unwrap().to_owned();
        assert!(id.starts_with("req_"), "{path}: {id}");
        assert!(seen.insert(id));
    }
    let unauthenticated = env.get_as("/v1/charges", None, None).await;
    assert!(unauthenticated.headers.contains_key("request-id"));
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_should_retry() {
    let env = start(10, |config| config.rate_limits = RateLimits::per_second(5)).await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let reply = env.get("/v1/customers?limit=1").await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(error_code(&reply), Some("rate_limit"));
            assert_eq!(reply.headers["stripe-should-retry"], "true");
        }
        statuses.push(reply.status);
    }
    let ok = statuses
        .iter()
        .filter(|status| **status == StatusCode::OK)
        .count();
    assert!((5..=7).contains(&ok), "{statuses:?}");
    // Another key has its own budget.
    let live_key = env
        .sandbox
        .info()
        .live
        .secret_key
        .expose_secret()
        .to_owned();
    let other = env
        .get_as("/v1/customers?limit=1", Some(&live_key), None)
        .await;
    assert_eq!(other.status, StatusCode::OK);
    // The budget refills.
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    assert_eq!(
        env.get("/v1/customers?limit=1").await.status,
        StatusCode::OK
    );
}
