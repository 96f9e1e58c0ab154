//! Fault scripts and rates, and the request log that proves what a client asked.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use stripe_sandbox::{Fault, FaultRates, FaultRule};

use crate::start;

#[tokio::test]
async fn the_third_page_of_charges_fails_once_and_the_log_shows_the_resume() {
    let env = start(60, |_| {}).await;
    env.sandbox
        .add_fault(FaultRule::new("/v1/charges", Fault::ServerError).on_request(3))
        .unwrap();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    let mut failures = 0;
    loop {
        let url = match &cursor {
            Some(after) => format!("/v1/charges?limit=10&starting_after={after}"),
            None => "/v1/charges?limit=10".to_owned(),
        };
        let reply = env.get(&url).await;
        if reply.status == StatusCode::INTERNAL_SERVER_ERROR {
            assert_eq!(reply.body["error"]["type"], "api_error");
            failures += 1;
            continue; // retry the same page
        }
        pages += 1;
        let data = reply.body["data"].as_array().unwrap();
        cursor = data
            .last()
            .map(|item| item["id"].as_str().unwrap().to_owned());
        if reply.body["has_more"] == false {
            break;
        }
    }
    assert_eq!(failures, 1);
    let log = env.sandbox.requests();
    assert_eq!(log.len(), pages + 1);
    assert_eq!(log[2].status, Some(500));
    assert_eq!(log[2].fault, Some(Fault::ServerError));
    // The retry asked for the same page as the failed request: the client resumed.
    assert_eq!(log[2].query, log[3].query);
    assert!(log[3].query.contains("starting_after"));
    assert!(log.iter().all(|record| record.path == "/v1/charges"
        && record.account.as_deref() == Some(env.account.as_str())));
}

#[tokio::test]
async fn dropped_connections_truncated_bodies_and_slow_responses() {
    let env = start(20, |_| {}).await;
    env.sandbox
        .add_fault(FaultRule::new("/v1/customers", Fault::DropConnection))
        .unwrap();
    env.sandbox
        .add_fault(FaultRule::new("/v1/products", Fault::TruncatedBody))
        .unwrap();
    env.sandbox
        .add_fault(FaultRule::new("/v1/prices", Fault::Slow { millis: 300 }))
        .unwrap();
    let url = |path: &str| format!("{}{path}", env.sandbox.base_url());

    let dropped = env
        .http
        .get(url("/v1/customers"))
        .bearer_auth(&env.key)
        .header("Stripe-Account", &env.account)
        .send()
        .await;
    assert!(dropped.is_err(), "a dropped connection gives no response");

    let truncated = env
        .http
        .get(url("/v1/products"))
        .bearer_auth(&env.key)
        .header("Stripe-Account", &env.account)
        .send()
        .await
        .unwrap();
    assert_eq!(truncated.status(), StatusCode::OK);
    assert!(truncated.bytes().await.is_err(), "the body is cut short");

    let started = Instant::now();
    let slow = env.get("/v1/prices").await;
    assert_eq!(slow.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // Each fault fired once: the next requests are healthy.
    assert_eq!(env.get("/v1/customers").await.status, StatusCode::OK);
    assert_eq!(env.get("/v1/products").await.body["object"], "list");
    let log = env.sandbox.requests();
    assert_eq!(log[0].status, None);
    assert_eq!(log[0].fault, Some(Fault::DropConnection));
}

#[tokio::test]
async fn random_faults_are_deterministic_under_the_seed() {
    async fn run() -> Vec<u16> {
        let env = start(10, |config| {
            let mut rates = FaultRates::default();
            rates.server_error = 0.3;
            config.fault_rates = rates;
        })
        .await;
        let mut statuses = Vec::new();
        for _ in 0..30 {
            statuses.push(env.get("/v1/customers?limit=1").await.status.as_u16());
        }
        statuses
    }
    let first = run().await;
    assert_eq!(first, run().await);
    assert!(first.contains(&500) && first.contains(&200), "{first:?}");
}
