//! A process that uses one Stripe Apps OAuth connection from several tasks until the sandbox has
//! answered a number of refreshes, refreshing through the engine (one refresh per connection at
//! a time across processes, through the store), for the two-process test on PostgreSQL in
//! `tests/it/stripe_apps.rs`. Not a user-facing tool.
//!
//! Configured by environment variables: `COMMERCE_SYNC_DB_URL`, `COMMERCE_ENCRYPTION_KEY`,
//! `REFRESH_CONNECTION` (the connection's id), `REFRESH_TASKS`, `REFRESH_TARGET` (stop once
//! the sandbox counted this many refreshes), and the sandbox's `STRIPE_API_BASE`,
//! `STRIPE_CLIENT_ID`, `STRIPE_SECRET_KEY` and `STRIPE_APP_INSTALL_URL`. Prints `reads <n>`: the
//! successful reads of the account made by all tasks.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _};
use commerce_model::platform::{Platform, PlatformError};
use commerce_model::DataType;
use commerce_store::{EncryptionKey, Store};
use commerce_stripe::StripePlatform;
use commerce_sync::{PlatformRegistry, SyncConfig, SyncEngine};
use futures::StreamExt as _;
use secrecy::SecretString;
use stripe_client::{ClientConfig, StripeClient};
use stripe_connect::{Integration, Mode};

fn var(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("{name} is not set"))
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
    let client = StripeClient::new(ClientConfig::builder(key).api_base(base.as_str()).build()?)?;
    let platform = Arc::new(
        StripePlatform::new(integration, client)?
            .with_app_install_url(&var("STRIPE_APP_INSTALL_URL")?)?,
    );
    let engine = SyncEngine::new(
        store.clone(),
        PlatformRegistry::new().with(platform.clone()),
        SyncConfig::default(),
    );
    let connection_id = uuid::Uuid::parse_str(&var("REFRESH_CONNECTION")?)?;
    let target: u64 = var("REFRESH_TARGET")?.parse()?;
    let tasks: usize = var("REFRESH_TASKS")?.parse()?;
    let process = std::process::id();
    let mut handles = Vec::new();
    for task in 0..tasks {
        let (engine, store, platform, base) = (
            engine.clone(),
            store.clone(),
            platform.clone(),
            base.clone(),
        );
        let owner = format!("process-{process}-task-{task}");
        handles.push(tokio::spawn(async move {
            use_connection(
                &engine,
                &store,
                &platform,
                connection_id,
                &base,
                target,
                &owner,
            )
            .await
        }));
    }
    let mut reads = 0;
    for handle in handles {
        reads += handle.await??;
    }
    println!("reads {reads}");
    Ok(())
}

/// Reads the account's company info again and again, refreshing through the engine when the
/// platform says the token is about to expire or has, until the sandbox counted `target`
/// refreshes. Returns the successful reads.
async fn use_connection(
    engine: &SyncEngine,
    store: &Store,
    platform: &Arc<StripePlatform>,
    connection_id: uuid::Uuid,
    base: &str,
    target: u64,
    owner: &str,
) -> anyhow::Result<u64> {
    let mut reads = 0;
    loop {
        let info: serde_json::Value = reqwest::get(format!("{base}/_sandbox/info"))
            .await?
            .json()
            .await?;
        if info["oauth"]["app_refreshes"].as_u64().unwrap_or_default() >= target {
            return Ok(reads);
        }
        let Some(mut stored) = store.linked_account(connection_id).await? else {
            bail!("the connection has no linked account");
        };
        if platform.needs_refresh(&stored.account, chrono::Utc::now()) {
            stored = engine
                .refresh_credentials(connection_id, platform.as_ref(), &stored, owner)
                .await??;
        }
        let batch = platform
            .pull(&stored.account, DataType::CompanyInfo, None)
            .next()
            .await
            .context("the pull ended without a batch")?;
        match batch {
            Ok(_) => reads += 1,
            Err(PlatformError::AccessExpired { .. }) => {
                engine
                    .refresh_credentials(connection_id, platform.as_ref(), &stored, owner)
                    .await??;
            }
            Err(other) => bail!("{owner}: {other}"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
