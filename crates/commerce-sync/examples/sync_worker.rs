//! A sync worker process over the test suite's fake platform, for the process-level tests
//! (SIGKILL mid-sync, several worker processes on one PostgreSQL). Not a user-facing tool.
//!
//! Configured by environment variables:
//! `COMMERCE_SYNC_DB_URL`, `COMMERCE_ENCRYPTION_KEY`, `SYNC_WORKER_NAME`, `SYNC_WORKERS`,
//! `SYNC_LEASE_MS`, `SYNC_PAGE_SIZE`, `SYNC_PAGE_DELAY_MS`, `SYNC_ACCOUNTS` (comma-separated),
//! `SYNC_RECORDS` (per supported data type and account), `SYNC_LOG_FILE` (pages served).
//! Runs until no dataset is claimable and prints `finished <n> released <m>`.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use commerce_testkit::paged as fake;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use commerce_store::{EncryptionKey, Store};
use commerce_sync::{DatasetOutcome, PlatformRegistry, SyncConfig, SyncEngine};

fn var(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("{name} is not set"))
}

fn number(name: &str) -> anyhow::Result<u64> {
    var(name)?
        .parse()
        .with_context(|| format!("{name} is not a number"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let store = Store::connect(&var("COMMERCE_SYNC_DB_URL")?, EncryptionKey::from_env()?).await?;
    let mut platform = fake::FakePlatform::new(usize::try_from(number("SYNC_PAGE_SIZE")?)?)
        .with_page_delay(Duration::from_millis(number("SYNC_PAGE_DELAY_MS")?))
        .with_log_file(var("SYNC_LOG_FILE")?.into());
    let records = usize::try_from(number("SYNC_RECORDS")?)?;
    for account in var("SYNC_ACCOUNTS")?.split(',') {
        for data_type in fake::SUPPORTED {
            platform.seed(account, data_type, records);
        }
    }
    platform = platform.with_supports(&fake::SUPPORTED);
    let config = SyncConfig::default()
        .with_worker_name(var("SYNC_WORKER_NAME")?)
        .with_workers(usize::try_from(number("SYNC_WORKERS")?)?)
        .with_lease(Duration::from_millis(number("SYNC_LEASE_MS")?))
        .with_poll_interval(Duration::from_millis(20));
    let engine = SyncEngine::new(
        store,
        PlatformRegistry::new().with(Arc::new(platform)),
        config,
    );
    let summary = engine.run_until_idle().await?;
    let finished = summary
        .outcomes
        .iter()
        .filter(|outcome| matches!(outcome, DatasetOutcome::Finished { .. }))
        .count();
    println!(
        "finished {finished} released {}",
        summary.outcomes.len() - finished
    );
    Ok(())
}
