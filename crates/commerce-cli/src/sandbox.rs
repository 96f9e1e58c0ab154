//! `commerce sandbox`: the fake Stripe (`stripe-sandbox`) standalone, for trying things by hand.
//! Prints one JSON line with its URL, keys, client ids and accounts, then serves until Ctrl-C.

use anyhow::Context as _;
use stripe_sandbox::{Sandbox, SandboxArgs};

/// Runs the sandbox with the same options as the `stripe-sandbox` binary.
pub(crate) async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let handle = Sandbox::start(args.into_config())
        .await
        .context("starting the sandbox")?;
    crate::say(&handle.info().to_json().to_string());
    commerce_server::shutdown_signal().await;
    handle.shutdown().await;
    Ok(())
}
