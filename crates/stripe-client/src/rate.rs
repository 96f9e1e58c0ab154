//! Rate budget settings and the hook for budgets shared between processes.
//!
//! - [`RateSettings`]: the typed rate settings of a Stripe integration (global limit per mode,
//!   endpoint limit, concurrency cap, what a budget is counted against, how long to keep
//!   retrying while rate limited), parsed and validated from named settings
//!   ([`RateSettings::from_lookup`]: `STRIPE_TEST_RATE_LIMIT` and friends).
//! - [`SharedBudget`]: reserves request slots in a store that several processes share (the
//!   commerce store implements one on PostgreSQL); without one, budgets live in this process.
//!
//! Pure values and one trait; no I/O.

use std::fmt;
use std::time::Duration;

use futures::future::BoxFuture;

use crate::config::{Mode, DEFAULT_MAX_CONCURRENCY};

/// What one request budget is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BudgetScope {
    /// One budget per Stripe account (the `Stripe-Account` a request acts for, or the platform
    /// itself): how Stripe documents its limits. The default.
    #[default]
    Account,
    /// One budget for every account reached with the platform key: for a platform whose
    /// traffic is limited as a whole.
    PlatformKey,
}

impl BudgetScope {
    /// `"account"` or `"platform"`, the values [`RateSettings::from_lookup`] accepts.
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetScope::Account => "account",
            BudgetScope::PlatformKey => "platform",
        }
    }
}

impl fmt::Display for BudgetScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The smallest rate setting accepted, in requests per second.
pub const MIN_RATE_LIMIT: u32 = 1;
/// The largest rate setting accepted, in requests per second (accounts with raised limits and
/// local fakes need large values).
pub const MAX_RATE_LIMIT: u32 = 1_000_000;
/// Stripe's documented limit of each endpoint, in requests per second.
pub const DEFAULT_ENDPOINT_RATE_LIMIT: u32 = 25;
/// How long requests keep being retried while rate limited and no request of the budget
/// succeeds, by default (10 minutes).
pub const DEFAULT_RATE_LIMIT_PATIENCE: Duration = Duration::from_secs(600);

/// The rate settings of a Stripe integration, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateSettings {
    /// Requests per second of a test-mode budget (`STRIPE_TEST_RATE_LIMIT`, default 25).
    pub test_rate_limit: u32,
    /// Requests per second of a live-mode budget (`STRIPE_LIVE_RATE_LIMIT`, default 100).
    pub live_rate_limit: u32,
    /// Requests per second of each endpoint within a budget (`STRIPE_ENDPOINT_RATE_LIMIT`,
    /// default 25).
    pub endpoint_rate_limit: u32,
    /// Requests in flight at once per process and key (`STRIPE_MAX_CONCURRENCY`, default 10).
    pub max_concurrency: usize,
    /// What a budget is counted against (`STRIPE_RATE_LIMIT_SCOPE`: `account`, the default,
    /// or `platform`).
    pub scope: BudgetScope,
    /// How long a request keeps being retried while rate limited when no request of its budget
    /// succeeds (`STRIPE_RATE_LIMIT_PATIENCE_SECS`, default 600).
    pub patience: Duration,
}

impl Default for RateSettings {
    fn default() -> Self {
        Self {
            test_rate_limit: Mode::Test.default_rate_limit(),
            live_rate_limit: Mode::Live.default_rate_limit(),
            endpoint_rate_limit: DEFAULT_ENDPOINT_RATE_LIMIT,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            scope: BudgetScope::Account,
            patience: DEFAULT_RATE_LIMIT_PATIENCE,
        }
    }
}

impl RateSettings {
    /// `STRIPE_TEST_RATE_LIMIT`.
    pub const TEST_RATE_LIMIT: &'static str = "STRIPE_TEST_RATE_LIMIT";
    /// `STRIPE_LIVE_RATE_LIMIT`.
    pub const LIVE_RATE_LIMIT: &'static str = "STRIPE_LIVE_RATE_LIMIT";
    /// `STRIPE_ENDPOINT_RATE_LIMIT`.
    pub const ENDPOINT_RATE_LIMIT: &'static str = "STRIPE_ENDPOINT_RATE_LIMIT";
    /// `STRIPE_MAX_CONCURRENCY`.
    pub const MAX_CONCURRENCY: &'static str = "STRIPE_MAX_CONCURRENCY";
    /// `STRIPE_RATE_LIMIT_SCOPE`.
    pub const SCOPE: &'static str = "STRIPE_RATE_LIMIT_SCOPE";
    /// `STRIPE_RATE_LIMIT_PATIENCE_SECS`.
    pub const PATIENCE_SECS: &'static str = "STRIPE_RATE_LIMIT_PATIENCE_SECS";
    /// Every setting name, for the configuration layer to read.
    pub const NAMES: [&'static str; 6] = [
        Self::TEST_RATE_LIMIT,
        Self::LIVE_RATE_LIMIT,
        Self::ENDPOINT_RATE_LIMIT,
        Self::MAX_CONCURRENCY,
        Self::SCOPE,
        Self::PATIENCE_SECS,
    ];

    /// Parses the settings `lookup` finds by name (unset ones keep their defaults). Every
    /// problem is reported, one line each naming the setting.
    pub fn from_lookup<'a>(lookup: impl Fn(&str) -> Option<&'a str>) -> Result<Self, Vec<String>> {
        let mut problems = Vec::new();
        let mut settings = Self::default();
        let mut rate = |name: &str, target: &mut u32| {
            if let Some(text) = lookup(name) {
                match text.trim().parse::<u32>() {
                    Ok(value) if (MIN_RATE_LIMIT..=MAX_RATE_LIMIT).contains(&value) => {
                        *target = value;
                    }
                    _ => problems.push(format!(
                        "{name} must be a whole number of requests per second from {MIN_RATE_LIMIT} to {MAX_RATE_LIMIT}, got {text:?}"
                    )),
                }
            }
        };
        rate(Self::TEST_RATE_LIMIT, &mut settings.test_rate_limit);
        rate(Self::LIVE_RATE_LIMIT, &mut settings.live_rate_limit);
        rate(Self::ENDPOINT_RATE_LIMIT, &mut settings.endpoint_rate_limit);
        if let Some(text) = lookup(Self::MAX_CONCURRENCY) {
            match text.trim().parse::<usize>() {
                Ok(value) if (1..=10_000).contains(&value) => settings.max_concurrency = value,
                _ => problems.push(format!(
                    "{} must be a whole number from 1 to 10000, got {text:?}",
                    Self::MAX_CONCURRENCY
                )),
            }
        }
        if let Some(text) = lookup(Self::SCOPE) {
            match text.trim() {
                "account" => settings.scope = BudgetScope::Account,
                "platform" => settings.scope = BudgetScope::PlatformKey,
                _ => problems.push(format!(
                    "{} must be account or platform, got {text:?}",
                    Self::SCOPE
                )),
            }
        }
        if let Some(text) = lookup(Self::PATIENCE_SECS) {
            match text.trim().parse::<u64>() {
                Ok(value) if value <= 7 * 24 * 3600 => {
                    settings.patience = Duration::from_secs(value);
                }
                _ => problems.push(format!(
                    "{} must be a whole number of seconds up to 604800, got {text:?}",
                    Self::PATIENCE_SECS
                )),
            }
        }
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(problems)
        }
    }

    /// The global requests per second of a budget in `mode`.
    pub fn rate_limit(&self, mode: Mode) -> u32 {
        match mode {
            Mode::Test => self.test_rate_limit,
            Mode::Live => self.live_rate_limit,
        }
    }

    /// The settings as `(name, value)` pairs, for status displays.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        vec![
            (Self::TEST_RATE_LIMIT, format!("{}/s", self.test_rate_limit)),
            (Self::LIVE_RATE_LIMIT, format!("{}/s", self.live_rate_limit)),
            (
                Self::ENDPOINT_RATE_LIMIT,
                format!("{}/s", self.endpoint_rate_limit),
            ),
            (Self::MAX_CONCURRENCY, self.max_concurrency.to_string()),
            (Self::SCOPE, self.scope.as_str().to_owned()),
            (Self::PATIENCE_SECS, self.patience.as_secs().to_string()),
        ]
    }
}

/// Why a [`SharedBudget`] could not reserve (the client then limits in this process alone).
pub type SharedBudgetError = Box<dyn std::error::Error + Send + Sync>;

/// Request slots reserved in a store shared by every process using the same budget names.
///
/// A budget is a timeline of slots `interval` apart (a generic cell rate algorithm): a
/// reservation of `slots` starts at the later of the budget's next free slot and now, and
/// moves the next free slot `slots * interval` on. Time is the store's clock, so processes
/// with skewed clocks still interleave correctly.
pub trait SharedBudget: Send + Sync + fmt::Debug {
    /// Reserves `slots` consecutive slots `interval` apart in budget `name`; answers how long
    /// from now the first slot starts.
    fn reserve<'a>(
        &'a self,
        name: &'a str,
        slots: u32,
        interval: Duration,
    ) -> BoxFuture<'a, Result<Duration, SharedBudgetError>>;
}
