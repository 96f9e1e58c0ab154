use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::time::Instant;

use crate::limiter::{
    endpoint_name, Bucket, BudgetConfig, LimitHit, RequestBudget, DECREASE_FACTOR,
    SUCCESSES_TO_RECOVER,
};
use crate::rate::{BudgetScope, SharedBudget, SharedBudgetError};

fn budget(rate: u32, endpoint_rate: u32, max_concurrency: usize) -> RequestBudget {
    budget_with(
        rate,
        endpoint_rate,
        max_concurrency,
        BudgetScope::Account,
        None,
    )
}

fn budget_with(
    rate: u32,
    endpoint_rate: u32,
    max_concurrency: usize,
    scope: BudgetScope,
    shared: Option<Arc<dyn SharedBudget>>,
) -> RequestBudget {
    RequestBudget::new(BudgetConfig {
        rate,
        endpoint_rate,
        max_concurrency,
        scope,
        namespace: "stripe:test".to_owned(),
        shared,
    })
}

/// The most acquisitions that fall in any window `[t, t + window)`.
fn max_in_window(times: &[Instant], window: Duration) -> usize {
    let mut sorted = times.to_vec();
    sorted.sort();
    let mut best = 0;
    for (start_idx, start) in sorted.iter().enumerate() {
        let n_items = sorted[start_idx..]
            .iter()
            .take_while(|time| **time < *start + window)
            .count();
        best = best.max(n_items);
    }
    best
}

#[tokio::test(start_paused = true)]
async fn sequential_requests_hold_the_configured_rate() {
    let budget = budget(25, 1000, 10);
    let start = Instant::now();
    let mut times = Vec::new();
    for _ in 0..101 {
        let _grant = budget.acquire(Some("acct_1"), "/v1/charges").await;
        times.push(Instant::now());
    }
    // 101 requests at 25/s: the first is immediate, the other 100 are 40 ms apart.
    assert_eq!(Instant::now() - start, Duration::from_secs(4));
    assert_eq!(max_in_window(&times, Duration::from_secs(1)), 25);
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_one_rate() {
    let budget = Arc::new(budget(100, 1000, 1000));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for index in 0..300 {
        let budget = Arc::clone(&budget);
        tasks.push(tokio::spawn(async move {
            let path = if index % 2 == 0 {
                "/v1/charges"
            } else {
                "/v1/customers"
            };
            let _grant = budget.acquire(Some("acct_1"), path).await;
            Instant::now()
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.push(task.await.unwrap());
    }
    assert_eq!(max_in_window(&times, Duration::from_secs(1)), 100);
    let last = times.iter().max().copied().unwrap();
    assert_eq!(last - start, Duration::from_millis(2990));
}

#[tokio::test(start_paused = true)]
async fn an_idle_budget_does_not_bank_a_burst() {
    let budget = budget(10, 1000, 10);
    drop(budget.acquire(None, "/v1/charges").await);
    tokio::time::sleep(Duration::from_secs(30)).await;
    let start = Instant::now();
    for _ in 0..3 {
        drop(budget.acquire(None, "/v1/charges").await);
    }
    assert_eq!(Instant::now() - start, Duration::from_millis(200));
}

#[tokio::test(start_paused = true)]
async fn the_concurrency_cap_bounds_requests_in_flight() {
    let budget = Arc::new(budget(1000, 1000, 2));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most_in_flight = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let budget = Arc::clone(&budget);
        let in_flight = Arc::clone(&in_flight);
        let most_in_flight = Arc::clone(&most_in_flight);
        tasks.push(tokio::spawn(async move {
            let _grant = budget.acquire(Some("acct_1"), "/v1/charges").await;
            let now_in_flight = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            most_in_flight.fetch_max(now_in_flight, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(1)).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(most_in_flight.load(Ordering::SeqCst), 2);
    // Six one-second requests, two at a time: three rounds (plus 1 ms rate spacing).
    let elapsed = Instant::now() - start;
    assert!(
        elapsed >= Duration::from_secs(3) && elapsed < Duration::from_millis(3100),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn each_endpoint_has_its_own_budget_within_the_global_one() {
    // Global 100/s, endpoints 25/s: one endpoint alone gets 25/s, four together 100/s.
    let budget = Arc::new(budget(100, 25, 1000));
    let start = Instant::now();
    for _ in 0..26 {
        drop(budget.acquire(Some("acct_1"), "/v1/charges").await);
    }
    assert_eq!(Instant::now() - start, Duration::from_secs(1));

    tokio::time::sleep(Duration::from_secs(1)).await;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for path in [
        "/v1/customers",
        "/v1/disputes",
        "/v1/products",
        "/v1/prices",
    ] {
        let budget = Arc::clone(&budget);
        tasks.push(tokio::spawn(async move {
            for _ in 0..50 {
                drop(budget.acquire(Some("acct_1"), path).await);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // 200 requests at the global 100/s: about 2 s, not 8.
    let elapsed = Instant::now() - start;
    assert!(elapsed < Duration::from_millis(2100), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn budgets_are_per_account_unless_scoped_to_the_platform_key() {
    for (scope, expected) in [
        (BudgetScope::Account, Duration::from_millis(400)),
        (BudgetScope::PlatformKey, Duration::from_millis(1400)),
    ] {
        let budget = budget_with(10, 1000, 10, scope, None);
        let start = Instant::now();
        for _ in 0..5 {
            for account in [None, Some("acct_a"), Some("acct_b")] {
                drop(budget.acquire(account, "/v1/charges").await);
            }
        }
        // Per account: 5 requests each at 10/s in parallel; per key: 15 in a row.
        assert_eq!(Instant::now() - start, expected, "{scope:?}");
    }
}

#[test]
fn endpoints_are_named_operations() {
    assert_eq!(endpoint_name("/v1/charges"), "GET /v1/charges");
    assert_eq!(endpoint_name("/v1/charges/ch_1"), "GET /v1/charges/{id}");
    assert_eq!(endpoint_name("/v1/account"), "GET /v1/account");
}

#[test]
fn the_reason_header_chooses_the_budget_and_defaults_to_the_global_one() {
    assert_eq!(LimitHit::from_reason(Some("global-rate")), LimitHit::Global);
    assert_eq!(
        LimitHit::from_reason(Some("global-concurrency")),
        LimitHit::Global
    );
    assert_eq!(
        LimitHit::from_reason(Some("endpoint-rate")),
        LimitHit::Endpoint
    );
    assert_eq!(
        LimitHit::from_reason(Some("endpoint-concurrency")),
        LimitHit::Endpoint
    );
    assert_eq!(
        LimitHit::from_reason(Some("resource-specific")),
        LimitHit::Endpoint
    );
    assert_eq!(
        LimitHit::from_reason(Some("something-new")),
        LimitHit::Global
    );
    assert_eq!(LimitHit::from_reason(None), LimitHit::Global);
}

#[tokio::test(start_paused = true)]
async fn a_429_shrinks_the_budget_hit_once_per_round_and_successes_grow_it_back() {
    let budget = budget(100, 25, 10);
    let first = budget.acquire(Some("acct_1"), "/v1/charges").await;
    let second = budget.acquire(Some("acct_1"), "/v1/charges").await;
    let global = budget.global(Some("acct_1"));
    // Both requests were sent before any decrease: the second 429 does not shrink again.
    first.rate_limited(LimitHit::Global);
    second.rate_limited(LimitHit::Global);
    assert!((global.rate() - 100.0 * DECREASE_FACTOR).abs() < 1e-9);
    assert_eq!(global.epoch(), 1);
    // A request sent after the decrease that is limited again shrinks it again.
    let third = budget.acquire(Some("acct_1"), "/v1/charges").await;
    third.rate_limited(LimitHit::Global);
    assert!((global.rate() - 100.0 * DECREASE_FACTOR * DECREASE_FACTOR).abs() < 1e-9);
    // An endpoint limit shrinks the endpoint budget only.
    let fourth = budget.acquire(Some("acct_1"), "/v1/charges").await;
    fourth.rate_limited(LimitHit::Endpoint);
    assert!((global.rate() - 49.0).abs() < 1e-9);

    // The global budget is back where it was cut after SUCCESSES_TO_RECOVER successes, and
    // never above its setting.
    let cut_at = 70.0;
    let mut successes = 0;
    while global.rate() < cut_at - 1e-9 {
        budget
            .acquire(Some("acct_1"), "/v1/customers")
            .await
            .succeeded();
        successes += 1;
    }
    assert!(
        (f64::from(successes) - SUCCESSES_TO_RECOVER).abs() <= 1.0,
        "{successes}"
    );
    for _ in 0..1000 {
        budget
            .acquire(Some("acct_1"), "/v1/customers")
            .await
            .succeeded();
    }
    assert!((global.rate() - 100.0).abs() < 1e-9);
}

/// A server allowing `limit` requests per second per account (a token bucket holding one
/// second), answering 429 `global-rate` beyond it, driven through the budget the way the
/// client drives it: each request takes its slots, then succeeds or is limited and retried.
async fn simulate(limit: f64, client_rate: u32, seconds: u64) -> (usize, usize) {
    let budget = Arc::new(budget(client_rate, 1000, 10));
    let server = Arc::new(Mutex::new((limit, Instant::now())));
    let answered = Arc::new(Mutex::new(Vec::<(Instant, bool)>::new()));
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for worker in 0..6 {
        let (budget, server, answered) = (budget.clone(), server.clone(), answered.clone());
        tasks.push(tokio::spawn(async move {
            let path = format!("/v1/resource{worker}");
            while Instant::now() < end {
                let grant = budget.acquire(Some("acct_1"), &path).await;
                // 5 ms of latency.
                tokio::time::sleep(Duration::from_millis(5)).await;
                let ok = {
                    let mut bucket = server.lock().unwrap();
                    let now = Instant::now();
                    let refill = now.duration_since(bucket.1).as_secs_f64() * limit;
                    bucket.0 = (bucket.0 + refill).min(limit);
                    bucket.1 = now;
                    if bucket.0 >= 1.0 {
                        bucket.0 -= 1.0;
                        true
                    } else {
                        false
                    }
                };
                if ok {
                    grant.succeeded();
                } else {
                    grant.rate_limited(LimitHit::Global);
                }
                answered.lock().unwrap().push((Instant::now(), ok));
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let answered = answered.lock().unwrap();
    let after_warmup: Vec<_> = answered
        .iter()
        .filter(|(at, _)| *at >= start + Duration::from_secs(10))
        .collect();
    let limited = after_warmup.iter().filter(|(_, ok)| !ok).count();
    (after_warmup.len(), limited)
}

#[tokio::test(start_paused = true)]
async fn against_lower_server_limits_429s_stay_under_two_percent_after_ten_seconds() {
    for limit in [3.0, 10.0, 25.0] {
        let (requests, limited) = simulate(limit, 100, 130).await;
        let share = limited as f64 / requests as f64;
        // Throughput stays near the server's limit, and 429s are rare.
        let per_second = (requests - limited) as f64 / 120.0;
        assert!(
            share <= 0.02,
            "limit {limit}: {limited} of {requests} limited"
        );
        assert!(
            per_second >= limit * 0.6,
            "limit {limit}: {per_second:.2} successes/s"
        );
    }
}

/// An in-memory stand-in for a shared store: one slot timeline per name.
#[derive(Debug, Default)]
struct FakeShared {
    next: Mutex<HashMap<String, Instant>>,
    calls: AtomicUsize,
}

impl SharedBudget for FakeShared {
    fn reserve<'a>(
        &'a self,
        name: &'a str,
        slots: u32,
        interval: Duration,
    ) -> BoxFuture<'a, Result<Duration, SharedBudgetError>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            // A round trip: other requests of the process queue meanwhile.
            tokio::task::yield_now().await;
            let mut next = self.next.lock().unwrap();
            let now = Instant::now();
            let start = next
                .get(name)
                .copied()
                .filter(|at| *at > now)
                .unwrap_or(now);
            next.insert(name.to_owned(), start + interval * slots);
            Ok(start - now)
        })
    }
}

#[tokio::test(start_paused = true)]
async fn processes_sharing_a_budget_stay_within_it_together() {
    let shared = Arc::new(FakeShared::default());
    // Three "processes", each with its own client budget, sharing one store.
    let budgets: Vec<Arc<RequestBudget>> = (0..3)
        .map(|_| {
            Arc::new(budget_with(
                25,
                1000,
                10,
                BudgetScope::Account,
                Some(shared.clone() as Arc<dyn SharedBudget>),
            ))
        })
        .collect();
    let times = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for budget in &budgets {
        for worker in 0..3 {
            let (budget, times) = (budget.clone(), times.clone());
            tasks.push(tokio::spawn(async move {
                let path = format!("/v1/resource{worker}");
                while Instant::now() < start + Duration::from_secs(20) {
                    let _grant = budget.acquire(Some("acct_1"), &path).await;
                    times.lock().unwrap().push(Instant::now());
                }
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    let times = times.lock().unwrap();
    let most = max_in_window(&times, Duration::from_secs(1));
    assert!(most <= 25, "{most} in one second");
    // At least 90% of the limit together, and no slot reserved for nobody: at most one store
    // call per request.
    assert!(times.len() >= 450, "{}", times.len());
    let calls = shared.calls.load(Ordering::SeqCst);
    assert!(
        calls <= times.len(),
        "{calls} store calls for {}",
        times.len()
    );
}

#[tokio::test(start_paused = true)]
async fn requests_waiting_together_share_one_store_call() {
    let shared = Arc::new(FakeShared::default());
    let budget = Arc::new(budget_with(
        25,
        1000,
        100,
        BudgetScope::Account,
        Some(shared.clone() as Arc<dyn SharedBudget>),
    ));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..20 {
        let budget = budget.clone();
        tasks.push(tokio::spawn(async move {
            let path = format!("/v1/resource{worker}");
            drop(budget.acquire(Some("acct_1"), &path).await);
            Instant::now()
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.push(task.await.unwrap());
    }
    // 20 requests waiting at once: a couple of store calls, 40 ms apart slots.
    assert!(shared.calls.load(Ordering::SeqCst) <= 3);
    let last = times.iter().max().copied().unwrap();
    let expected = Duration::from_millis(40).mul_f64(1.02) * 19;
    assert!(
        last - start <= expected + Duration::from_millis(1),
        "{:?}",
        last - start
    );
    assert!(max_in_window(&times, Duration::from_secs(1)) <= 25);
}

#[tokio::test(start_paused = true)]
async fn a_failing_shared_store_falls_back_to_the_local_budget() {
    #[derive(Debug)]
    struct Down;
    impl SharedBudget for Down {
        fn reserve<'a>(
            &'a self,
            _name: &'a str,
            _slots: u32,
            _interval: Duration,
        ) -> BoxFuture<'a, Result<Duration, SharedBudgetError>> {
            Box::pin(async { Err("database is down".into()) })
        }
    }
    let budget = budget_with(10, 1000, 10, BudgetScope::Account, Some(Arc::new(Down)));
    let start = Instant::now();
    for _ in 0..11 {
        drop(budget.acquire(Some("acct_1"), "/v1/charges").await);
    }
    assert_eq!(Instant::now() - start, Duration::from_secs(1));
}

#[test]
fn a_bucket_starts_at_its_setting() {
    let bucket = Bucket::new("stripe:test:acct_1".to_owned(), 7, None);
    assert!((bucket.rate() - 7.0).abs() < 1e-9);
    assert_eq!(bucket.last_success(), None);
}

#[test]
fn a_platform_budget_is_named_by_a_stable_fingerprint_of_the_key() {
    // SHA-256 of "stripe-client budget:sk_test_123", first 8 bytes: the same in every build, so
    // processes built by different Rust versions share the platform's budget.
    assert_eq!(
        crate::limiter::fingerprint("sk_test_123"),
        "defb343467d61cfa"
    );
    assert_ne!(
        crate::limiter::fingerprint("sk_test_124"),
        crate::limiter::fingerprint("sk_test_123")
    );
    assert!(!crate::limiter::fingerprint("sk_test_123").contains("123"));
}
