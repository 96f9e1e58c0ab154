//! A sync worker process over the real `commerce_stripe::StripePlatform` ("Stripe Test"), for
//! the process-level end-to-end tests against `stripe-sandbox` (SIGKILL mid-sync, several
//! worker processes on one PostgreSQL). Not a user-facing tool.
//!
//! Configured by environment variables: `COMMERCE_SYNC_DB_URL`, `COMMERCE_ENCRYPTION_KEY`,
//! `SYNC_WORKER_NAME`, `SYNC_WORKERS`, `SYNC_LEASE_MS` (optional: the engine's default lease
//! when unset), and the sandbox's `STRIPE_API_BASE`, `STRIPE_CLIENT_ID` and
//! `STRIPE_SECRET_KEY` (a test key); `STRIPE_TEST_RATE_LIMIT` and `STRIPE_ENDPOINT_RATE_LIMIT`
//! (default 1000 each) set the client's budgets, which are shared through the database on
//! PostgreSQL, as `commerce worker` shares them.
//! Runs until no dataset is claimable (with `SYNC_WAIT_FOR_DATASET=<id>`: until that dataset is
//! no longer in progress, polling for it while another process holds it) and prints
//! `finished <n> released <m>`.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use commerce_store::{EncryptionKey, Store};
use commerce_stripe::{SharedBudgetAdapter, StripePlatform};
use commerce_sync::{DatasetOutcome, PlatformRegistry, SyncConfig, SyncEngine};
use secrecy::SecretString;
use stripe_client::{ClientConfig, StripeClient};
use stripe_connect::{Integration, Mode};

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
    let base = var("STRIPE_API_BASE")?;
    let key = SecretString::from(var("STRIPE_SECRET_KEY")?);
    let integration = Integration::builder(
        Mode::Test,
        var("STRIPE_CLIENT_ID")?,
        key.clone(),
        "http://127.0.0.1:9/oauth/stripe/callback",
    )
    .connect_base(base.as_str())
    .build()?;
    let rate = |name: &str| -> anyhow::Result<u32> {
        match std::env::var(name) {
            Ok(text) => text
                .parse()
                .with_context(|| format!("{name} is not a number")),
            Err(_) => Ok(1000),
        }
    };
    let mut client = ClientConfig::builder(key)
        .api_base(base.as_str())
        .rate_limit(rate("STRIPE_TEST_RATE_LIMIT")?)
        .endpoint_rate_limit(rate("STRIPE_ENDPOINT_RATE_LIMIT")?);
    if let Some(budgets) = store.shared_rate_budgets() {
        client = client.shared_budget(Arc::new(SharedBudgetAdapter::new(Arc::new(budgets))));
    }
    let client = StripeClient::new(client.build()?)?;
    let mut platform = StripePlatform::new(integration, client)?;
    // Tests of takeover timing pace the pull as one sequence per list (no segments).
    if let Ok(segments) = std::env::var("SYNC_BACKFILL_SEGMENTS") {
        platform = platform.with_backfill_segments(segments.parse()?);
    }
    let mut config = SyncConfig::default()
        .with_worker_name(var("SYNC_WORKER_NAME")?)
        .with_workers(usize::try_from(number("SYNC_WORKERS")?)?)
        .with_poll_interval(Duration::from_millis(20));
    if std::env::var("SYNC_LEASE_MS").is_ok() {
        config = config.with_lease(Duration::from_millis(number("SYNC_LEASE_MS")?));
    }
    let wait_for = match std::env::var("SYNC_WAIT_FOR_DATASET") {
        Ok(id) => Some(uuid::Uuid::parse_str(&id).context("SYNC_WAIT_FOR_DATASET")?),
        Err(_) => None,
    };
    let engine = SyncEngine::new(
        store.clone(),
        PlatformRegistry::new().with(Arc::new(platform)),
        config,
    );
    let mut outcomes = Vec::new();
    loop {
        outcomes.extend(engine.run_until_idle().await?.outcomes);
        let Some(id) = wait_for else { break };
        if !store.get_dataset(id).await?.status.is_in_progress() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let finished = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, DatasetOutcome::Finished { .. }))
        .count();
    println!("finished {finished} released {}", outcomes.len() - finished);
    Ok(())
}
