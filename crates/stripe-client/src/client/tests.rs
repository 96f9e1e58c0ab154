use std::time::Duration;

use secrecy::SecretString;
use tokio::time::Instant;

use crate::{ClientConfig, StripeClient};

fn client(rate: u32) -> StripeClient {
    let config = ClientConfig::builder(SecretString::from("sk_test_abc"))
        .rate_limit(rate)
        .build()
        .unwrap();
    StripeClient::new(config).unwrap()
}

#[tokio::test(start_paused = true)]
async fn clones_share_the_budget_of_each_account() {
    let platform = client(10);
    let merchant_a = platform.on_behalf_of("acct_a").unwrap();
    let merchant_a_again = platform.clone().on_behalf_of("acct_a").unwrap();
    let merchant_b = merchant_a.clone().on_behalf_of("acct_b").unwrap();
    let start = Instant::now();
    for _ in 0..5 {
        for view in [&merchant_a, &merchant_a_again] {
            let _grant = view
                .inner
                .budget
                .acquire(view.stripe_account(), "/v1/charges")
                .await;
        }
    }
    // 10 requests for one account at 10/s through two clones: 9 gaps of 100 ms.
    assert_eq!(Instant::now() - start, Duration::from_millis(900));
    // Another account (and the platform itself) has its own budget: no wait.
    let start = Instant::now();
    for view in [&merchant_b, &platform] {
        let _grant = view
            .inner
            .budget
            .acquire(view.stripe_account(), "/v1/charges")
            .await;
    }
    assert_eq!(Instant::now() - start, Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn separately_built_clients_have_separate_limits() {
    let first = client(10);
    let second = client(10);
    let start = Instant::now();
    for _ in 0..5 {
        let _grant = first.inner.budget.acquire(None, "/v1/charges").await;
        let _grant = second.inner.budget.acquire(None, "/v1/charges").await;
    }
    assert_eq!(Instant::now() - start, Duration::from_millis(400));
}

#[test]
fn default_rates_follow_the_key_mode() {
    let test = ClientConfig::builder(SecretString::from("rk_test_abc"))
        .build()
        .unwrap();
    assert_eq!(test.rate_limit(), 25);
    let live = ClientConfig::builder(SecretString::from("sk_live_abc"))
        .build()
        .unwrap();
    assert_eq!(live.rate_limit(), 100);
}
