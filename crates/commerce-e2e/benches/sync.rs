//! End-to-end sync benchmark (a bench binary, no criterion): the engine with the real
//! `StripePlatform` pulling every data type of one merchant from an in-process `stripe-sandbox`,
//! mapping and storing into SQLite or PostgreSQL.
//!
//! `cargo bench -p commerce-e2e --bench sync` runs each configuration in a child process of
//! its own (so peak RSS, `VmHWM`, is per configuration) and prints one line per run:
//! - `unlimited`: no rate limit anywhere; records/s and peak RSS at each size;
//! - `limited`: the sandbox's 25 requests/s test-mode limit and the client's default limiter;
//!   wall time against the floor that limit sets (requests / 25 s) and the share of 429s.
//!
//! Environment: `BENCH_SIZES` (objects per resource, default `10000,100000`), `BENCH_ENGINES`
//! (default `sqlite,postgres`), `BENCH_LIMITED_SIZE` (default 2000: enough requests, about 200, that the 25-request burst is a small part of them; 0 skips it),
//! `COMMERCE_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`).
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use commerce_model::platform::LinkedAccount;
use commerce_store::{EncryptionKey, NewCompany, Store};
use commerce_stripe::{StripePlatform, SUPPORTED_DATA_TYPES};
use commerce_sync::{PlatformRegistry, SyncConfig, SyncEngine};
use secrecy::{ExposeSecret as _, SecretString};
use sqlx::Connection as _;
use stripe_client::{ClientConfig, StripeClient};
use stripe_connect::{Integration, Mode};
use stripe_sandbox::{RateLimits, Sandbox, SandboxConfig};

/// The allocator the `commerce` binary uses (see `crates/commerce-cli/src/main.rs`), so that
/// peak RSS here is the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn main() {
    if std::env::var("BENCH_CHILD").is_ok() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(child());
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut runs: Vec<(String, String, String)> = Vec::new();
    for engine in env_or("BENCH_ENGINES", "sqlite,postgres").split(',') {
        for size in env_or("BENCH_SIZES", "10000,100000").split(',') {
            runs.push(("unlimited".into(), engine.into(), size.into()));
        }
    }
    let limited = env_or("BENCH_LIMITED_SIZE", "2000");
    if limited != "0" {
        runs.push(("limited".into(), "sqlite".into(), limited));
    }
    for (mode, engine, size) in runs {
        let status = Command::new(&exe)
            .env("BENCH_CHILD", "1")
            .env("BENCH_MODE", &mode)
            .env("BENCH_ENGINE", &engine)
            .env("BENCH_SIZE", &size)
            .status()
            .unwrap();
        assert!(status.success(), "{mode} {engine} {size} failed");
    }
}

/// Peak resident set size of this process, in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

struct Db {
    url: String,
    drop: Option<(String, String)>,
    file: Option<std::path::PathBuf>,
}

async fn database(engine: &str) -> Db {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    match engine {
        "sqlite" => {
            let path = std::env::temp_dir().join(format!("commerce-sync-bench-{unique}.db"));
            Db {
                url: format!("sqlite://{}", path.display()),
                drop: None,
                file: Some(path),
            }
        }
        "postgres" => {
            let admin = env_or(
                "COMMERCE_TEST_POSTGRES_URL",
                "postgres://postgres@127.0.0.1:5432/test",
            );
            let name = format!("commerce_sync_bench_{unique}");
            let mut connection = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut connection)
                .await
                .unwrap();
            let (base, _) = admin.rsplit_once('/').unwrap();
            Db {
                url: format!("{base}/{name}"),
                drop: Some((admin, name)),
                file: None,
            }
        }
        other => panic!("unknown engine {other}"),
    }
}

async fn cleanup(db: Db) {
    if let Some((admin, name)) = db.drop {
        let mut connection = sqlx::PgConnection::connect(&admin).await.unwrap();
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut connection)
            .await;
    }
    if let Some(path) = db.file {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
    }
}

async fn child() {
    let mode = env_or("BENCH_MODE", "unlimited");
    let engine_name = env_or("BENCH_ENGINE", "sqlite");
    let size: u64 = env_or("BENCH_SIZE", "10000").parse().unwrap();
    let limited = mode == "limited";

    let mut config = SandboxConfig::default();
    config.size = size;
    config.accounts = 1;
    config.live_accounts = 0;
    config.start_time = Some(1_800_000_000);
    config.page_cache_bytes = 0;
    if limited {
        config.rate_limits = RateLimits::default(); // 25/s in test mode
        config.request_log_capacity = 1_000_000;
    } else {
        config.rate_limits = RateLimits::unlimited();
        config.request_log_capacity = 1_000;
    }
    let sandbox = Sandbox::start(config).await.unwrap();
    let info = sandbox.info();
    let key = info.test.secret_key.expose_secret().to_owned();
    let account = info.test_accounts()[0].to_owned();
    let base = sandbox.base_url().to_owned();

    let integration = Integration::builder(
        Mode::Test,
        info.test.client_id.clone(),
        SecretString::from(key.clone()),
        "http://127.0.0.1:9/oauth/stripe/callback",
    )
    .connect_base(base.as_str())
    .build()
    .unwrap();
    let mut client = ClientConfig::builder(SecretString::from(key)).api_base(base.as_str());
    if !limited {
        client = client.rate_limit(1_000_000).endpoint_rate_limit(1_000_000);
    }
    let client = StripeClient::new(client.build().unwrap()).unwrap();
    let platform = StripePlatform::new(integration, client).unwrap();

    let db = database(&engine_name).await;
    let store = Store::connect(&db.url, EncryptionKey::generate())
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
    store
        .link_connection(connection.id, &{
            let mut account = LinkedAccount::new(account.as_str(), false);
            account.access_token = Some(SecretString::from("unused".to_owned()));
            account
        })
        .await
        .unwrap();
    let engine = SyncEngine::new(
        store.clone(),
        PlatformRegistry::new().with(Arc::new(platform)),
        SyncConfig::default()
            .with_workers(SUPPORTED_DATA_TYPES.len())
            .with_poll_interval(Duration::from_millis(20)),
    );

    let rss_before = peak_rss_mib();
    engine.queue_all(connection.id).await.unwrap();
    let started = Instant::now();
    engine.run_until_idle().await.unwrap();
    let elapsed = started.elapsed().as_secs_f64();

    let mut records = 0;
    let mut pages = 0;
    let mut per_type = BTreeMap::new();
    for (data_type, status) in store.data_statuses(connection.id).await.unwrap() {
        if !SUPPORTED_DATA_TYPES.contains(&data_type) {
            continue;
        }
        let dataset = store.get_dataset(status.latest_sync_id).await.unwrap();
        assert_eq!(
            dataset.status,
            commerce_store::DatasetStatus::Complete,
            "{data_type:?}: {:?}",
            dataset.error_message
        );
        records += dataset.records;
        pages += dataset.pages;
        let seconds = match (dataset.started, dataset.completed) {
            (Some(start), Some(end)) => (end - start).num_milliseconds() as f64 / 1000.0,
            _ => 0.0,
        };
        per_type.insert(
            data_type.key().to_owned(),
            format!("{}r/{seconds:.1}s", dataset.records),
        );
    }
    let stored: u64 = store
        .count_records(connection.id)
        .await
        .unwrap()
        .values()
        .sum();
    let peak = peak_rss_mib();
    if limited {
        let requests = sandbox.requests();
        let answered = requests.len();
        let limited_count = requests
            .iter()
            .filter(|request| request.status == Some(429))
            .count();
        let ok = answered - limited_count;
        let floor = ok as f64 / 25.0;
        println!(
            "limited engine={engine_name} size={size} requests_ok={ok} answered_429={limited_count} \
             ({:.2}%) wall={elapsed:.2}s floor={floor:.2}s ratio={:.3} records={records} pages={pages}",
            100.0 * limited_count as f64 / answered.max(1) as f64,
            elapsed / floor
        );
    } else {
        println!(
            "unlimited engine={engine_name} size={size} records={records} stored={stored} pages={pages} \
             wall={elapsed:.2}s records_per_s={:.0} peak_rss={peak:.1}MiB (before sync {rss_before:.1}MiB) \
             per_type={per_type:?}",
            records as f64 / elapsed
        );
    }
    store.close().await;
    cleanup(db).await;
}
