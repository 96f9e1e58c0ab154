//! Client-side request budgets, shared by every clone of a [`crate::StripeClient`]: a
//! concurrency cap per client, and per scope (a Stripe account, or the whole platform key) a
//! global rate budget plus one rate budget per endpoint.
//!
//! Each budget spaces its requests evenly (no bursts: Stripe counts requests per second and a
//! burst at the start of a second is what trips its limiter) and adapts to 429s: a rate limit
//! answer shrinks the budget that was hit (multiplicative decrease, once per round of
//! requests), and every success grows it back by a small step up to its setting (additive
//! increase). With a [`SharedBudget`], the global budgets' slots are reserved in a store that
//! several processes share, one round trip for all of this process's requests waiting on the
//! budget at that moment; endpoint budgets, and every budget without a store, live in this
//! process.
//!
//! Time comes from `tokio::time`, so tests can run it under paused time. No HTTP here.

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

use crate::rate::{BudgetScope, SharedBudget};

/// A rate limit answer shrinks the budget hit to this share of its rate.
pub(crate) const DECREASE_FACTOR: f64 = 0.7;
/// After a decrease, this many successes bring the rate back to where it was cut.
pub(crate) const SUCCESSES_TO_RECOVER: f64 = 200.0;
/// The lowest rate a budget shrinks to, in requests per second.
pub(crate) const MIN_RATE: f64 = 0.2;
/// Shared budgets space slots this much wider than the rate (2%), so that jitter between
/// processes does not push a second over the limit.
pub(crate) const SHARED_HEADROOM: f64 = 1.02;
/// The most slots reserved per round trip to the store.
pub(crate) const SHARED_BATCH_MAX: u32 = 50;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The named operation a request counts against: the path with object ids replaced by `{id}`
/// (`/v1/charges/ch_1` is `/v1/charges/{id}`), as Stripe counts endpoint limits.
pub(crate) fn endpoint_name(path: &str) -> String {
    let mut name = String::with_capacity(path.len() + 4);
    name.push_str("GET ");
    for (index, segment) in path.split('/').enumerate() {
        if index > 0 {
            name.push('/');
        }
        if index > 2 && segment.contains('_') {
            name.push_str("{id}");
        } else {
            name.push_str(segment);
        }
    }
    name
}

/// Which budget a rate limit answer names (`Stripe-Rate-Limited-Reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LimitHit {
    /// The account's (or platform's) global budget: `global-rate`, `global-concurrency`, and
    /// any 429 without a known reason (the conservative choice, which also relieves an
    /// endpoint limit).
    Global,
    /// The endpoint's budget: `endpoint-rate`, `endpoint-concurrency`, `resource-specific`.
    Endpoint,
}

impl LimitHit {
    pub(crate) fn from_reason(reason: Option<&str>) -> Self {
        match reason.map(str::trim) {
            Some("endpoint-rate" | "endpoint-concurrency" | "resource-specific") => {
                LimitHit::Endpoint
            }
            _ => LimitHit::Global,
        }
    }
}

#[derive(Debug)]
struct BucketState {
    /// The configured rate.
    setting: f64,
    /// The current rate.
    rate: f64,
    /// The additive increase per success.
    step: f64,
    /// Bumped by every decrease: a 429 for a request sent before the latest decrease does not
    /// shrink the budget again.
    epoch: u64,
    /// The next free slot (local), or the next reserved slot (shared).
    next_slot: Option<Instant>,
    /// Shared budgets: reserved slots left, and their spacing.
    reserved: u32,
    reserved_interval: Duration,
    /// The last success of a request that went through this budget.
    last_success: Option<Instant>,
}

/// One rate budget (a scope's global budget, or one endpoint's).
#[derive(Debug)]
pub(crate) struct Bucket {
    name: String,
    shared: Option<Arc<dyn SharedBudget>>,
    state: Mutex<BucketState>,
    refill: tokio::sync::Mutex<()>,
    /// Requests of this process waiting for a slot of this (shared) budget.
    waiting: AtomicU32,
}

/// Counts a waiter of a shared budget while it waits.
struct Waiting<'a>(&'a AtomicU32);

impl<'a> Waiting<'a> {
    fn new(counter: &'a AtomicU32) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Self(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn interval(rate: f64) -> Duration {
    Duration::from_secs_f64(1.0 / rate.max(MIN_RATE))
}

impl Bucket {
    pub(crate) fn new(name: String, setting: u32, shared: Option<Arc<dyn SharedBudget>>) -> Self {
        let setting = f64::from(setting.max(1));
        Self {
            name,
            shared,
            state: Mutex::new(BucketState {
                setting,
                rate: setting,
                step: setting * (1.0 - DECREASE_FACTOR) / SUCCESSES_TO_RECOVER,
                epoch: 0,
                next_slot: None,
                reserved: 0,
                reserved_interval: Duration::ZERO,
                last_success: None,
            }),
            refill: tokio::sync::Mutex::new(()),
            waiting: AtomicU32::new(0),
        }
    }

    /// The current rate, in requests per second.
    #[cfg(test)]
    pub(crate) fn rate(&self) -> f64 {
        lock(&self.state).rate
    }

    #[cfg(test)]
    pub(crate) fn epoch(&self) -> u64 {
        lock(&self.state).epoch
    }

    /// The last success through this budget, if any.
    pub(crate) fn last_success(&self) -> Option<Instant> {
        lock(&self.state).last_success
    }

    /// Waits for this budget's next slot; returns the epoch it was taken in.
    pub(crate) async fn take(&self) -> u64 {
        let Some(shared) = &self.shared else {
            let (slot, epoch) = self.local_slot();
            tokio::time::sleep_until(slot).await;
            return epoch;
        };
        let waiting = Waiting::new(&self.waiting);
        loop {
            if let Some((slot, epoch)) = self.reserved_slot() {
                drop(waiting);
                tokio::time::sleep_until(slot).await;
                return epoch;
            }
            let _refilling = self.refill.lock().await;
            if lock(&self.state).reserved > 0 {
                continue;
            }
            // One slot for every request of this process waiting on this budget: a slot
            // reserved for nobody would be lost to every process.
            let slots = self
                .waiting
                .load(Ordering::SeqCst)
                .clamp(1, SHARED_BATCH_MAX);
            let spacing = interval(lock(&self.state).rate).mul_f64(SHARED_HEADROOM);
            match shared.reserve(&self.name, slots, spacing).await {
                Ok(wait) => {
                    let mut state = lock(&self.state);
                    state.next_slot = Some(Instant::now() + wait);
                    state.reserved = slots;
                    state.reserved_interval = spacing;
                }
                Err(error) => {
                    tracing::warn!(budget = %self.name, error = %error,
                        "shared rate budget unavailable; limiting in this process alone");
                    let (slot, epoch) = self.local_slot();
                    drop(_refilling);
                    drop(waiting);
                    tokio::time::sleep_until(slot).await;
                    return epoch;
                }
            }
        }
    }

    /// The next slot of an in-process budget: slots are handed out in call order, one
    /// interval apart; an idle budget does not bank a burst.
    fn local_slot(&self) -> (Instant, u64) {
        let mut state = lock(&self.state);
        let now = Instant::now();
        let slot = match state.next_slot {
            Some(next) if next > now => next,
            _ => now,
        };
        state.next_slot = Some(slot + interval(state.rate));
        (slot, state.epoch)
    }

    /// The next reserved slot of a shared budget, if one is left and not stale (a slot more
    /// than one interval in the past may already be someone else's).
    fn reserved_slot(&self) -> Option<(Instant, u64)> {
        let mut state = lock(&self.state);
        if state.reserved == 0 {
            return None;
        }
        let slot = state.next_slot?;
        let spacing = state.reserved_interval;
        if slot + spacing < Instant::now() {
            state.reserved = 0;
            return None;
        }
        state.reserved -= 1;
        state.next_slot = Some(slot + spacing);
        Some((slot, state.epoch))
    }

    /// A request through this budget succeeded: the rate grows by one step, up to its setting.
    pub(crate) fn succeeded(&self) {
        let mut state = lock(&self.state);
        state.last_success = Some(Instant::now());
        if state.rate < state.setting {
            state.rate = (state.rate + state.step).min(state.setting);
        }
    }

    /// A request taken in `epoch` was rate limited by this budget: the rate shrinks, unless it
    /// already did since that request was sent. Returns the rate after.
    pub(crate) fn rate_limited(&self, epoch: u64) -> f64 {
        let mut state = lock(&self.state);
        if state.epoch == epoch {
            let before = state.rate;
            state.rate = (before * DECREASE_FACTOR).max(MIN_RATE);
            state.step = (before - state.rate).max(MIN_RATE / 10.0) / SUCCESSES_TO_RECOVER;
            state.epoch += 1;
            // Slots reserved at the old rate are given up.
            state.reserved = 0;
            tracing::info!(budget = %self.name, from = before, to = state.rate,
                "stripe rate limit hit; budget lowered");
        }
        state.rate
    }
}

/// Where a request stands in its budgets: its concurrency permit and the budgets it used.
#[derive(Debug)]
pub(crate) struct Grant<'a> {
    _permit: Option<SemaphorePermit<'a>>,
    global: Arc<Bucket>,
    global_epoch: u64,
    endpoint: Arc<Bucket>,
    endpoint_epoch: u64,
}

impl Grant<'_> {
    /// The request succeeded: both budgets grow back a step.
    pub(crate) fn succeeded(&self) {
        self.global.succeeded();
        self.endpoint.succeeded();
    }

    /// The request was rate limited: the budget `hit` shrinks.
    pub(crate) fn rate_limited(&self, hit: LimitHit) {
        match hit {
            LimitHit::Global => self.global.rate_limited(self.global_epoch),
            LimitHit::Endpoint => self.endpoint.rate_limited(self.endpoint_epoch),
        };
    }

    /// When the scope's global budget last saw a success.
    pub(crate) fn last_success(&self) -> Option<Instant> {
        self.global.last_success()
    }
}

/// How a [`RequestBudget`] is set up.
#[derive(Debug, Clone)]
pub(crate) struct BudgetConfig {
    /// Global requests per second of each scope.
    pub(crate) rate: u32,
    /// Requests per second of each endpoint within a scope.
    pub(crate) endpoint_rate: u32,
    /// Requests in flight at once (whole client).
    pub(crate) max_concurrency: usize,
    /// What a budget is counted against.
    pub(crate) scope: BudgetScope,
    /// Prefix of budget names, e.g. `stripe:test`, and for [`BudgetScope::PlatformKey`] a
    /// fingerprint of the key (never the key).
    pub(crate) namespace: String,
    /// Budgets shared between processes, if any.
    pub(crate) shared: Option<Arc<dyn SharedBudget>>,
}

/// The concurrency cap and the rate budgets of one client.
#[derive(Debug)]
pub(crate) struct RequestBudget {
    config: BudgetConfig,
    concurrency: Semaphore,
    buckets: Mutex<HashMap<String, Arc<Bucket>>>,
}

impl RequestBudget {
    pub(crate) fn new(config: BudgetConfig) -> Self {
        Self {
            concurrency: Semaphore::new(config.max_concurrency.max(1)),
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn bucket(&self, name: String, setting: u32, shared: bool) -> Arc<Bucket> {
        let mut buckets = lock(&self.buckets);
        if let Some(bucket) = buckets.get(&name) {
            return Arc::clone(bucket);
        }
        let shared = if shared {
            self.config.shared.clone()
        } else {
            None
        };
        let bucket = Arc::new(Bucket::new(name.clone(), setting, shared));
        buckets.insert(name, Arc::clone(&bucket));
        bucket
    }

    /// The name of the global budget a request for `account` counts against.
    pub(crate) fn scope_name(&self, account: Option<&str>) -> String {
        match (self.config.scope, account) {
            (BudgetScope::Account, Some(account)) => {
                format!("{}:{account}", self.config.namespace)
            }
            _ => format!("{}:platform", self.config.namespace),
        }
    }

    /// The global budget of `account`'s scope (made on first use).
    #[cfg(test)]
    pub(crate) fn global(&self, account: Option<&str>) -> Arc<Bucket> {
        self.bucket(self.scope_name(account), self.config.rate, true)
    }

    /// Waits for a free concurrency slot, then for a slot of the endpoint's budget, then for
    /// one of the scope's global budget. The grant's permit is held while the request is in
    /// flight.
    pub(crate) async fn acquire(&self, account: Option<&str>, path: &str) -> Grant<'_> {
        // The semaphore is never closed, so `acquire` cannot fail; without a permit the
        // request would still be rate limited.
        let permit = self.concurrency.acquire().await.ok();
        let scope = self.scope_name(account);
        // Endpoint budgets stay in this process: one endpoint's pages are pulled by one worker
        // at a time (a dataset is leased to one worker), so sharing them would only cost
        // store round trips.
        let endpoint = self.bucket(
            format!("{scope}|{}", endpoint_name(path)),
            self.config.endpoint_rate,
            false,
        );
        let global = self.bucket(scope, self.config.rate, true);
        let endpoint_epoch = endpoint.take().await;
        let global_epoch = global.take().await;
        Grant {
            _permit: permit,
            global,
            global_epoch,
            endpoint,
            endpoint_epoch,
        }
    }
}

/// A short, stable fingerprint of a secret (to name a platform-wide budget without the key):
/// the first 8 bytes of SHA-256 over `stripe-client budget:` and the secret, in hex. Processes
/// of any build and any Rust version name the same key's budget alike (`std`'s `DefaultHasher`
/// promises no stable output across releases), and the name does not reveal the key.
pub(crate) fn fingerprint(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"stripe-client budget:")
        .chain_update(secret.as_bytes())
        .finalize();
    digest
        .iter()
        .take(8)
        .fold(String::with_capacity(16), |mut text, byte| {
            use std::fmt::Write as _;
            let _ = write!(text, "{byte:02x}");
            text
        })
}
