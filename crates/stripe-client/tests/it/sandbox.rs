//! Paging against `stripe-sandbox` (a stateful local Stripe on 127.0.0.1): whole listings,
//! resuming from a cursor, `created` filters, the sandbox's 429s and a scripted 500, with the
//! sandbox's request log as the proof of what the client asked.

use std::collections::HashSet;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use secrecy::{ExposeSecret, SecretString};
use stripe_client::{ClientConfig, ListParams, Page, RetryPolicy, StripeClient};
use stripe_sandbox::{
    Fault, FaultRule, RateLimits, RequestRecord, Resource, Sandbox, SandboxConfig, SandboxHandle,
};
use stripe_wire::Charge;

struct Env {
    sandbox: SandboxHandle,
    account: String,
    client: StripeClient,
}

/// A sandbox of `size` objects per resource and a client acting for its first test account,
/// with fast retries (`attempts` at most).
async fn start(size: u64, rate_limits: RateLimits, attempts: u32) -> Env {
    let mut config = SandboxConfig::default();
    config.size = size;
    config.accounts = 1;
    config.live_accounts = 0;
    config.start_time = Some(1_800_000_000);
    config.rate_limits = rate_limits;
    let sandbox = Sandbox::start(config).await.unwrap();
    let info = sandbox.info();
    let account = info.test_accounts()[0].to_owned();
    let key = SecretString::from(info.test.secret_key.expose_secret().to_owned());
    let config = ClientConfig::builder(key)
        .api_base(sandbox.base_url())
        .rate_limit(1000)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(attempts)
                .with_backoff(Duration::from_millis(20), Duration::from_millis(300)),
        )
        .build()
        .unwrap();
    let client = StripeClient::new(config)
        .unwrap()
        .on_behalf_of(&account)
        .unwrap();
    Env {
        sandbox,
        account,
        client,
    }
}

async fn pages(client: &StripeClient, params: ListParams) -> Vec<Page<Charge>> {
    client
        .list::<Charge>("/v1/charges", params)
        .try_collect()
        .await
        .unwrap()
}

fn charges(pages: &[Page<Charge>]) -> Vec<&Charge> {
    pages.iter().flat_map(|page| &page.data).collect()
}

fn charge_requests(env: &Env) -> Vec<RequestRecord> {
    env.sandbox
        .requests()
        .into_iter()
        .filter(|request| request.path == "/v1/charges")
        .collect()
}

fn starting_after(request: &RequestRecord) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&request.query)
        .unwrap()
        .into_iter()
        .find(|(key, _)| key == "starting_after")
        .map(|(_, value)| value)
}

#[tokio::test]
async fn every_charge_of_a_sandbox_account_is_listed_once_newest_first() {
    let env = start(450, RateLimits::unlimited(), 2).await;
    let pages = pages(&env.client, ListParams::new()).await;
    let all = charges(&pages);
    let expected = env.sandbox.count(&env.account, Resource::Charges).unwrap();
    assert_eq!(all.len() as u64, expected);
    assert!(expected > 350, "{expected}");
    let unique: HashSet<&str> = all.iter().map(|charge| charge.id.as_str()).collect();
    assert_eq!(unique.len(), all.len(), "a charge was listed twice");
    assert!(all
        .windows(2)
        .all(|pair| pair[0].created >= pair[1].created));
    // Full pages of 100, then the rest; each page's cursor is its last charge.
    assert_eq!(pages.len() as u64, expected.div_ceil(100));
    assert!(pages[..pages.len() - 1]
        .iter()
        .all(|page| page.data.len() == 100 && page.has_more));
    assert!(!pages.last().unwrap().has_more);
    for page in &pages {
        assert_eq!(
            page.cursor.as_deref(),
            page.data.last().map(|charge| charge.id.as_str())
        );
    }
    // One request per page, each after the previous page's last charge, on behalf of the account.
    let requests = charge_requests(&env);
    assert_eq!(requests.len(), pages.len());
    assert_eq!(starting_after(&requests[0]), None);
    for (request, previous) in requests[1..].iter().zip(&pages) {
        assert_eq!(starting_after(request), previous.cursor);
        assert_eq!(request.account.as_deref(), Some(env.account.as_str()));
        assert_eq!(request.status, Some(200));
    }
}

#[tokio::test]
async fn listing_resumes_from_a_cursor_without_rereading_earlier_pages() {
    let env = start(450, RateLimits::unlimited(), 2).await;
    let everything = pages(&env.client, ListParams::new()).await;
    let everything: Vec<String> = charges(&everything)
        .iter()
        .map(|charge| charge.id.clone())
        .collect();

    // A first run stops after two pages and keeps the cursor.
    env.sandbox.clear_requests();
    let first_run: Vec<Page<Charge>> = env
        .client
        .list::<Charge>("/v1/charges", ListParams::new())
        .take(2)
        .try_collect()
        .await
        .unwrap();
    let cursor = first_run[1].cursor.clone().unwrap();
    assert_eq!(cursor, everything[199]);

    // A later run resumes from it.
    env.sandbox.clear_requests();
    let second_run = pages(&env.client, ListParams::new().starting_after(&cursor)).await;
    let mut resumed: Vec<String> = charges(&first_run)
        .iter()
        .map(|charge| charge.id.clone())
        .collect();
    resumed.extend(charges(&second_run).iter().map(|charge| charge.id.clone()));
    assert_eq!(resumed, everything);

    // The log proves the second run started at the cursor: no request for the first pages.
    let requests = charge_requests(&env);
    assert_eq!(requests.len(), second_run.len());
    assert_eq!(
        starting_after(&requests[0]).as_deref(),
        Some(cursor.as_str())
    );
    let before_cursor: HashSet<&str> = everything[..199].iter().map(String::as_str).collect();
    assert!(requests.iter().all(|request| {
        starting_after(request).is_some_and(|after| !before_cursor.contains(after.as_str()))
    }));
}

#[tokio::test]
async fn created_filters_select_exactly_the_charges_in_range() {
    let env = start(450, RateLimits::unlimited(), 2).await;
    let everything = pages(&env.client, ListParams::new()).await;
    let all = charges(&everything);
    let (high, low) = (all[40].created, all[300].created);
    let cases = [
        (
            ListParams::new().created_gte(low).created_lt(high),
            low,
            high - 1,
        ),
        (
            ListParams::new().created_gt(low).created_lte(high),
            low + 1,
            high,
        ),
        (ListParams::new().created_gte(low), low, i64::MAX),
        (ListParams::new().created_lte(high), i64::MIN, high),
    ];
    for (params, min, max) in cases {
        let expected: Vec<&str> = all
            .iter()
            .filter(|charge| (min..=max).contains(&charge.created))
            .map(|charge| charge.id.as_str())
            .collect();
        assert!(expected.len() > 40, "{min}..={max}");
        let filtered = pages(&env.client, params.limit(50)).await;
        let got: Vec<&str> = charges(&filtered)
            .iter()
            .map(|charge| charge.id.as_str())
            .collect();
        assert_eq!(got, expected, "{min}..={max}");
    }
}

#[tokio::test]
async fn a_429_from_the_sandbox_rate_limit_is_retried_transparently() {
    // The sandbox allows 5 requests/s for the key; the client's own limiter would allow 1000.
    let env = start(800, RateLimits::per_second(5), 12).await;
    let pages = pages(&env.client, ListParams::new()).await;
    let expected = env.sandbox.count(&env.account, Resource::Charges).unwrap();
    assert_eq!(charges(&pages).len() as u64, expected);
    let requests = charge_requests(&env);
    let limited = requests
        .iter()
        .filter(|request| request.status == Some(429))
        .count();
    assert!(limited > 0, "the sandbox never limited: {requests:?}");
    // Every 429 was followed by the same request again.
    for pair in requests.windows(2) {
        if pair[0].status == Some(429) {
            assert_eq!(pair[1].query, pair[0].query);
        }
    }
    assert_eq!(requests.len(), pages.len() + limited);
}

#[tokio::test]
async fn a_scripted_500_on_the_third_page_is_retried_and_the_listing_is_complete() {
    let env = start(450, RateLimits::unlimited(), 3).await;
    let expected = env.sandbox.count(&env.account, Resource::Charges).unwrap();
    env.sandbox
        .add_fault(
            FaultRule::new("/v1/charges", Fault::ServerError)
                .for_account(&env.account)
                .on_request(3),
        )
        .unwrap();
    let pages = pages(&env.client, ListParams::new()).await;
    let all = charges(&pages);
    assert_eq!(all.len() as u64, expected);
    let unique: HashSet<&str> = all.iter().map(|charge| charge.id.as_str()).collect();
    assert_eq!(unique.len(), all.len());

    let requests = charge_requests(&env);
    let statuses: Vec<Option<u16>> = requests.iter().map(|request| request.status).collect();
    assert_eq!(statuses[2], Some(500), "{statuses:?}");
    assert_eq!(requests[2].fault, Some(Fault::ServerError));
    // The retry asked for the same third page, and only once more.
    assert_eq!(requests[3].query, requests[2].query);
    assert_eq!(statuses[3], Some(200));
    assert_eq!(requests.len(), pages.len() + 1);
    assert_eq!(
        statuses
            .iter()
            .filter(|status| **status == Some(500))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_typed_list_reads_its_own_path_with_its_own_filters() {
    let env = start(30, RateLimits::default(), 2).await;
    // The stream is Unpin: `try_next` works on it without pinning.
    let mut pages = env
        .client
        .list_all::<stripe_client::wire::Customer>(ListParams::new().limit(10));
    let mut ids = HashSet::new();
    while let Some(page) = pages.try_next().await.unwrap() {
        for customer in page.data {
            assert!(customer.id.starts_with("cus_"), "{}", customer.id);
            assert!(ids.insert(customer.id), "a customer was listed twice");
        }
    }
    assert_eq!(
        ids.len() as u64,
        env.sandbox
            .count(&env.account, Resource::Customers)
            .unwrap()
    );
    assert!(env
        .sandbox
        .requests()
        .iter()
        .all(|request| request.path == "/v1/customers"));

    let objects: Vec<stripe_client::wire::Customer> = env
        .client
        .list_all_objects(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(objects.len(), ids.len());
}

#[tokio::test]
async fn a_filter_the_endpoint_does_not_take_is_refused_before_any_request() {
    let env = start(5, RateLimits::default(), 1).await;
    env.sandbox.clear_requests();
    let error = env
        .client
        .list_all::<stripe_client::wire::Customer>(
            ListParams::new().filter("payment_intent", "pi_1"),
        )
        .try_next()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            stripe_client::StripeError::UnknownFilter { path: "/v1/customers", filter }
                if filter == "payment_intent"
        ),
        "{error:?}"
    );
    assert!(env.sandbox.requests().is_empty());
}
