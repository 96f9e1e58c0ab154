//! The API and the dashboard under load with 1,000,000 transactions in SQLite.
//!
//! Run: `cargo bench -p commerce-server --bench api_load` (release profile). Needs `wrk` on the
//! PATH (`apt-get install wrk`); without it the bench says so and stops.
//!
//! It creates an SQLite database with one company and one connection holding
//! `BENCH_RECORDS` (default 1,000,000) `commerce-transactions` records (payments with their fee
//! rows, refunds, payouts; GBP, USD, EUR and JPY; spread over the last 365 days), written
//! through `Store::upsert_records` in batches of 5,000, and prints the seeding time. Then it
//! serves the API on 127.0.0.1 (an ephemeral port) from this process and runs `wrk --latency`
//! against each route for `BENCH_SECONDS` (default 10) with `BENCH_CONNECTIONS` connections
//! (default 16) on `BENCH_THREADS` threads (default 1), after one checked request per route.
//! The baseline is `GET /health` in the same run.
//!
//! Optional: `BENCH_DB=/path/file.db` keeps the database there and reuses it when it already
//! holds the records (seeding is skipped); `BENCH_ONLY=name,name` runs only those phases.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{TimeZone as _, Utc};
use commerce_model::{
    DataType, Transaction, TransactionSourceRef, TransactionSourceType, TransactionType,
    COMPANY_INFO_RECORD_ID,
};
use commerce_server::{authorization_header, build_router, ApiKeys, AppState};
use commerce_store::{
    DatasetStatus, EncryptionKey, NewCompany, RecordInput, RecordQuery, Store, StoreConfig,
};
use commerce_sync::{PlatformRegistry, SyncConfig, SyncEngine};
use rust_decimal::Decimal;
use serde_json::json;

const API_KEY: &str = "bench-api-key-0123456789abcdef";
const BATCH: usize = 5_000;
const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator (SplitMix64), so every run seeds the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Transactions in the shapes the Stripe mapping produces: a payment and its fee row, now and
/// then a refund (with its fee refund) or a payout.
struct Generator {
    rng: Rng,
    next_id: u64,
    start: i64,
    span: i64,
    pending: Vec<Transaction>,
}

impl Generator {
    fn new() -> Generator {
        let end = Utc::now().timestamp();
        let span = 365 * 86_400;
        Generator {
            rng: Rng(42),
            next_id: 0,
            start: end - span,
            span,
            pending: Vec::new(),
        }
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_{:016x}{:08}", self.rng.next(), self.next_id)
    }

    fn timestamp(&mut self) -> commerce_model::Timestamp {
        let at = self.start + i64::try_from(self.rng.below(self.span as u64)).unwrap();
        let time = Utc.timestamp_opt(at, 0).unwrap();
        serde_json::from_value(json!(
            time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ))
        .unwrap()
    }

    fn transaction(
        &mut self,
        amount: Decimal,
        currency: &str,
        kind: TransactionType,
        sub_type: &str,
        source: (&str, TransactionSourceType),
        when: &commerce_model::Timestamp,
    ) -> Transaction {
        Transaction {
            id: self.id("txn"),
            total_amount: Some(amount),
            currency: Some(currency.to_owned()),
            transaction_type: Some(kind),
            sub_type: Some(sub_type.to_owned()),
            transaction_source_ref: Some(TransactionSourceRef {
                id: source.0.to_owned(),
                source_type: source.1,
            }),
            created_date: Some(*when),
            source_created_date: Some(*when),
            source_modified_date: Some(*when),
            ..Transaction::default()
        }
    }

    fn next(&mut self) -> Transaction {
        if let Some(transaction) = self.pending.pop() {
            return transaction;
        }
        let currency = match self.rng.below(10) {
            0..=3 => "GBP",
            4..=6 => "USD",
            7..=8 => "EUR",
            _ => "JPY",
        };
        let scale = if currency == "JPY" { 0 } else { 2 };
        let minor = 100 + self.rng.below(50_000);
        let amount = Decimal::new(i64::try_from(minor).unwrap(), scale);
        let fee = Decimal::new(i64::try_from(minor * 29 / 1000 + 20).unwrap(), scale);
        let when = self.timestamp();
        match self.rng.below(20) {
            0 => {
                let refund = self.id("re");
                let first = self.transaction(
                    -amount,
                    currency,
                    TransactionType::Refund,
                    "refund",
                    (&refund, TransactionSourceType::Payment),
                    &when,
                );
                let fee_back = self.transaction(
                    fee,
                    currency,
                    TransactionType::PaymentFeeRefund,
                    "stripe_fee",
                    (&refund, TransactionSourceType::Fee),
                    &when,
                );
                self.pending.push(fee_back);
                first
            }
            1 => {
                let payout = self.id("po");
                self.transaction(
                    -(amount * Decimal::from(20)),
                    currency,
                    TransactionType::Payout,
                    "payout",
                    (&payout, TransactionSourceType::Payment),
                    &when,
                )
            }
            _ => {
                let charge = self.id("ch");
                let payment = self.transaction(
                    amount,
                    currency,
                    TransactionType::Payment,
                    "charge",
                    (&charge, TransactionSourceType::Payment),
                    &when,
                );
                let fee_row = self.transaction(
                    -fee,
                    currency,
                    TransactionType::PaymentFee,
                    "stripe_fee",
                    (&charge, TransactionSourceType::Fee),
                    &when,
                );
                self.pending.push(fee_row);
                payment
            }
        }
    }
}

/// Marks `data_type` as pulled successfully (the read routes answer 409 until then).
async fn complete_pull(store: &Store, connection_id: uuid::Uuid, data_type: DataType) {
    let dataset = store.queue_dataset(connection_id, data_type).await.unwrap();
    let claimed = store
        .claim_next_dataset("bench", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, dataset.id);
    store
        .finish_dataset(dataset.id, "bench", DatasetStatus::Complete, None)
        .await
        .unwrap();
}

/// Seeds the database unless it already holds `total` transactions; returns the connection.
async fn seed(store: &Store, total: u64) -> (uuid::Uuid, uuid::Uuid) {
    let (companies, _) = store.list_companies(0, 1).await.unwrap();
    if let Some(company) = companies.first() {
        let connections = store.list_connections(company.id).await.unwrap();
        if let Some(connection) = connections.first() {
            let counts = store.count_records(connection.id).await.unwrap();
            if counts.get(&DataType::Transactions) == Some(&total) {
                println!("seed: reusing the database ({total} transactions already there)");
                return (company.id, connection.id);
            }
        }
        panic!("the database holds other data; remove it or point BENCH_DB elsewhere");
    }
    let company = store
        .create_company(&NewCompany::named("Bench Coffee Ltd"))
        .await
        .unwrap();
    let connection = store
        .create_connection(company.id, "stripe-test")
        .await
        .unwrap();
    store
        .upsert_records(
            connection.id,
            DataType::CompanyInfo,
            vec![RecordInput::new(
                COMPANY_INFO_RECORD_ID,
                json!({
                    "id": COMPANY_INFO_RECORD_ID,
                    "companyName": "Bench Coffee Ltd",
                    "baseCurrency": "GBP",
                    "commercePlatformRef": "acct_bench",
                    "accountBalances": [
                        {"currency": "GBP", "available": 1234.56, "pending": 78.9, "reserved": 0}
                    ]
                }),
            )],
        )
        .await
        .unwrap();

    let started = Instant::now();
    let mut generator = Generator::new();
    let mut build = Duration::ZERO;
    let mut written = 0u64;
    while written < total {
        let building = Instant::now();
        let size = usize::try_from((total - written).min(BATCH as u64)).unwrap();
        let batch: Vec<RecordInput> = (0..size)
            .map(|_| {
                let transaction = generator.next();
                RecordInput::new(
                    transaction.id.clone(),
                    serde_json::to_value(&transaction).unwrap(),
                )
            })
            .collect();
        build += building.elapsed();
        let summary = store
            .upsert_records(connection.id, DataType::Transactions, batch)
            .await
            .unwrap();
        assert_eq!(summary.changed, size as u64);
        written += size as u64;
        if written % 100_000 == 0 {
            println!(
                "seed: {written} transactions after {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    let elapsed = started.elapsed();
    println!(
        "seed: {total} transactions in {:.1} s ({:.0} records/s; {:.1} s of it building the JSON), batches of {BATCH}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        build.as_secs_f64()
    );
    complete_pull(store, connection.id, DataType::CompanyInfo).await;
    complete_pull(store, connection.id, DataType::Transactions).await;
    (company.id, connection.id)
}

#[derive(Debug, Default)]
struct WrkResult {
    requests_per_second: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    errors: String,
}

fn millis(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, factor) = if let Some(number) = text.strip_suffix("us") {
        (number, 0.001)
    } else if let Some(number) = text.strip_suffix("ms") {
        (number, 1.0)
    } else if let Some(number) = text.strip_suffix("m") {
        (number, 60_000.0)
    } else if let Some(number) = text.strip_suffix('s') {
        (number, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|value| value * factor)
}

fn parse_wrk(output: &str) -> WrkResult {
    let mut result = WrkResult::default();
    let mut errors = Vec::new();
    for line in output.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", rate] => result.requests_per_second = rate.parse().unwrap_or(0.0),
            ["50%", value] => result.p50_ms = millis(value).unwrap_or(f64::NAN),
            ["90%", value] => result.p90_ms = millis(value).unwrap_or(f64::NAN),
            ["99%", value] => result.p99_ms = millis(value).unwrap_or(f64::NAN),
            ["Latency", _avg, _stdev, max, ..] => result.max_ms = millis(max).unwrap_or(f64::NAN),
            _ if line.contains("Non-2xx") || line.contains("Socket errors") => {
                errors.push(line.trim().to_owned());
            }
            _ => {}
        }
    }
    result.errors = errors.join("; ");
    result
}

struct Phase {
    name: &'static str,
    path: String,
    /// Whether the page-of-100 targets apply.
    targeted: bool,
}

fn main() {
    let records = env_or("BENCH_RECORDS", 1_000_000);
    let seconds = env_or("BENCH_SECONDS", 10);
    let connections = env_or("BENCH_CONNECTIONS", 16);
    let threads = env_or("BENCH_THREADS", 1);
    let only: Option<Vec<String>> = std::env::var("BENCH_ONLY")
        .ok()
        .map(|only| only.split(',').map(str::to_owned).collect());

    if Command::new("wrk").arg("--version").output().is_err() {
        println!(
            "api_load: `wrk` was not found on the PATH; this bench drives the server with it. \
             Install it (Debian: `apt-get install wrk`) and run again. Nothing was measured."
        );
        return;
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(records, seconds, connections, threads, only));
}

async fn run(
    records: u64,
    seconds: u64,
    connections: u64,
    threads: u64,
    only: Option<Vec<String>>,
) {
    let (_temp, db_path) = match std::env::var("BENCH_DB") {
        Ok(path) => (None, PathBuf::from(path)),
        Err(_) => {
            let dir = std::env::temp_dir().join(format!("commerce-bench-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir).unwrap();
            (Some(TempDir(dir.clone())), dir.join("bench.db"))
        }
    };
    let url = format!("sqlite://{}", db_path.display());
    let store = Store::connect_with(
        &StoreConfig::new(url.as_str()),
        EncryptionKey::from_base64(KEY_B64).unwrap(),
    )
    .await
    .unwrap();
    let (company_id, connection_id) = seed(&store, records).await;

    let engine = SyncEngine::new(
        store.clone(),
        PlatformRegistry::new(),
        SyncConfig::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(engine, ApiKeys::new([API_KEY]), base.clone());
    tokio::spawn(async move {
        axum::serve(listener, build_router(state)).await.unwrap();
    });

    let data =
        format!("/companies/{company_id}/connections/{connection_id}/data/commerce-transactions");
    let deep_page = (records / 100 / 2).max(1);
    let phases = [
        Phase {
            name: "health",
            path: "/health".to_owned(),
            targeted: false,
        },
        Phase {
            name: "page",
            path: format!("{data}?page=1&pageSize=100"),
            targeted: true,
        },
        Phase {
            name: "query-amount",
            path: format!("{data}?page=1&pageSize=100&query=totalAmount%3E100"),
            targeted: true,
        },
        Phase {
            name: "query-currency",
            path: format!("{data}?page=1&pageSize=100&query=currency%3DEUR"),
            targeted: true,
        },
        Phase {
            name: "deep-page",
            path: format!("{data}?page={deep_page}&pageSize=100"),
            targeted: false,
        },
        Phase {
            name: "record",
            path: format!("{data}/{}", first_id(&store, connection_id).await),
            targeted: false,
        },
        Phase {
            name: "ui-companies",
            path: "/ui".to_owned(),
            targeted: false,
        },
        Phase {
            name: "ui-connection",
            path: format!("/ui/connections/{connection_id}"),
            targeted: false,
        },
        Phase {
            name: "ui-transactions",
            path: format!("/ui/connections/{connection_id}/transactions"),
            targeted: false,
        },
        Phase {
            name: "ui-transactions-query",
            path: format!(
                "/ui/connections/{connection_id}/transactions?query=currency%3DEUR&page=3"
            ),
            targeted: false,
        },
    ];
    let auth = authorization_header(API_KEY);
    let client = reqwest::Client::new();
    println!(
        "\nwrk: {connections} connections, {threads} thread(s), {seconds} s per phase, server in this process on {base}"
    );
    println!(
        "{:<22} {:>10} {:>9} {:>9} {:>9} {:>9} {:>8} {:>9}  notes",
        "phase", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "KiB", "first ms"
    );
    let mut baseline = None;
    for phase in &phases {
        if let Some(only) = &only {
            if phase.name != "health" && !only.iter().any(|name| name == phase.name) {
                continue;
            }
        }
        // One checked request first: the status, the size and the cold latency.
        let started = Instant::now();
        let response = client
            .get(format!("{base}{}", phase.path))
            .header("Authorization", &auth)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.bytes().await.unwrap();
        let first = started.elapsed();
        if !status.is_success() {
            println!(
                "{}: {} answered {status}, not measured: {}",
                phase.name,
                phase.path,
                String::from_utf8_lossy(&body)
            );
            continue;
        }
        if phase.path.contains("/data/") && phase.path.contains("page=") {
            let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(page["results"].as_array().map(Vec::len), Some(100));
            assert!(page["totalResults"].as_u64().unwrap() > 100);
        }

        let output = Command::new("wrk")
            .arg(format!("-t{threads}"))
            .arg(format!("-c{connections}"))
            .arg(format!("-d{seconds}s"))
            .arg("--latency")
            .arg("--timeout")
            .arg("30s")
            .arg("-H")
            .arg(format!("Authorization: {auth}"))
            .arg(format!("{base}{}", phase.path))
            .output()
            .expect("wrk runs");
        let text = String::from_utf8_lossy(&output.stdout);
        let result = parse_wrk(&text);
        if result.requests_per_second == 0.0 {
            println!(
                "{}: no request completed (first request took {:.1} ms); wrk said:\n{text}",
                phase.name,
                first.as_secs_f64() * 1000.0
            );
            continue;
        }
        let baseline_rate = *baseline.get_or_insert(result.requests_per_second);
        let mut notes = format!(
            "{:.3}x of /health",
            result.requests_per_second / baseline_rate
        );
        if phase.targeted {
            let met = result.p99_ms <= 20.0 && result.requests_per_second >= 2000.0;
            notes.push_str(if met {
                "; targets met"
            } else {
                "; TARGETS MISSED (p99 <= 20 ms, >= 2,000 req/s)"
            });
        }
        if !result.errors.is_empty() {
            notes.push_str(&format!("; {}", result.errors));
        }
        println!(
            "{:<22} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>8.1} {:>9.1}  {notes}",
            phase.name,
            result.requests_per_second,
            result.p50_ms,
            result.p90_ms,
            result.p99_ms,
            result.max_ms,
            body.len() as f64 / 1024.0,
            first.as_secs_f64() * 1000.0,
        );
    }
}

async fn first_id(store: &Store, connection_id: uuid::Uuid) -> String {
    let page = store
        .query_records(
            connection_id,
            DataType::Transactions,
            &RecordQuery::page(1, 1),
        )
        .await
        .unwrap();
    page.results[0]["id"].as_str().unwrap().to_owned()
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
