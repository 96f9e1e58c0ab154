//! Backfill at Stripe's latency (a bench binary, no criterion): how much of an account's rate
//! limit a full pull uses when every request takes hundreds of milliseconds.
//!
//! `cargo bench -p commerce-e2e --bench backfill` starts an in-process `stripe-sandbox` with one
//! test account of `BENCH_OBJECTS` customers (default 50,000), a delay of `BENCH_LATENCY_MS`
//! (default 300) plus or minus `BENCH_JITTER_MS` (default 0) on every answer, and a limit of
//! `BENCH_LIMIT` requests/s (default 100) for the account and for each endpoint. The client is
//! set to the same limit, with `BENCH_CONCURRENCY` requests in flight at most (default 64).
//! `BENCH_SEGMENTS` overrides the most segments of the segmented runs.
//!
//! Two runs against the same data, in this order:
//! - `one sequence` (the baseline): the pull with segments off
//!   (`StripePlatform::with_backfill_segments(1)`), consumed directly for `BENCH_BASELINE_SECS`
//!   (default 15) and stopped there: paging one cursor is steady, so its rate over that window
//!   is its rate over the whole backfill (which would take minutes);
//! - `segments-pull-only`: the pull with the default segments, consumed directly (no store);
//! - `segments`: the engine, with the default segments, runs the whole customers backfill
//!   into SQLite until the dataset is `Complete`.
//!
//! Each prints the requests answered per second over its wall time and that rate as a share of
//! the limit, the 429s, and the requests the sandbox received in each second.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use commerce_model::platform::{LinkedAccount, Platform};
use commerce_model::DataType;
use commerce_store::{EncryptionKey, NewCompany, Store};
use commerce_stripe::StripePlatform;
use commerce_sync::{PlatformRegistry, SyncConfig, SyncEngine};
use futures::StreamExt;
use secrecy::{ExposeSecret as _, SecretString};
use stripe_client::{ClientConfig, StripeClient};
use stripe_connect::{Integration, Mode};
use stripe_sandbox::{Latency, RateLimits, Sandbox, SandboxConfig, SandboxHandle};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

struct Setup {
    sandbox: SandboxHandle,
    key: String,
    client_id: String,
    account: String,
    limit: u32,
    concurrency: usize,
    /// `BENCH_SEGMENTS`: the most segments of the segmented runs (default: the platform's).
    segments: Option<usize>,
}

impl Setup {
    fn platform(&self, segments: Option<usize>) -> StripePlatform {
        let base = self.sandbox.base_url();
        let integration = Integration::builder(
            Mode::Test,
            self.client_id.clone(),
            SecretString::from(self.key.clone()),
            "http://127.0.0.1:9/oauth/stripe/callback",
        )
        .connect_base(base)
        .build()
        .unwrap();
        let config = ClientConfig::builder(SecretString::from(self.key.clone()))
            .api_base(base)
            .rate_limit(self.limit)
            .endpoint_rate_limit(self.limit)
            .max_concurrency(self.concurrency)
            .build()
            .unwrap();
        let platform =
            StripePlatform::new(integration, StripeClient::new(config).unwrap()).unwrap();
        match segments.or(self.segments) {
            Some(segments) => platform.with_backfill_segments(segments),
            None => platform,
        }
    }

    /// Requests received in each second since the last clear.
    fn per_second(&self) -> Vec<usize> {
        let times: Vec<i64> = self
            .sandbox
            .requests()
            .iter()
            .map(|request| request.received_at_ms)
            .collect();
        let Some(first) = times.iter().min().copied() else {
            return Vec::new();
        };
        let mut counts = Vec::new();
        for time in times {
            let second = usize::try_from((time - first) / 1000).unwrap();
            if counts.len() <= second {
                counts.resize(second + 1, 0);
            }
            counts[second] += 1;
        }
        counts
    }

    /// Requests answered since the last clear: (all, 429s).
    fn answered(&self) -> (usize, usize) {
        let requests = self.sandbox.requests();
        let limited = requests
            .iter()
            .filter(|request| request.status == Some(429))
            .count();
        (requests.len(), limited)
    }

    fn report(&self, name: &str, wall: f64, objects: u64, complete: bool) -> f64 {
        let (answered, limited) = self.answered();
        let rate = answered as f64 / wall;
        let share = rate / f64::from(self.limit);
        println!(
            "backfill run={name:<12} objects={objects} complete={complete} requests={answered} \
             answered_429={limited} wall={wall:.2}s requests_per_s={rate:.1} share_of_limit={share:.3} \
             per_second={:?}",
            self.per_second()
        );
        share
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let objects = env_num("BENCH_OBJECTS", 50_000);
    let latency = env_num("BENCH_LATENCY_MS", 300);
    let jitter = env_num("BENCH_JITTER_MS", 0);
    let limit = u32::try_from(env_num("BENCH_LIMIT", 100)).unwrap();
    let concurrency = usize::try_from(env_num("BENCH_CONCURRENCY", 64)).unwrap();
    let baseline_secs = env_num("BENCH_BASELINE_SECS", 15);

    let mut config = SandboxConfig::default();
    config.size = objects;
    config.accounts = 1;
    config.live_accounts = 0;
    config.start_time = Some(1_800_000_000);
    config.rate_limits = RateLimits::per_second(limit).with_endpoint_limit(Some(limit));
    config.request_log_capacity = 1_000_000;
    config.latency = Latency::jittered(latency, jitter);
    let sandbox = Sandbox::start(config).await.unwrap();
    let info = sandbox.info();
    let setup = Setup {
        key: info.test.secret_key.expose_secret().to_owned(),
        client_id: info.test.client_id.clone(),
        account: info.test_accounts()[0].to_owned(),
        sandbox,
        limit,
        concurrency,
        segments: std::env::var("BENCH_SEGMENTS")
            .ok()
            .and_then(|value| value.parse().ok()),
    };
    println!(
        "backfill setup: {objects} customers, latency {latency}±{jitter} ms, limit {limit}/s \
         (account and endpoint), client concurrency {concurrency}"
    );

    // Baseline: one sequence, time-boxed.
    let linked = LinkedAccount::new(setup.account.as_str(), false);
    let platform = setup.platform(Some(1));
    setup.sandbox.clear_requests();
    let started = Instant::now();
    let mut stream = platform.pull(&linked, DataType::Customers, None);
    let mut fetched = 0;
    let mut complete = false;
    let deadline = Duration::from_secs(baseline_secs);
    while let Ok(Some(batch)) =
        tokio::time::timeout(deadline.saturating_sub(started.elapsed()), stream.next()).await
    {
        let batch = batch.unwrap();
        fetched = batch.progress.fetched;
        if batch.complete {
            complete = true;
            break;
        }
    }
    drop(stream);
    let wall = started.elapsed().as_secs_f64();
    let baseline = setup.report("one-sequence", wall, fetched, complete);

    // Segments, the pull alone (no store): what the platform reaches when nothing else runs.
    let platform = setup.platform(None);
    setup.sandbox.clear_requests();
    let started = Instant::now();
    let mut stream = platform.pull(&linked, DataType::Customers, None);
    let mut fetched = 0;
    let mut complete = false;
    while let Some(batch) = stream.next().await {
        let batch = batch.unwrap();
        fetched = batch.progress.fetched;
        complete = batch.complete;
    }
    drop(stream);
    let wall = started.elapsed().as_secs_f64();
    let pull_only = setup.report("segments-pull-only", wall, fetched, complete);

    // Segments: the engine, to Complete, into SQLite.
    let path = std::env::temp_dir().join(format!(
        "commerce-backfill-bench-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    let store = Store::connect(
        &format!("sqlite://{}", path.display()),
        EncryptionKey::generate(),
    )
    .await
    .unwrap();
    let company = store
        .create_company(&NewCompany::named("Bench merchant"))
        .await
        .unwrap();
    let connection = store
        .create_connection(company.id, "stripe-test")
        .await
        .unwrap();
    let mut account = LinkedAccount::new(setup.account.as_str(), false);
    account.access_token = Some(SecretString::from("unused".to_owned()));
    store
        .link_connection(connection.id, &account)
        .await
        .unwrap();
    let engine = SyncEngine::new(
        store.clone(),
        PlatformRegistry::new().with(Arc::new(setup.platform(None))),
        SyncConfig::default()
            .with_workers(1)
            .with_poll_interval(Duration::from_millis(20)),
    );
    setup.sandbox.clear_requests();
    let started = Instant::now();
    let dataset = engine
        .queue(connection.id, DataType::Customers)
        .await
        .unwrap();
    engine.run_until_idle().await.unwrap();
    let wall = started.elapsed().as_secs_f64();
    let dataset = store.get_dataset(dataset.id).await.unwrap();
    let complete = dataset.status == commerce_store::DatasetStatus::Complete;
    assert!(complete, "{:?}", dataset.error_message);
    let segmented = setup.report("segments", wall, dataset.records, complete);
    println!(
        "backfill ratio segments/one-sequence = {:.1}x; segments reach {:.1}% of the limit \
         end to end into SQLite, {:.1}% pulling alone; one sequence {:.1}%",
        segmented / baseline,
        100.0 * segmented,
        100.0 * pull_only,
        100.0 * baseline
    );
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.clone().into_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
}
