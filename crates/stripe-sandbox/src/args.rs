//! The sandbox's command-line options, shared by the `stripe-sandbox` binary and
//! `commerce sandbox` (flattened with `#[command(flatten)]`), so both accept the same flags.

use clap::Args;

use crate::config::{LimitScope, RateLimits, SandboxConfig};

/// Command-line options of a standalone sandbox; [`SandboxArgs::into_config`] turns them into
/// a [`SandboxConfig`].
#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
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
    /// Show a consent page (Approve / Deny) on /oauth/authorize and the Stripe Apps install
    /// link instead of approving at once.
    #[arg(long)]
    consent: bool,
    /// Seconds a Stripe Apps OAuth access token works before the API answers
    /// `401 api_key_expired`.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    access_ttl: u64,
    /// Requests per second per test-mode account or key (0: unlimited).
    #[arg(long, default_value_t = 25)]
    test_rate_limit: u32,
    /// Requests per second per live-mode account or key (0: unlimited).
    #[arg(long, default_value_t = 100)]
    live_rate_limit: u32,
    /// Requests per second per endpoint of an account or key (0: unlimited).
    #[arg(long, default_value_t = 25)]
    endpoint_rate_limit: u32,
    /// What limits are counted against: each Stripe account, or each API key.
    #[arg(long, value_enum, default_value_t = ScopeArg::Account)]
    rate_limit_scope: ScopeArg,
    /// Registered OAuth redirect URI (repeatable); none accepts any.
    #[arg(long = "redirect-uri", value_name = "URI")]
    redirect_uris: Vec<String>,
    /// POST signed webhook events to this URL.
    #[arg(long, value_name = "URL")]
    webhook_url: Option<String>,
}

impl SandboxArgs {
    /// The sandbox configuration these options describe (a rate limit of 0 means none).
    pub fn into_config(self) -> SandboxConfig {
        SandboxConfig {
            port: Some(self.port),
            seed: self.seed,
            accounts: self.accounts,
            live_accounts: self.live_accounts,
            size: self.size,
            start_time: self.start_time,
            consent_page: self.consent,
            access_ttl: std::time::Duration::from_secs(self.access_ttl),
            redirect_uris: self.redirect_uris,
            webhook_url: self.webhook_url,
            rate_limits: RateLimits {
                test_per_second: (self.test_rate_limit > 0).then_some(self.test_rate_limit),
                live_per_second: (self.live_rate_limit > 0).then_some(self.live_rate_limit),
                endpoint_per_second: (self.endpoint_rate_limit > 0)
                    .then_some(self.endpoint_rate_limit),
                scope: match self.rate_limit_scope {
                    ScopeArg::Account => LimitScope::Account,
                    ScopeArg::Key => LimitScope::Key,
                },
            },
            ..SandboxConfig::default()
        }
    }
}

/// `--rate-limit-scope`: `account` (each Stripe account, as Stripe counts) or `key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ScopeArg {
    Account,
    Key,
}
