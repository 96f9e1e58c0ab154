//! The standalone sandbox: `stripe-sandbox --port 12111 --seed 7 --accounts 2 --size 1000`.
//! Prints one JSON line with what a client needs, then serves until Ctrl-C.

#![allow(clippy::print_stdout)]

use anyhow::Context as _;
use clap::Parser;
use stripe_sandbox::{Sandbox, SandboxArgs};

/// A local fake of the Stripe API and Connect OAuth, with seeded merchant data.
#[derive(Debug, Parser)]
#[command(name = "stripe-sandbox", version, about)]
struct Args {
    #[command(flatten)]
    sandbox: SandboxArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let handle = Sandbox::start(args.sandbox.into_config())
        .await
        .context("starting the sandbox")?;
    println!("{}", handle.info().to_json());
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    handle.shutdown().await;
    Ok(())
}
