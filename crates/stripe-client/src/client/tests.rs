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
async fn clones_and_connected_account_views_share_one_rate_limit() {
    let platform = client(10);
    let merchant_a = platform.on_behalf_of("acct_a").unwrap();
    let merchant_b = merchant_a.clone().on_behalf_of("acct_b").unwrap();
    let start = Instant::now();
    for _ in 0..5 {
        for view in [&platform, &merchant_a, &merchant_b] {
            let _permit = view.inner.budget.acquire().await;
        }
    }
    // 15 requests at 10/s through three views: 14 gaps of 100 ms.
    assert_eq!(Instant::now() - start, Duration::from_millis(1400));
}

#[tokio::test(start_paused = true)]
async fn separately_built_clients_have_separate_limits() {
    let first = client(10);
    let second = client(10);
    let start = Instant::now();
    for _ in 0..5 {
        let _permit = first.inner.budget.acquire().await;
        let _permit = second.inner.budget.acquire().await;
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
