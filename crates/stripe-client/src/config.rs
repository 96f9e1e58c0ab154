//! Client configuration: the secret key and its mode, the API base URL, the pinned API version,
//! timeouts, user agent, rate and concurrency limits and the retry policy.
//!
//! Pure values: no I/O here except [`ClientConfigBuilder::api_base_from_env`], which reads one
//! environment variable.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::error::StripeError;
use crate::rate::{
    BudgetScope, RateSettings, SharedBudget, DEFAULT_ENDPOINT_RATE_LIMIT,
    DEFAULT_RATE_LIMIT_PATIENCE, MAX_RATE_LIMIT,
};

/// The Stripe API version sent as `Stripe-Version` on every request.
///
/// `2026-07-29.dahlia` is the newest generally available version in the stripe/openapi snapshot
/// whose example objects (`fixtures3.json`) the `stripe-wire` tests parse, and it belongs to the
/// same major release (dahlia) as the field lists `stripe-wire` was written from
/// (`2026-06-24.dahlia`); monthly releases within a major are backward compatible.
/// The next major (`2026-09-30.endive`) may break shapes and is not covered by those sources.
/// Pinning the header makes responses independent of the account's default version, which is
/// what typed deserialization needs.
pub const STRIPE_VERSION: &str = "2026-07-29.dahlia";

/// The default API base URL.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// The environment variable binaries read to override the API base URL (tests, local sandbox).
pub const API_BASE_ENV: &str = "STRIPE_API_BASE";

/// Whether a key reaches test (sandbox) data or live data. Chosen by the key alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `sk_test_` / `rk_test_` keys.
    Test,
    /// `sk_live_` / `rk_live_` keys.
    Live,
}

impl Mode {
    /// Stripe's documented global rate limit for this mode, in requests per second
    /// (25 in test mode, 100 in live mode).
    pub fn default_rate_limit(self) -> u32 {
        match self {
            Mode::Test => 25,
            Mode::Live => 100,
        }
    }

    /// `"test"` or `"live"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A validated Stripe secret (`sk_`) or restricted (`rk_`) key.
///
/// `Debug` shows only the mode and kind; the key itself is reachable only through
/// [`SecretKey::expose_secret`].
#[derive(Clone)]
pub struct SecretKey {
    secret: SecretString,
    mode: Mode,
    restricted: bool,
}

impl SecretKey {
    /// Validates a key: it must start with `sk_test_`, `rk_test_`, `sk_live_` or `rk_live_`
    /// followed by at least one ASCII letter, digit or underscore and nothing else.
    /// The error never contains the key.
    pub fn parse(secret: SecretString) -> Result<Self, StripeError> {
        let (mode, restricted, rest) = {
            let text = secret.expose_secret();
            let (mode, restricted, rest) = if let Some(rest) = text.strip_prefix("sk_test_") {
                (Mode::Test, false, rest)
            } else if let Some(rest) = text.strip_prefix("rk_test_") {
                (Mode::Test, true, rest)
            } else if let Some(rest) = text.strip_prefix("sk_live_") {
                (Mode::Live, false, rest)
            } else if let Some(rest) = text.strip_prefix("rk_live_") {
                (Mode::Live, true, rest)
            } else {
                return Err(StripeError::InvalidSecretKey {
                    reason: "unknown prefix: expected sk_test_, rk_test_, sk_live_ or rk_live_",
                });
            };
            (mode, restricted, rest.len())
        };
        if rest == 0 {
            return Err(StripeError::InvalidSecretKey {
                reason: "nothing after the prefix",
            });
        }
        let well_formed = secret
            .expose_secret()
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
        if !well_formed {
            return Err(StripeError::InvalidSecretKey {
                reason: "contains characters other than ASCII letters, digits and underscores",
            });
        }
        Ok(Self {
            secret,
            mode,
            restricted,
        })
    }

    /// Test or live, from the prefix.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether this is a restricted (`rk_`) key.
    pub fn is_restricted(&self) -> bool {
        self.restricted
    }

    /// The key itself. Only for building the `Authorization` header.
    pub fn expose_secret(&self) -> &str {
        self.secret.expose_secret()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("mode", &self.mode)
            .field("restricted", &self.restricted)
            .finish_non_exhaustive()
    }
}

/// How failed requests are retried: exponential backoff with full jitter, bounded both in
/// attempts and in total time.
///
/// The delay before retry `n` (1-based) is uniform in `[0, min(max_delay, base_delay * 2^(n-1))]`,
/// raised to `Retry-After` when Stripe sends one. No retry starts when its delay would end after
/// `max_elapsed` from the first attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Total attempts including the first (1 means no retries).
    pub max_attempts: u32,
    /// Upper bound on the time from the first attempt to the start of the last one.
    pub max_elapsed: Duration,
    /// The backoff cap for the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// The largest backoff cap.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts within 60 s, backoff caps 0.5 s, 1 s, 2 s, 4 s (capped at 5 s), as the
    /// official SDKs do.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            max_elapsed: Duration::from_secs(60),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the total number of attempts (at least 1).
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Sets the bound on total time spent retrying.
    pub fn with_max_elapsed(mut self, max_elapsed: Duration) -> Self {
        self.max_elapsed = max_elapsed;
        self
    }

    /// Sets the base and maximum backoff caps.
    pub fn with_backoff(mut self, base_delay: Duration, max_delay: Duration) -> Self {
        self.base_delay = base_delay;
        self.max_delay = max_delay.max(base_delay);
        self
    }
}

/// Everything a [`crate::StripeClient`] is built from. Make one with [`ClientConfig::builder`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub(crate) key: SecretKey,
    pub(crate) api_base: Url,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) user_agent: String,
    pub(crate) rate_limit: u32,
    pub(crate) endpoint_rate_limit: u32,
    pub(crate) max_concurrency: usize,
    pub(crate) budget_scope: BudgetScope,
    pub(crate) rate_limit_patience: Duration,
    pub(crate) shared_budget: Option<Arc<dyn SharedBudget>>,
    pub(crate) retry: RetryPolicy,
}

impl ClientConfig {
    /// Starts a configuration for a platform secret key (a `&str`, `String` or
    /// [`SecretString`]). The key is validated by [`ClientConfigBuilder::build`].
    pub fn builder(secret_key: impl Into<SecretString>) -> ClientConfigBuilder {
        ClientConfigBuilder {
            secret_key: secret_key.into(),
            api_base: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(80),
            user_agent: None,
            rate_limit: None,
            rate_limit_live: None,
            endpoint_rate_limit: DEFAULT_ENDPOINT_RATE_LIMIT,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            budget_scope: BudgetScope::Account,
            rate_limit_patience: DEFAULT_RATE_LIMIT_PATIENCE,
            shared_budget: None,
            retry: RetryPolicy::default(),
        }
    }

    /// The validated key's mode.
    pub fn mode(&self) -> Mode {
        self.key.mode()
    }

    /// The API base URL, e.g. `https://api.stripe.com`.
    pub fn api_base(&self) -> &Url {
        &self.api_base
    }

    /// Requests per second of each budget's setting (per account, or per platform key).
    pub fn rate_limit(&self) -> u32 {
        self.rate_limit
    }

    /// Requests per second of each endpoint within a budget.
    pub fn endpoint_rate_limit(&self) -> u32 {
        self.endpoint_rate_limit
    }

    /// What a budget is counted against.
    pub fn budget_scope(&self) -> BudgetScope {
        self.budget_scope
    }

    /// How long a rate limited request keeps being retried while no request of its budget
    /// succeeds.
    pub fn rate_limit_patience(&self) -> Duration {
        self.rate_limit_patience
    }

    /// Maximum requests in flight at once.
    pub fn max_concurrency(&self) -> usize {
        self.max_concurrency
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The `User-Agent` header value.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
}

/// The default cap on requests in flight at once, for one platform key.
pub const DEFAULT_MAX_CONCURRENCY: usize = 10;

/// Builder for [`ClientConfig`].
#[derive(Debug)]
pub struct ClientConfigBuilder {
    secret_key: SecretString,
    api_base: Option<String>,
    connect_timeout: Duration,
    request_timeout: Duration,
    user_agent: Option<String>,
    rate_limit: Option<u32>,
    rate_limit_live: Option<u32>,
    endpoint_rate_limit: u32,
    max_concurrency: usize,
    budget_scope: BudgetScope,
    rate_limit_patience: Duration,
    shared_budget: Option<Arc<dyn SharedBudget>>,
    retry: RetryPolicy,
}

impl ClientConfigBuilder {
    /// Overrides the API base URL (default [`DEFAULT_API_BASE`]); an `http` or `https` URL,
    /// optionally with a path prefix.
    pub fn api_base(mut self, api_base: impl Into<String>) -> Self {
        self.api_base = Some(api_base.into());
        self
    }

    /// Overrides the API base URL from the [`API_BASE_ENV`] (`STRIPE_API_BASE`) environment
    /// variable when it is set and not empty.
    pub fn api_base_from_env(self) -> Self {
        match std::env::var(API_BASE_ENV) {
            Ok(value) if !value.trim().is_empty() => self.api_base(value.trim()),
            _ => self,
        }
    }

    /// Time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt, from sending to the end of the body (default 80 s, as the
    /// official SDKs use).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Overrides the `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Overrides the client-side rate limit in requests per second (default: 25 for test keys,
    /// 100 for live keys).
    pub fn rate_limit(mut self, requests_per_second: u32) -> Self {
        self.rate_limit = Some(requests_per_second);
        self.rate_limit_live = None;
        self
    }

    /// Overrides the cap on requests in flight at once (default [`DEFAULT_MAX_CONCURRENCY`]).
    pub fn max_concurrency(mut self, max_concurrency: usize) -> Self {
        self.max_concurrency = max_concurrency;
        self
    }

    /// Overrides the limit of each endpoint within a budget, in requests per second
    /// (default [`DEFAULT_ENDPOINT_RATE_LIMIT`], Stripe's 25).
    pub fn endpoint_rate_limit(mut self, requests_per_second: u32) -> Self {
        self.endpoint_rate_limit = requests_per_second;
        self
    }

    /// Sets what a budget is counted against (default: each Stripe account).
    pub fn budget_scope(mut self, scope: BudgetScope) -> Self {
        self.budget_scope = scope;
        self
    }

    /// How long a rate limited request keeps being retried while no request of its budget
    /// succeeds (default 10 minutes). `Duration::ZERO` retries 429s only within the
    /// [`RetryPolicy`].
    pub fn rate_limit_patience(mut self, patience: Duration) -> Self {
        self.rate_limit_patience = patience;
        self
    }

    /// Applies integration settings: the rate of this key's mode, the endpoint rate, the
    /// concurrency cap, the scope and the patience.
    pub fn rate_settings(mut self, settings: &RateSettings) -> Self {
        self.rate_limit = Some(settings.test_rate_limit);
        self.rate_limit_live = Some(settings.live_rate_limit);
        self.endpoint_rate_limit = settings.endpoint_rate_limit;
        self.max_concurrency = settings.max_concurrency;
        self.budget_scope = settings.scope;
        self.rate_limit_patience = settings.patience;
        self
    }

    /// Shares the rate budgets with other processes through `budget` (e.g. on PostgreSQL).
    pub fn shared_budget(mut self, budget: Arc<dyn SharedBudget>) -> Self {
        self.shared_budget = Some(budget);
        self
    }

    /// Overrides the retry policy.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Validates everything and builds the configuration.
    pub fn build(self) -> Result<ClientConfig, StripeError> {
        let key = SecretKey::parse(self.secret_key)?;
        let api_base_text = self.api_base.as_deref().unwrap_or(DEFAULT_API_BASE);
        let api_base = Url::parse(api_base_text).map_err(|error| StripeError::InvalidConfig {
            field: "api_base",
            reason: format!("not a URL: {error}"),
        })?;
        if !matches!(api_base.scheme(), "http" | "https") || api_base.host().is_none() {
            return Err(StripeError::InvalidConfig {
                field: "api_base",
                reason: "must be an http or https URL with a host".to_owned(),
            });
        }
        if api_base.query().is_some() || api_base.fragment().is_some() {
            return Err(StripeError::InvalidConfig {
                field: "api_base",
                reason: "must not have a query or fragment".to_owned(),
            });
        }
        let rate_limit = match key.mode() {
            Mode::Live => self.rate_limit_live.or(self.rate_limit),
            Mode::Test => self.rate_limit,
        }
        .unwrap_or_else(|| key.mode().default_rate_limit());
        for (field, value) in [
            ("rate_limit", rate_limit),
            ("endpoint_rate_limit", self.endpoint_rate_limit),
        ] {
            if value == 0 || value > MAX_RATE_LIMIT {
                return Err(StripeError::InvalidConfig {
                    field,
                    reason: format!("must be from 1 to {MAX_RATE_LIMIT} requests per second"),
                });
            }
        }
        if self.max_concurrency == 0 {
            return Err(StripeError::InvalidConfig {
                field: "max_concurrency",
                reason: "must be at least 1".to_owned(),
            });
        }
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| concat!("stripe-client-rs/", env!("CARGO_PKG_VERSION")).to_owned());
        if reqwest::header::HeaderValue::from_str(&user_agent).is_err() {
            return Err(StripeError::InvalidConfig {
                field: "user_agent",
                reason: "not a valid header value".to_owned(),
            });
        }
        let mut retry = self.retry;
        retry.max_attempts = retry.max_attempts.max(1);
        Ok(ClientConfig {
            key,
            api_base,
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            user_agent,
            rate_limit,
            endpoint_rate_limit: self.endpoint_rate_limit,
            max_concurrency: self.max_concurrency,
            budget_scope: self.budget_scope,
            rate_limit_patience: self.rate_limit_patience,
            shared_budget: self.shared_budget,
            retry,
        })
    }
}
