//! Throughput of the sandbox: list pages of 100 charges per second on loopback.
//!
//! Run: `cargo bench -p stripe-sandbox --bench serve` (optional env: `BENCH_SECONDS`,
//! `BENCH_CLIENTS`, `BENCH_SIZE`). It starts a sandbox in-process, lets a few concurrent
//! reqwest clients page through `/v1/charges?limit=100` (walking forward with
//! `starting_after`, so pages come from every depth) for a fixed time, and prints pages/s
//! next to a same-run baseline: `GET /v1/account` (one small object) requests/s.
//! It measures twice: "cold", with the page cache off (every page generated and serialized),
//! and "warm", with the page cache on after one pass over the pages (a client re-reading
//! pages, as repeated sync benchmarks do).

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use stripe_sandbox::{RateLimits, Sandbox, SandboxConfig};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

async fn hammer(
    base: String,
    key: String,
    account: String,
    path: &'static str,
    page: bool,
    clients: u64,
    seconds: u64,
) -> (u64, u64) {
    let requests = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for client_index in 0..clients {
        let (base, key, account) = (base.clone(), key.clone(), account.clone());
        let (requests, bytes) = (requests.clone(), bytes.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut cursor: Option<String> = None;
            // Start each client at a different depth.
            let mut skip = client_index * 50;
            while Instant::now() < deadline {
                let url = match (&cursor, page) {
                    (Some(after), true) => format!("{base}{path}&starting_after={after}"),
                    _ => format!("{base}{path}"),
                };
                let body = http
                    .get(url)
                    .bearer_auth(&key)
                    .header("Stripe-Account", &account)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                requests.fetch_add(1, Ordering::Relaxed);
                bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                if page {
                    // Find the last id cheaply: the last `"id":"ch_...` in the body, which is
                    // in its last few KB (one charge is about 1.6 KB).
                    let tail = &body[body.len().saturating_sub(4096)..];
                    let marker = b"\"id\":\"ch_";
                    let last = tail
                        .windows(marker.len())
                        .rposition(|window| window == marker)
                        .map(|start| {
                            let rest = &tail[start + 6..];
                            let end = rest.iter().position(|byte| *byte == b'"').unwrap();
                            String::from_utf8(rest[..end].to_vec()).unwrap()
                        });
                    let has_more = body.ends_with(b"\"has_more\":true,\"url\":\"/v1/charges\"}");
                    cursor = if has_more && skip == 0 {
                        last
                    } else if has_more {
                        skip -= 1;
                        last
                    } else {
                        None
                    };
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    (
        requests.load(Ordering::Relaxed),
        bytes.load(Ordering::Relaxed),
    )
}

fn main() {
    let seconds = env_or("BENCH_SECONDS", 5);
    let clients = env_or("BENCH_CLIENTS", 4);
    let size = env_or("BENCH_SIZE", 100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let start = |cache: usize| async move {
            let mut config = SandboxConfig::default();
            config.size = size;
            config.accounts = 1;
            config.live_accounts = 0;
            config.start_time = Some(1_800_000_000);
            config.rate_limits = RateLimits::unlimited();
            config.request_log_capacity = 1000;
            config.page_cache_bytes = cache;
            let sandbox = Sandbox::start(config).await.unwrap();
            let info = sandbox.info();
            let key = info.test.secret_key.expose_secret().to_owned();
            let account = info.test_accounts()[0].to_owned();
            let base = sandbox.base_url().to_owned();
            (sandbox, base, key, account)
        };
        let (cold, base, key, account) = start(0).await;
        let (baseline, _) = hammer(base.clone(), key.clone(), account.clone(), "/v1/account", false, clients, seconds).await;
        let (cold_pages, cold_bytes) = hammer(base, key, account, "/v1/charges?limit=100", true, clients, seconds).await;
        cold.shutdown().await;

        let (warm, base, key, account) = start(512 << 20).await;
        // One pass over every page fills the cache.
        hammer(base.clone(), key.clone(), account.clone(), "/v1/charges?limit=100", true, 1, seconds.max(3)).await;
        let (warm_pages, warm_bytes) = hammer(base, key, account, "/v1/charges?limit=100", true, clients, seconds).await;
        warm.shutdown().await;

        let secs = seconds as f64;
        let baseline_rate = baseline as f64 / secs;
        println!("sandbox serve bench: {clients} clients, {seconds} s per phase, size {size}");
        println!("baseline GET /v1/account:        {baseline_rate:>9.0} req/s");
        for (name, pages, bytes) in [("cold", cold_pages, cold_bytes), ("warm", warm_pages, warm_bytes)] {
            let page_rate = pages as f64 / secs;
            println!(
                "{name} GET /v1/charges?limit=100:  {page_rate:>9.0} pages/s ({:.0} objects/s, {:.0} MB/s, {:.2}x baseline)",
                page_rate * 100.0,
                bytes as f64 / secs / 1e6,
                page_rate / baseline_rate
            );
        }
    });
}
