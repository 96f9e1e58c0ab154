//! The standalone sandbox: `stripe-sandbox --port 12111 --seed 7 --accounts 2 --size 1000`.
//! Prints one JSON line with what a client needs, then serves until Ctrl-C.

#![allow(clippy::print_stdout)]

use anyhow::Context as _;
use clap::Parser;
use stripe_sandbox::{RateLimits, Sandbox, SandboxConfig};

/// A local fake of the Stripe API and Connect OAuth, with seeded merchant data.
#[derive(Debug, Parser)]
#[command(name = "stripe-sandbox", version, about)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 12111)]
    port: u16,
    /// Seed of all generated data, keys and ids.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Number of test-mode merchant accounts.
    #[arg(long, default_value_t = 2)]
    accounts: usize,
    /// Number of live-mode merchant accounts.
    #[arg(long, default_value_t = 1)]
    live_accounts: usize,
    /// Objects per resource per account (10 to 1,000,000).
    #[arg(long, default_value_t = 1000)]
    size: u64,
    /// The sandbox's "now" at start (unix seconds); default: today 00:00 UTC.
    #[arg(long)]
    start_time: Option<i64>,
    /// Show a consent page (Approve / Deny) on /oauth/authorize instead of approving at once.
    #[arg(long)]
    consent: bool,
    /// Requests per second per test key (0: unlimited).
    #[arg(long, default_value_t = 25)]
    test_rate_limit: u32,
    /// Requests per second per live key (0: unlimited).
    #[arg(long, default_value_t = 100)]
    live_rate_limit: u32,
    /// Registered OAuth redirect URI (repeatable); none accepts any.
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// POST signed webhook events to this URL.
    #[arg(long)]
    webhook_url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut config = SandboxConfig::default();
    config.port = Some(args.port);
    config.seed = args.seed;
    config.accounts = args.accounts;
    config.live_accounts = args.live_accounts;
    config.size = args.size;
    config.start_time = args.start_time;
    config.consent_page = args.consent;
    config.redirect_uris = args.redirect_uris;
    config.webhook_url = args.webhook_url;
    config.rate_limits = RateLimits::default();
    config.rate_limits.test_per_second = (args.test_rate_limit > 0).then_some(args.test_rate_limit);
    config.rate_limits.live_per_second = (args.live_rate_limit > 0).then_some(args.live_rate_limit);
    let handle = Sandbox::start(config)
        .await
        .context("starting the sandbox")?;
    println!("{}", handle.info().to_json());
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    handle.shutdown().await;
    Ok(())
}
