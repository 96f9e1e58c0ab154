//! `commerce sandbox`: the fake Stripe (`stripe-sandbox`) standalone, for trying things by hand.
//! Prints one JSON line with its URL, keys, client ids and accounts, then serves until Ctrl-C.

use anyhow::Context as _;
use clap::Args;
use stripe_sandbox::{RateLimits, Sandbox, SandboxConfig};

/// Arguments of `commerce sandbox` (the same as the `stripe-sandbox` binary's).
#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
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
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=1_000_000))]
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
    #[arg(long = "redirect-uri", value_name = "URI")]
    redirect_uris: Vec<String>,
    /// POST signed webhook events to this URL.
    #[arg(long, value_name = "URL")]
    webhook_url: Option<String>,
}

pub(crate) async fn run(args: SandboxArgs) -> anyhow::Result<()> {
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
    crate::say(&handle.info().to_json().to_string());
    commerce_server::shutdown_signal().await;
    handle.shutdown().await;
    Ok(())
}
