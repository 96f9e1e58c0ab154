//! Rate budgets against the sandbox: a client set far above the server's limit adapts and every
//! dataset still ends `Complete` with few 429s; three worker processes on PostgreSQL share one
//! budget per account. The sandbox's request log (arrival times, statuses) is the proof.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};

use commerce_model::DataType;
use stripe_sandbox::{RateLimits, RequestRecord, Resource};

use super::process::worker_binary;
use super::{all_complete, link, sandbox, supported_statuses, StripeEnv};
use crate::sync_support::{Kind, TestDb};

/// `(requests, answered 429)` among the requests that arrived at least `after_ms` after the
/// first one.
fn after_warmup(requests: &[RequestRecord], after_ms: i64) -> (usize, usize) {
    let first = requests
        .iter()
        .map(|request| request.received_at_ms)
        .min()
        .unwrap();
    let late: Vec<&RequestRecord> = requests
        .iter()
        .filter(|request| request.received_at_ms >= first + after_ms)
        .collect();
    let limited = late
        .iter()
        .filter(|request| request.status == Some(429))
        .count();
    (late.len(), limited)
}

async fn adapts_to(limit: u32, size: u64) {
    let env = sandbox(size, |config| {
        config.rate_limits = RateLimits::per_second(limit);
    })
    .await;
    let account = env.account().to_owned();
    let db = TestDb::new(Kind::Sqlite).await;
    let store = db.store().await;
    let conn = link(&store, &account).await;
    // The client believes it may send 100 requests/s (and 100 per endpoint).
    let engine = env.engine(store.clone(), env.platform(5, 100));
    engine.queue_all(conn).await.unwrap();
    let started = std::time::Instant::now();
    engine.run_until_idle().await.unwrap();
    let took = started.elapsed();

    assert_eq!(
        supported_statuses(&store, conn).await,
        all_complete(),
        "limit {limit}"
    );
    let customers = super::live(&store, conn, DataType::Customers).await;
    assert_eq!(
        customers.len() as u64,
        env.sandbox.count(&account, Resource::Customers).unwrap()
    );
    let requests = env.sandbox.requests();
    let all_limited = requests
        .iter()
        .filter(|request| request.status == Some(429))
        .count();
    let (late, late_limited) = after_warmup(&requests, 10_000);
    eprintln!(
        "server limit {limit}/s, client 100/s: {} requests in {:.1} s ({:.1}/s), {all_limited} answered 429; after the first 10 s: {late_limited} of {late} ({:.2}%)",
        requests.len(),
        took.as_secs_f64(),
        requests.len() as f64 / took.as_secs_f64(),
        100.0 * late_limited as f64 / late.max(1) as f64
    );
    assert!(
        late >= 50,
        "limit {limit}: the sync ran past its first 10 s ({late})"
    );
    assert!(
        late_limited * 50 <= late,
        "limit {limit}: {late_limited} of {late} requests after the first 10 s were 429"
    );
    // The server's limit is used, not collapsed to a trickle by the backoff: at least 30% of it
    // on average. (A floor, not a performance figure: on a loaded two-core machine the pull
    // itself, not the budget, can cap the rate; the figures are in docs/performance.md.)
    let per_second = (requests.len() - all_limited) as f64 / took.as_secs_f64();
    assert!(
        per_second >= f64::from(limit) * 0.3,
        "limit {limit}: {per_second:.1} successful requests/s"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_set_to_100_adapts_to_a_server_allowing_3_per_second() {
    adapts_to(3, 1800).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_set_to_100_adapts_to_a_server_allowing_10_per_second() {
    adapts_to(10, 3500).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_set_to_100_adapts_to_a_server_allowing_25_per_second() {
    adapts_to(25, 8000).await;
}

fn spawn(db: &TestDb, env: &StripeEnv, name: &str, rate: u32) -> Child {
    Command::new(worker_binary())
        .env("COMMERCE_SYNC_DB_URL", &db.url)
        .env("COMMERCE_ENCRYPTION_KEY", db.key_base64())
        .env("SYNC_WORKER_NAME", name)
        // One sequence per list, as before segments (see docs/performance.md).
        .env("SYNC_BACKFILL_SEGMENTS", "1")
        .env("SYNC_WORKERS", "2")
        .env("STRIPE_API_BASE", env.sandbox.base_url())
        .env("STRIPE_CLIENT_ID", &env.client_id)
        .env("STRIPE_SECRET_KEY", &env.key)
        .env("STRIPE_TEST_RATE_LIMIT", rate.to_string())
        .env("STRIPE_ENDPOINT_RATE_LIMIT", rate.to_string())
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Three worker processes (two workers each) on one PostgreSQL sync one account against a
/// sandbox allowing `limit` requests/s per account, the client set to the same limit.
/// Returns the most requests the sandbox counted for the account in one second after the first,
/// and the account's throughput (requests/s from its first request to its last).
async fn three_processes(limit: u32, size: u64) -> (usize, f64) {
    let env = sandbox(size, |config| {
        config.accounts = 1;
        config.rate_limits = RateLimits::per_second(limit);
    })
    .await;
    let db = TestDb::new(Kind::Postgres).await;
    let store = db.store().await;
    let queuer = env.engine(store.clone(), env.platform(1, 1000));
    let account = env.account().to_owned();
    let conn = link(&store, &account).await;
    queuer.queue_all(conn).await.unwrap();
    env.sandbox.clear_requests();

    // Each process alone would spend the whole budget of the account.
    let children: Vec<Child> = ["proc-a", "proc-b", "proc-c"]
        .into_iter()
        .map(|name| spawn(&db, &env, name, limit))
        .collect();
    tokio::task::spawn_blocking(move || {
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "worker failed: {:?}",
                output.status
            );
        }
    })
    .await
    .unwrap();
    assert_eq!(supported_statuses(&store, conn).await, all_complete());

    let requests = env.sandbox.requests();
    let times: Vec<i64> = requests
        .iter()
        .filter(|request| request.account.as_deref() == Some(account.as_str()))
        .map(|request| request.received_at_ms)
        .collect();
    let first = *times.iter().min().unwrap();
    let last = *times.iter().max().unwrap();
    let mut per_second: BTreeMap<i64, usize> = BTreeMap::new();
    for time in &times {
        *per_second.entry(time / 1000).or_default() += 1;
    }
    let busiest = per_second
        .iter()
        .filter(|(second, _)| **second > first / 1000)
        .map(|(_, count)| *count)
        .max()
        .unwrap();
    let throughput = (times.len() - 1) as f64 * 1000.0 / (last - first) as f64;
    let limited = requests
        .iter()
        .filter(|request| request.status == Some(429))
        .count();
    eprintln!(
        "limit {limit}/s per account, 3 processes: {} requests in {:.1} s, {throughput:.1}/s ({:.0}% of the limit), busiest second after the first {busiest}, {limited} answered 429; per second {:?}",
        times.len(),
        (last - first) as f64 / 1000.0,
        100.0 * throughput / f64::from(limit),
        per_second.values().collect::<Vec<_>>()
    );
    (busiest, throughput)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_three_worker_processes_share_one_budget_per_account() {
    // At Stripe's 25/s the processes together never exceed the account's limit in any second.
    // (A debug build on two cores pulls and stores only about 26 pages/s with no limit at all,
    // so at 25/s the machine, not the budget, decides the throughput.)
    let (busiest, _) = three_processes(25, 5000).await;
    assert!(busiest <= 25, "{busiest} requests in one second at 25/s");
    // Where the budget is what limits them, they use at least 90% of it together.
    let (busiest, throughput) = three_processes(10, 2500).await;
    assert!(busiest <= 10, "{busiest} requests in one second at 10/s");
    assert!(throughput >= 9.0, "{throughput:.1} requests/s at 10/s");
}
