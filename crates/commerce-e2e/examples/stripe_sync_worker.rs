//! A sync worker process over the real `commerce_stripe::StripePlatform` ("Stripe Test"), for
//! the process-level end-to-end tests against `stripe-sandbox` (SIGKILL mid-sync, several
//! worker processes on one PostgreSQL). Not a user-facing tool.
//!
//! Configured by environment variables: `COMMERCE_SYNC_DB_URL`, `COMMERCE_ENCRYPTION_KEY`,
//! `SYNC_WORKER_NAME`, `SYNC_WORKERS`, `SYNC_LEASE_MS`, and the sandbox's `STRIPE_API_BASE`,
//! `STRIPE_CLIENT_ID` and `STRIPE_SECRET_KEY` (a test key).
//! Runs until no dataset is claimable and prints `finished <n> released <m>`.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use commerce_store::{EncryptionKey, Store};
use commerce_stripe::StripePlatform;
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
    let client = StripeClient::new(
        ClientConfig::builder(key)
            .api_base(base.as_str())
            .rate_limit(1000)
            .build()?,
    )?;
    let platform = StripePlatform::new(integration, client)?;
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
