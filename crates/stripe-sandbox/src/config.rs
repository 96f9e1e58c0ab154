//! How a sandbox is set up: seed, size, accounts, limits, OAuth and webhook options.
//! Plain data; depends on nothing else in the crate but the fault types.

use std::time::Duration;

use crate::faults::FaultRates;

/// Everything a sandbox needs to start. Build it with `SandboxConfig::default()` and set fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SandboxConfig {
    /// The port to listen on (127.0.0.1). `None` picks a free port.
    pub port: Option<u16>,
    /// The seed of every generated value, key and id: the same seed gives the same data.
    pub seed: u64,
    /// How many test-mode merchant accounts are connected to the platform.
    pub accounts: usize,
    /// How many live-mode merchant accounts are connected to the platform.
    pub live_accounts: usize,
    /// Objects per primary resource per account (customers, products, payment intents,
    /// payouts, events...); derived resources scale with it. 10 to 1,000,000.
    pub size: u64,
    /// The sandbox's "now" at start (unix seconds); generated history ends just before it.
    /// `None` uses the current time rounded down to the day, so data is stable within a day.
    pub start_time: Option<i64>,
    /// Request rate limits: global per mode and per endpoint, counted per account or per key.
    pub rate_limits: RateLimits,
    /// Serve an HTML consent page (Approve / Deny) from `/oauth/authorize` instead of
    /// approving at once.
    pub consent_page: bool,
    /// The redirect URIs registered for the platform. Empty accepts any `redirect_uri`.
    pub redirect_uris: Vec<String>,
    /// How long an OAuth authorization code can be exchanged (sandbox clock).
    pub code_ttl: Duration,
    /// How long a Stripe Apps OAuth access token works (the API then answers `401
    /// api_key_expired`). Stripe's is one hour.
    pub access_ttl: Duration,
    /// Where to POST signed webhook events, if anywhere.
    pub webhook_url: Option<String>,
    /// Random fault injection (deterministic under `seed`), off by default.
    pub fault_rates: FaultRates,
    /// How many requests the request log keeps (oldest dropped first).
    pub request_log_capacity: usize,
    /// Bytes of list pages kept to answer a repeated identical request without regenerating
    /// it (invalidated by any change to the account); 0 disables the cache.
    pub page_cache_bytes: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: None,
            seed: 7,
            accounts: 2,
            live_accounts: 1,
            size: 100,
            start_time: None,
            rate_limits: RateLimits::default(),
            consent_page: false,
            redirect_uris: Vec::new(),
            code_ttl: Duration::from_secs(300),
            access_ttl: Duration::from_secs(3600),
            webhook_url: None,
            fault_rates: FaultRates::default(),
            request_log_capacity: 100_000,
            page_cache_bytes: 128 << 20,
        }
    }
}

/// What a rate limit is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LimitScope {
    /// Per Stripe account, as Stripe documents it: the `Stripe-Account` named by the request,
    /// or the key's own account when there is none. Connected accounts have separate budgets.
    #[default]
    Account,
    /// Per API key: every connected account reached with one platform key shares one budget.
    Key,
}

/// Requests per second allowed, like Stripe's default limits: a global limit per mode and a
/// limit per endpoint (each named operation, e.g. `GET /v1/charges` or
/// `GET /v1/charges/{id}`), both counted per [`LimitScope`]. A request over a limit is answered
/// 429 with `Stripe-Rate-Limited-Reason: global-rate` or `endpoint-rate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimits {
    /// Global limit in test mode (`None`: unlimited). Stripe's default is 25.
    pub test_per_second: Option<u32>,
    /// Global limit in live mode (`None`: unlimited). Stripe's default is 100.
    pub live_per_second: Option<u32>,
    /// Limit of each endpoint, in both modes (`None`: unlimited). Stripe's default is 25.
    pub endpoint_per_second: Option<u32>,
    /// What the limits are counted against (per account by default).
    pub scope: LimitScope,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            test_per_second: Some(25),
            live_per_second: Some(100),
            endpoint_per_second: Some(25),
            scope: LimitScope::Account,
        }
    }
}

impl RateLimits {
    /// No rate limit at all (for benchmarks).
    pub fn unlimited() -> Self {
        Self {
            test_per_second: None,
            live_per_second: None,
            endpoint_per_second: None,
            scope: LimitScope::Account,
        }
    }

    /// The same global limit for both modes; the endpoint limit stays Stripe's 25/s.
    pub fn per_second(limit: u32) -> Self {
        Self {
            test_per_second: Some(limit),
            live_per_second: Some(limit),
            ..Self::default()
        }
    }

    /// Sets the endpoint limit (`None`: unlimited).
    pub fn with_endpoint_limit(mut self, limit: Option<u32>) -> Self {
        self.endpoint_per_second = limit;
        self
    }

    /// Sets what the limits are counted against.
    pub fn with_scope(mut self, scope: LimitScope) -> Self {
        self.scope = scope;
        self
    }
}
