//! The sandbox's shared state: platform keys, accounts and their connection status, the
//! clock, OAuth grants, the request log, the rate limiter and the fault injector.
//! Depends on the data generator for account contents; knows nothing of HTTP routing.

pub(crate) mod keys;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::config::{LimitScope, SandboxConfig};
use crate::data::{Merchant, PLATFORM_INDEX};
use crate::error::SandboxError;
use crate::faults::{Fault, FaultInjector};
use crate::ids::{hash, token};
use crate::webhook::WebhookSender;

// Re-exported for the modules that take the mode together with the state.
pub(crate) use crate::mode::Mode;

/// One request the sandbox answered (or dropped), as a test reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RequestRecord {
    /// The `Request-Id` sent back.
    pub request_id: String,
    /// `GET`, `POST`...
    pub method: String,
    /// The path, e.g. `/v1/charges`.
    pub path: String,
    /// The raw query string (empty if none).
    pub query: String,
    /// The `Stripe-Account` header, if sent.
    pub account: Option<String>,
    /// The status answered; `None` when the connection was dropped.
    pub status: Option<u16>,
    /// The fault injected, if any.
    pub fault: Option<Fault>,
    /// When it arrived, in milliseconds since the Unix epoch (wall clock, not the sandbox clock).
    pub received_at_ms: i64,
}

/// How many requests arrived, and how many of them were answered 429 by a rate limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Counter {
    /// Requests that arrived (whatever their answer).
    pub requests: u64,
    /// Of those, the ones answered 429 by a rate limit.
    pub rate_limited: u64,
}

/// API requests counted per account and per endpoint (`GET /v1/charges`,
/// `GET /v1/charges/{id}`...), since start or the last [`crate::SandboxHandle::clear_requests`].
///
/// The account is the `Stripe-Account` header, or `platform` for calls without one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RequestCounters {
    /// Per account: all its requests.
    pub accounts: BTreeMap<String, Counter>,
    /// Per account, then per endpoint.
    pub endpoints: BTreeMap<String, BTreeMap<String, Counter>>,
}

/// Why a request was refused by a rate limit (the `Stripe-Rate-Limited-Reason` value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LimitedReason {
    /// The global limit of the account (or key).
    GlobalRate,
    /// The endpoint's own limit.
    EndpointRate,
}

impl LimitedReason {
    pub(crate) fn header_value(self) -> &'static str {
        match self {
            LimitedReason::GlobalRate => "global-rate",
            LimitedReason::EndpointRate => "endpoint-rate",
        }
    }
}

/// The named operation a request counts against: the method and the path with object ids
/// replaced by `{id}` (`GET /v1/charges/ch_1` is `GET /v1/charges/{id}`).
pub(crate) fn endpoint_name(method: &str, path: &str) -> String {
    let mut name = String::with_capacity(method.len() + path.len() + 1);
    name.push_str(method);
    name.push(' ');
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

/// The platform's credentials for one mode.
#[derive(Debug, Clone)]
pub(crate) struct PlatformKeys {
    pub(crate) secret_key: SecretString,
    pub(crate) publishable_key: String,
    pub(crate) client_id: String,
}

/// A connected (or disconnectable) merchant account.
#[derive(Debug)]
pub(crate) struct AccountState {
    pub(crate) merchant: Merchant,
    pub(crate) connected: AtomicBool,
}

#[derive(Debug, Clone)]
pub(crate) struct CodeGrant {
    pub(crate) account: usize,
    pub(crate) mode: Mode,
    pub(crate) scope: String,
    pub(crate) expires_at: i64,
    pub(crate) used: bool,
    /// Issued by a Stripe Apps install (exchanged at `/v1/oauth/token`), not Connect.
    pub(crate) app: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct TokenGrant {
    pub(crate) account: usize,
    pub(crate) mode: Mode,
    pub(crate) scope: String,
    /// Stripe Apps tokens: when the access token expires (sandbox clock, milliseconds).
    pub(crate) expires_at_ms: Option<i64>,
    /// Stripe Apps refresh tokens work once; a used one answers `invalid_grant`.
    pub(crate) used: bool,
    /// Issued through Stripe Apps OAuth.
    pub(crate) app: bool,
}

#[derive(Debug, Default)]
pub(crate) struct OAuthGrants {
    pub(crate) codes: HashMap<String, CodeGrant>,
    pub(crate) refresh_tokens: HashMap<String, TokenGrant>,
    pub(crate) access_tokens: HashMap<String, TokenGrant>,
    pub(crate) issued: u64,
    pub(crate) counters: OAuthCounters,
}

/// What the token endpoints did so far, for tests counting refreshes (in `/_sandbox/info` under
/// `oauth`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct OAuthCounters {
    /// Authorization codes exchanged (Connect and Stripe Apps).
    pub code_exchanges: u64,
    /// Successful Stripe Apps refreshes (`grant_type=refresh_token` at `/v1/oauth/token`).
    pub app_refreshes: u64,
    /// Stripe Apps refreshes of a pair whose access token still had more than half its life
    /// left (a client refreshing far earlier than it needs to, or twice for one expiry).
    pub early_app_refreshes: u64,
    /// Token requests answered `invalid_grant` (a reused, unknown or revoked code or refresh
    /// token).
    pub invalid_grants: u64,
    /// API requests answered `401 api_key_expired` (an expired Stripe Apps access token).
    pub expired_key_rejections: u64,
}

/// The sandbox clock: the configured start plus real elapsed time plus any advances.
#[derive(Debug)]
pub(crate) struct Clock {
    pub(crate) start_time: i64,
    started: Instant,
    offset: AtomicI64,
    last_activity: AtomicI64,
}

impl Clock {
    fn new(start_time: i64) -> Self {
        Self {
            start_time,
            started: Instant::now(),
            offset: AtomicI64::new(0),
            last_activity: AtomicI64::new(i64::MIN),
        }
    }

    /// Now in milliseconds (for access tokens living a few seconds).
    pub(crate) fn now_millis(&self) -> i64 {
        let elapsed = i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX);
        self.start_time
            .saturating_add(self.offset.load(Ordering::SeqCst))
            .saturating_mul(1000)
            .saturating_add(elapsed)
    }

    pub(crate) fn now(&self) -> i64 {
        let elapsed = i64::try_from(self.started.elapsed().as_secs()).unwrap_or(i64::MAX);
        self.start_time
            .saturating_add(elapsed)
            .saturating_add(self.offset.load(Ordering::SeqCst))
    }

    pub(crate) fn advance(&self, seconds: i64) -> i64 {
        self.offset.fetch_add(seconds.max(0), Ordering::SeqCst);
        self.now()
    }

    /// A time for a new piece of activity: now, but strictly after the previous activity.
    pub(crate) fn activity_time(&self) -> i64 {
        let now = self.now();
        let mut previous = self.last_activity.load(Ordering::SeqCst);
        loop {
            let next = now.max(previous.saturating_add(1));
            match self.last_activity.compare_exchange(
                previous,
                next,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => return next,
                Err(current) => previous = current,
            }
        }
    }
}

/// Recently served list pages, keyed by account, resource and query string.
#[derive(Debug, Default)]
pub(crate) struct PageCache {
    entries: HashMap<(u64, Mode, String), (u64, bytes::Bytes)>,
    bytes: usize,
}

impl PageCache {
    /// The cached body for `key` if it was made at account version `version`.
    pub(crate) fn get(&self, key: &(u64, Mode, String), version: u64) -> Option<bytes::Bytes> {
        self.entries
            .get(key)
            .filter(|(made_at, _)| *made_at == version)
            .map(|(_, body)| body.clone())
    }

    /// Keeps `body`; empties the cache first when it would exceed `capacity` bytes.
    pub(crate) fn put(
        &mut self,
        key: (u64, Mode, String),
        version: u64,
        body: bytes::Bytes,
        capacity: usize,
    ) {
        if body.len() > capacity {
            return;
        }
        if self.bytes + body.len() > capacity {
            self.entries.clear();
            self.bytes = 0;
        }
        self.bytes += body.len();
        if let Some((_, old)) = self.entries.insert(key, (version, body)) {
            self.bytes -= old.len();
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: SandboxConfig,
    pub(crate) base_url: String,
    pub(crate) platform_id: String,
    pub(crate) test_keys: PlatformKeys,
    pub(crate) live_keys: PlatformKeys,
    pub(crate) webhook_secret: SecretString,
    /// The platform's own (empty) account data, per mode: index 0 test, 1 live.
    pub(crate) platform: [Arc<AccountState>; 2],
    pub(crate) accounts: Vec<Arc<AccountState>>,
    pub(crate) clock: Clock,
    pub(crate) oauth: Mutex<OAuthGrants>,
    pub(crate) faults: Mutex<FaultInjector>,
    pub(crate) webhooks: Option<WebhookSender>,
    pub(crate) pages: Mutex<PageCache>,
    /// Merchants' own secret and restricted keys.
    pub(crate) merchant_keys: keys::MerchantKeys,
    log: Mutex<VecDeque<RequestRecord>>,
    buckets: Mutex<HashMap<(String, Option<String>), Bucket>>,
    counters: Mutex<RequestCounters>,
    request_counter: AtomicU64,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> Result<MutexGuard<'_, T>, SandboxError> {
    mutex.lock().map_err(|_| SandboxError::Poisoned)
}

impl State {
    pub(crate) fn new(
        config: SandboxConfig,
        base_url: String,
        webhooks: Option<WebhookSender>,
    ) -> Self {
        let seed = config.seed;
        let start_time = config.start_time.unwrap_or_else(|| {
            let now = chrono::Utc::now().timestamp();
            now - now.rem_euclid(86_400)
        });
        let keys = |mode: Mode, salt: u64| PlatformKeys {
            secret_key: SecretString::from(format!(
                "sk_{}_51Sbx{}",
                mode.key_word(),
                token(hash(&[seed, salt, 1]), 40)
            )),
            publishable_key: format!(
                "pk_{}_51Sbx{}",
                mode.key_word(),
                token(hash(&[seed, salt, 2]), 40)
            ),
            client_id: format!("ca_{}", token(hash(&[seed, salt, 3]), 32)),
        };
        let platform_id = format!("acct_1{}", token(hash(&[seed, 0xAC]), 15));
        let mut accounts = Vec::new();
        let total = config.accounts + config.live_accounts;
        for index in 0..total {
            let mode = if index < config.accounts {
                Mode::Test
            } else {
                Mode::Live
            };
            accounts.push(Arc::new(AccountState {
                merchant: Merchant::new(seed, index, mode, config.size, start_time, None),
                connected: AtomicBool::new(true),
            }));
        }
        let platform = |mode| {
            Arc::new(AccountState {
                merchant: Merchant::new(
                    seed,
                    PLATFORM_INDEX,
                    mode,
                    0,
                    start_time,
                    Some(platform_id.clone()),
                ),
                connected: AtomicBool::new(true),
            })
        };
        let faults = FaultInjector::new(seed, config.fault_rates);
        Self {
            base_url,
            platform: [platform(Mode::Test), platform(Mode::Live)],
            platform_id: platform_id.clone(),
            test_keys: keys(Mode::Test, 0x7E57),
            live_keys: keys(Mode::Live, 0x11FE),
            webhook_secret: SecretString::from(format!(
                "whsec_{}",
                token(hash(&[seed, 0x3EB]), 32)
            )),
            accounts,
            clock: Clock::new(start_time),
            oauth: Mutex::new(OAuthGrants::default()),
            faults: Mutex::new(faults),
            webhooks,
            pages: Mutex::new(PageCache::default()),
            merchant_keys: keys::MerchantKeys::default(),
            log: Mutex::new(VecDeque::new()),
            buckets: Mutex::new(HashMap::new()),
            counters: Mutex::new(RequestCounters::default()),
            request_counter: AtomicU64::new(0),
            config,
        }
    }

    pub(crate) fn keys(&self, mode: Mode) -> &PlatformKeys {
        match mode {
            Mode::Test => &self.test_keys,
            Mode::Live => &self.live_keys,
        }
    }

    /// The mode of a platform secret key, if `key` is one.
    pub(crate) fn platform_key_mode(&self, key: &str) -> Option<Mode> {
        [Mode::Test, Mode::Live]
            .into_iter()
            .find(|mode| self.keys(*mode).secret_key.expose_secret() == key)
    }

    pub(crate) fn platform_account(&self, mode: Mode) -> &Arc<AccountState> {
        match mode {
            Mode::Test => &self.platform[0],
            Mode::Live => &self.platform[1],
        }
    }

    pub(crate) fn account_index(&self, id: &str) -> Option<usize> {
        self.accounts
            .iter()
            .position(|account| account.merchant.account_id == id)
    }

    pub(crate) fn account(&self, id: &str) -> Result<&Arc<AccountState>, SandboxError> {
        self.accounts
            .iter()
            .find(|account| account.merchant.account_id == id)
            .ok_or_else(|| SandboxError::UnknownAccount {
                account: id.to_owned(),
            })
    }

    pub(crate) fn next_request_id(&self) -> String {
        let number = self.request_counter.fetch_add(1, Ordering::Relaxed);
        format!(
            "req_{}",
            token(hash(&[self.config.seed, 0x4E9, number]), 14)
        )
    }

    pub(crate) fn record(&self, record: RequestRecord, endpoint: &str) {
        if let Ok(mut counters) = self.counters.lock() {
            let account = record.account.as_deref().unwrap_or("platform");
            let limited = u64::from(record.status == Some(429) && record.fault.is_none());
            let total = counters.accounts.entry(account.to_owned()).or_default();
            total.requests += 1;
            total.rate_limited += limited;
            let per_endpoint = counters
                .endpoints
                .entry(account.to_owned())
                .or_default()
                .entry(endpoint.to_owned())
                .or_default();
            per_endpoint.requests += 1;
            per_endpoint.rate_limited += limited;
        }
        if let Ok(mut log) = self.log.lock() {
            if log.len() >= self.config.request_log_capacity.max(1) {
                log.pop_front();
            }
            log.push_back(record);
        }
    }

    pub(crate) fn requests(&self) -> Vec<RequestRecord> {
        self.log
            .lock()
            .map(|log| log.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub(crate) fn clear_requests(&self) {
        if let Ok(mut log) = self.log.lock() {
            log.clear();
        }
        if let Ok(mut counters) = self.counters.lock() {
            *counters = RequestCounters::default();
        }
    }

    pub(crate) fn oauth_counters(&self) -> OAuthCounters {
        lock(&self.oauth)
            .map(|grants| grants.counters)
            .unwrap_or_default()
    }

    pub(crate) fn counters(&self) -> RequestCounters {
        self.counters
            .lock()
            .map(|counters| counters.clone())
            .unwrap_or_default()
    }

    /// Takes one token from the global bucket and one from the endpoint's bucket of the
    /// request's scope (its account, or its key); refuses with the limit hit when either is
    /// empty (then neither is taken).
    pub(crate) fn admit(
        &self,
        key: &str,
        mode: Mode,
        account: Option<&str>,
        endpoint: &str,
    ) -> Result<(), LimitedReason> {
        let limits = self.config.rate_limits;
        let global = match mode {
            Mode::Test => limits.test_per_second,
            Mode::Live => limits.live_per_second,
        };
        if global.is_none() && limits.endpoint_per_second.is_none() {
            return Ok(());
        }
        let scope = match (limits.scope, account) {
            (LimitScope::Account, Some(account)) => format!("account:{account}"),
            _ => format!("key:{key}"),
        };
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        let mut refill = |name: Option<&str>, limit: Option<u32>| -> Option<f64> {
            let rate = f64::from(limit?.max(1));
            let bucket = buckets
                .entry((scope.clone(), name.map(str::to_owned)))
                .or_insert(Bucket {
                    tokens: rate,
                    last: now,
                });
            let added = now.duration_since(bucket.last).as_secs_f64() * rate;
            bucket.tokens = (bucket.tokens + added).min(rate);
            bucket.last = now;
            Some(bucket.tokens)
        };
        let global_tokens = refill(None, global);
        let endpoint_tokens = refill(Some(endpoint), limits.endpoint_per_second);
        if global_tokens.is_some_and(|tokens| tokens < 1.0) {
            return Err(LimitedReason::GlobalRate);
        }
        if endpoint_tokens.is_some_and(|tokens| tokens < 1.0) {
            return Err(LimitedReason::EndpointRate);
        }
        for name in [None, Some(endpoint.to_owned())] {
            if let Some(bucket) = buckets.get_mut(&(scope.clone(), name)) {
                bucket.tokens -= 1.0;
            }
        }
        Ok(())
    }

    /// Issues an access token and a refresh token for `grant` and records both; returns
    /// `(access_token, refresh_token)`.
    pub(crate) fn grant_tokens(
        &self,
        grants: &mut OAuthGrants,
        grant: TokenGrant,
    ) -> (String, String) {
        let access_token = self.issue_token(grants, &format!("sk_{}_", grant.mode.key_word()), 40);
        let refresh_token = self.issue_token(grants, "rt_", 40);
        grants
            .access_tokens
            .insert(access_token.clone(), grant.clone());
        grants.refresh_tokens.insert(refresh_token.clone(), grant);
        (access_token, refresh_token)
    }

    /// Issues a new opaque token with `prefix`, unique within this sandbox.
    pub(crate) fn issue_token(
        &self,
        grants: &mut OAuthGrants,
        prefix: &str,
        length: usize,
    ) -> String {
        grants.issued += 1;
        format!(
            "{prefix}{}",
            token(hash(&[self.config.seed, 0x0A7, grants.issued]), length)
        )
    }
}
