//! Rate limits like Stripe's: a global limit and a limit per endpoint, counted per account or
//! per key, `Stripe-Rate-Limited-Reason` on 429s, and request counters at `/_sandbox/info`.

use reqwest::StatusCode;
use stripe_sandbox::{LimitScope, RateLimits};

use crate::{error_code, start};

/// Sends `count` requests as fast as possible; returns the statuses and reasons.
async fn burst(
    env: &crate::Env,
    path: &str,
    account: &str,
    count: usize,
) -> Vec<(StatusCode, Option<String>)> {
    let mut out = Vec::new();
    for _ in 0..count {
        let reply = env.get_as(path, Some(&env.key), Some(account)).await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(error_code(&reply), Some("rate_limit"));
            assert_eq!(reply.headers["stripe-should-retry"], "true");
        }
        let reason = reply
            .headers
            .get("stripe-rate-limited-reason")
            .map(|value| value.to_str().unwrap().to_owned());
        out.push((reply.status, reason));
    }
    out
}

fn ok_count(replies: &[(StatusCode, Option<String>)]) -> usize {
    replies
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .count()
}

#[tokio::test]
async fn an_endpoint_limit_answers_endpoint_rate_and_leaves_other_endpoints_alone() {
    let env = start(10, |config| {
        config.rate_limits = RateLimits::per_second(1000).with_endpoint_limit(Some(5));
    })
    .await;
    let account = env.account.clone();
    let customers = burst(&env, "/v1/customers?limit=1", &account, 10).await;
    assert!((5..=6).contains(&ok_count(&customers)), "{customers:?}");
    for (status, reason) in &customers {
        if *status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(reason.as_deref(), Some("endpoint-rate"));
        } else {
            assert_eq!(reason, &None);
        }
    }
    // Another endpoint has its own budget; retrieving by id is one endpoint for every id.
    let products = burst(&env, "/v1/products?limit=1", &account, 3).await;
    assert_eq!(ok_count(&products), 3, "{products:?}");

    let counters = env.sandbox.counters();
    let per_endpoint = &counters.endpoints[&account];
    assert_eq!(per_endpoint["GET /v1/customers"].requests, 10);
    assert_eq!(
        per_endpoint["GET /v1/customers"].rate_limited,
        10 - ok_count(&customers) as u64
    );
    assert_eq!(per_endpoint["GET /v1/products"].requests, 3);
    assert_eq!(counters.accounts[&account].requests, 13);
}

#[tokio::test]
async fn the_global_limit_answers_global_rate_per_account_by_default() {
    let env = start(10, |config| config.rate_limits = RateLimits::per_second(4)).await;
    let accounts: Vec<String> = env
        .sandbox
        .info()
        .test_accounts()
        .iter()
        .map(|id| (*id).to_owned())
        .collect();
    let first = burst(&env, "/v1/customers?limit=1", &accounts[0], 8).await;
    assert!((4..=5).contains(&ok_count(&first)), "{first:?}");
    assert!(first
        .iter()
        .filter(|(status, _)| *status == StatusCode::TOO_MANY_REQUESTS)
        .all(|(_, reason)| reason.as_deref() == Some("global-rate")));
    // The second account of the same key has its own budget.
    let second = burst(&env, "/v1/customers?limit=1", &accounts[1], 4).await;
    assert_eq!(ok_count(&second), 4, "{second:?}");
}

#[tokio::test]
async fn limits_counted_per_key_are_shared_by_every_account_of_the_key() {
    let env = start(10, |config| {
        config.rate_limits = RateLimits::per_second(4).with_scope(LimitScope::Key);
    })
    .await;
    let accounts: Vec<String> = env
        .sandbox
        .info()
        .test_accounts()
        .iter()
        .map(|id| (*id).to_owned())
        .collect();
    let first = burst(&env, "/v1/customers?limit=1", &accounts[0], 4).await;
    let second = burst(&env, "/v1/disputes?limit=1", &accounts[1], 4).await;
    let total = ok_count(&first) + ok_count(&second);
    assert!((4..=5).contains(&total), "{first:?} {second:?}");
    assert_eq!(ok_count(&second), total - ok_count(&first));
    assert!(second
        .iter()
        .any(|(_, reason)| reason.as_deref() == Some("global-rate")));
}

#[tokio::test]
async fn counters_are_served_at_sandbox_info_and_cleared_with_the_log() {
    let env = start(10, |_| {}).await;
    let account = env.account.clone();
    env.get("/v1/customers?limit=2").await;
    let customer = env.get("/v1/customers?limit=1").await;
    let id = customer.body["data"][0]["id"].as_str().unwrap().to_owned();
    env.get(&format!("/v1/customers/{id}")).await;
    env.get_as("/v1/balance", Some(&env.key), None).await;

    let info: serde_json::Value = env
        .http
        .get(format!("{}/_sandbox/info", env.sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let requests = &info["requests"];
    assert_eq!(requests["accounts"][&account]["requests"], 3);
    assert_eq!(requests["accounts"][&account]["rate_limited"], 0);
    assert_eq!(
        requests["endpoints"][&account]["GET /v1/customers"]["requests"],
        2
    );
    assert_eq!(
        requests["endpoints"][&account]["GET /v1/customers/{id}"]["requests"],
        1
    );
    assert_eq!(requests["accounts"]["platform"]["requests"], 1);
    // The log carries arrival times.
    let log = env.sandbox.requests();
    assert!(log
        .windows(2)
        .all(|pair| pair[0].received_at_ms <= pair[1].received_at_ms));

    env.sandbox.clear_requests();
    assert!(env.sandbox.counters().accounts.is_empty());
}
