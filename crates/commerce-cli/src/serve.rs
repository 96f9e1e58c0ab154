//! `commerce serve` (the HTTP server and sync workers), `commerce worker` (sync workers only,
//! for more processes on one PostgreSQL database) and `commerce migrate`.

use anyhow::Context as _;
use clap::Args;
use commerce_sync::SyncConfig;

use crate::config::{self, Needs};
use crate::say;
use commerce_cli::platforms::PlatformOptions;

/// Sync worker settings shared by `serve` and `worker`.
#[derive(Debug, Args)]
pub(crate) struct WorkerArgs {
    /// How many datasets this process pulls at the same time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: u16,
}

impl WorkerArgs {
    fn sync_config(&self) -> SyncConfig {
        SyncConfig::default().with_workers(usize::from(self.workers))
    }
}

/// Arguments of `commerce serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    worker: WorkerArgs,
}

/// Arguments of `commerce worker`.
#[derive(Debug, Args)]
pub(crate) struct WorkerOnlyArgs {
    #[command(flatten)]
    worker: WorkerArgs,
}

pub(crate) async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = config::load(Needs::Api)?;
    let engine = config::engine(
        &config,
        args.worker.sync_config(),
        PlatformOptions::default(),
    )
    .await?;
    let enabled: Vec<String> = engine
        .registry()
        .platforms()
        .map(|platform| platform.key().as_str().to_owned())
        .collect();
    if enabled.is_empty() {
        tracing::warn!(
            "no integration is enabled: set STRIPE_TEST_CLIENT_ID and STRIPE_TEST_SECRET_KEY (or the STRIPE_LIVE_ pair)"
        );
    }
    say(&format!(
        "commerce serve: listening on {} (public URL {}), integrations: {}, {} sync workers",
        config.bind,
        config.public_url,
        if enabled.is_empty() {
            "none".to_owned()
        } else {
            enabled.join(", ")
        },
        args.worker.workers
    ));
    commerce_server::serve(&config, engine, commerce_server::shutdown_signal())
        .await
        .context("the server stopped")?;
    Ok(())
}

pub(crate) async fn worker(args: WorkerOnlyArgs) -> anyhow::Result<()> {
    let config = config::load(Needs::Store)?;
    let engine = config::engine(
        &config,
        args.worker.sync_config(),
        PlatformOptions::default(),
    )
    .await?;
    say(&format!(
        "commerce worker: {} sync workers ({}), until Ctrl-C",
        args.worker.workers,
        engine.config().worker_name
    ));
    engine
        .run(commerce_server::shutdown_signal())
        .await
        .context("the sync workers stopped")?;
    Ok(())
}

pub(crate) async fn migrate() -> anyhow::Result<()> {
    let config = config::load(Needs::Store)?;
    let store = config::open_store(&config).await?;
    store.migrate().await.context("running the migrations")?;
    store.close().await;
    say("commerce migrate: the database schema is up to date");
    Ok(())
}
