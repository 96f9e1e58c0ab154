//! `commerce unlink --connection ID`: unlinks a connection as the API's `PATCH` does, and says
//! whether access at Stripe was revoked (it is not while another connection shares the
//! account's grant, nor for a connection linked with the merchant's own API key).

use anyhow::Context as _;
use clap::Args;
use commerce_server::AppState;
use commerce_sync::SyncConfig;
use uuid::Uuid;

use crate::config::{self, Needs};
use commerce_cli::platforms::PlatformOptions;

/// `commerce unlink`.
#[derive(Debug, Args)]
pub(crate) struct UnlinkArgs {
    /// The connection to unlink.
    #[arg(long, value_name = "ID")]
    connection: Uuid,
}

pub(crate) async fn run(args: UnlinkArgs) -> anyhow::Result<()> {
    let config = config::load(Needs::Store)?;
    let engine = config::engine(&config, SyncConfig::default(), PlatformOptions::default()).await?;
    let store = engine.store().clone();
    let state = AppState::new(engine, config.api_keys.clone(), &config.public_url);
    let outcome = commerce_server::unlink_connection(&state, args.connection)
        .await
        .with_context(|| format!("unlinking connection {}", args.connection))?;
    store.close().await;
    let revoked = if outcome.platform_access_revoked {
        "access at the platform was revoked"
    } else {
        "access at the platform was not revoked (another linked connection shares the grant, the connection was linked with the merchant's own key, or it was not linked)"
    };
    crate::out(&format!(
        "connection {} is {}; {revoked}\n",
        args.connection,
        outcome.status.as_str()
    ));
    Ok(())
}
