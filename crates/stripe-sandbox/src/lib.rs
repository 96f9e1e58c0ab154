//! A stateful local fake of the Stripe API and Connect OAuth, for tests, benchmarks and the
//! zero-credential demo.
//!
//! [`Sandbox::start`] serves, on 127.0.0.1, both the API (`/v1/...`) and Connect OAuth
//! (`/oauth/...`) from one base URL, so a client points `STRIPE_API_BASE` and
//! `STRIPE_CONNECT_BASE` at [`SandboxHandle::base_url`]. It behaves like Stripe where a sync
//! depends on it: list paging and filters, error statuses and bodies, keys and modes,
//! `Stripe-Account`, single-use OAuth codes, deauthorization, events, rate limits and
//! `Request-Id`. Data is generated lazily and deterministically from a seed (see `data`), so
//! a million objects per resource cost no memory and every page costs the same.
//!
//! Tests drive it with [`SandboxHandle`] (clock, [`Activity`], [`FaultRule`]s, the request
//! log); people drive a standalone one (`cargo run -p stripe-sandbox -- --help`) through the
//! same operations under `/_sandbox/`.
//!
//! Depends on `stripe-wire` for every object it serves; no commerce crate. The library never
//! prints and never panics on input.

mod activity;
mod api;
mod apps;
mod args;
mod auth;
mod bearer;
mod config;
mod control;
mod data;
mod error;
mod faults;
mod ids;
mod info;
mod list;
mod merchant_keys;
mod mode;
mod oauth;
mod server;
mod state;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use crate::activity::{Activity, ActivityOutcome};
pub use crate::args::SandboxArgs;
pub use crate::config::{Latency, LimitScope, RateLimits, SandboxConfig};
pub use crate::data::{Resource, CURRENCIES};
pub use crate::error::SandboxError;
pub use crate::faults::{Fault, FaultRates, FaultRule};
pub use crate::info::{AccountInfo, ModeInfo, SandboxInfo};
pub use crate::merchant_keys::{permission_for, MerchantKeyInfo, PERMISSIONS};
pub use crate::mode::Mode;
pub use crate::state::{Counter, OAuthCounters, RequestCounters, RequestRecord};
pub use crate::webhook::sign_payload;

use crate::state::{lock, State};

/// The entry point: starts sandboxes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sandbox;

impl Sandbox {
    /// Starts a sandbox on 127.0.0.1 (the configured port, or a free one) and returns once it
    /// accepts connections. Must be called inside a Tokio runtime.
    pub async fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
        if config.size > 1_000_000 {
            return Err(SandboxError::InvalidConfig {
                reason: "size must be at most 1,000,000",
            });
        }
        if config.accounts + config.live_accounts > 3_000 {
            return Err(SandboxError::InvalidConfig {
                reason: "at most 3,000 accounts",
            });
        }
        let port = config.port.unwrap_or(0);
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|source| SandboxError::Bind { port, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| SandboxError::Bind { port, source })?;
        let base_url = format!("http://{address}");
        let seed = config.seed;
        let webhook_secret = secrecy::SecretString::from(format!(
            "whsec_{}",
            crate::ids::token(crate::ids::hash(&[seed, 0x3EB]), 32)
        ));
        let webhooks = config
            .webhook_url
            .clone()
            .map(|url| crate::webhook::WebhookSender::start(url, webhook_secret));
        let state = Arc::new(State::new(config, base_url, webhooks));
        let (shutdown, receiver) = watch::channel(false);
        let router = crate::server::router(state.clone());
        let task = tokio::spawn(crate::server::serve(listener, router, receiver));
        Ok(SandboxHandle {
            state,
            address,
            shutdown,
            task: Some(task),
        })
    }
}

/// A running sandbox. Dropping it stops the server (use [`SandboxHandle::shutdown`] to wait).
#[derive(Debug)]
pub struct SandboxHandle {
    state: Arc<State>,
    address: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    /// The base URL of the API and of Connect OAuth, e.g. `http://127.0.0.1:12111`.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    /// The socket address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Keys, client ids, accounts and the webhook secret.
    pub fn info(&self) -> SandboxInfo {
        SandboxInfo::from_state(&self.state)
    }

    /// The sandbox clock (unix seconds): start time + real elapsed time + advances.
    pub fn now(&self) -> i64 {
        self.state.clock.now()
    }

    /// Moves the sandbox clock forward; returns the new time. OAuth codes expire by this clock.
    pub fn advance_clock(&self, seconds: i64) -> i64 {
        self.state.clock.advance(seconds)
    }

    /// Applies one change to an account's data, emitting the matching events (and webhooks).
    pub fn apply(
        &self,
        account: &str,
        activity: Activity,
    ) -> Result<ActivityOutcome, SandboxError> {
        crate::activity::apply(&self.state, account, activity)
    }

    /// Applies `count` deterministic, varied activities to an account.
    pub fn random_activity(
        &self,
        account: &str,
        count: usize,
    ) -> Result<Vec<ActivityOutcome>, SandboxError> {
        crate::activity::random(&self.state, account, count)
    }

    /// Disconnects an account from the platform, as if its owner revoked access: its tokens
    /// stop working, `Stripe-Account` calls fail, `account.application.deauthorized` is sent.
    pub fn deauthorize(&self, account: &str) -> Result<(), SandboxError> {
        let index =
            self.state
                .account_index(account)
                .ok_or_else(|| SandboxError::UnknownAccount {
                    account: account.to_owned(),
                })?;
        crate::activity::disconnect(&self.state, index);
        Ok(())
    }

    /// A new restricted key (`rk_...`) of `account` with exactly `permissions` (Stripe's
    /// `rak_..._read` names, [`PERMISSIONS`]); the account's seeded keys are in
    /// [`SandboxInfo::merchant_keys`].
    pub fn create_restricted_key(
        &self,
        account: &str,
        permissions: &[&str],
    ) -> Result<String, SandboxError> {
        let permissions: Vec<String> = permissions.iter().map(|p| (*p).to_owned()).collect();
        self.state
            .merchant_keys
            .create(&self.state, account, &permissions)
    }

    /// Adds a scripted fault.
    pub fn add_fault(&self, rule: FaultRule) -> Result<(), SandboxError> {
        lock(&self.state.faults)?.add_rule(rule);
        Ok(())
    }

    /// Sets the random fault rates (deterministic under the seed for a given request order).
    pub fn set_fault_rates(&self, rates: FaultRates) -> Result<(), SandboxError> {
        lock(&self.state.faults)?.set_rates(rates);
        Ok(())
    }

    /// Removes every scripted fault and random rate.
    pub fn clear_faults(&self) -> Result<(), SandboxError> {
        lock(&self.state.faults)?.clear();
        Ok(())
    }

    /// Every API and OAuth request answered so far, in order (control calls excluded).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state.requests()
    }

    /// API requests so far per account and endpoint (also under `requests` in
    /// `GET /_sandbox/info`), with how many a rate limit answered 429.
    pub fn counters(&self) -> RequestCounters {
        self.state.counters()
    }

    /// Empties the request log and the request counters.
    pub fn clear_requests(&self) {
        self.state.clear_requests();
    }

    /// How many objects `resource` of `account` currently lists (generated, minus deleted,
    /// plus added). Costs O(size): meant for tests.
    pub fn count(&self, account: &str, resource: Resource) -> Result<u64, SandboxError> {
        let account = self.state.account(account)?;
        crate::data::count(&account.merchant, resource)
    }

    /// Stops accepting connections, lets open requests finish (up to 5 s) and returns.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
