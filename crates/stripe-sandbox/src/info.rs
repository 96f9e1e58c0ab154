//! What a client needs to talk to a sandbox: base URL, platform keys and client ids per mode,
//! the connected accounts and the webhook secret.

use std::sync::atomic::Ordering;

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::state::keys::{MerchantKeyInfo, PERMISSIONS};
use crate::state::{Mode, OAuthCounters, RequestCounters, State};

/// The platform's credentials in one mode.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ModeInfo {
    /// The platform secret key (`sk_test_...` / `sk_live_...`).
    pub secret_key: SecretString,
    /// The platform publishable key.
    pub publishable_key: String,
    /// The Connect client id (`ca_...`), also the Stripe App's client id.
    pub client_id: String,
    /// The Stripe App's OAuth install link of this mode (it carries a query string of its
    /// own); add `client_id`, `redirect_uri` and `state`.
    pub app_install_url: String,
}

/// One merchant account of the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountInfo {
    /// The account id (`acct_...`).
    pub id: String,
    /// Whether it is a live-mode account (reachable only with the live key).
    pub livemode: bool,
    /// The business name.
    pub business_name: String,
    /// The owner's email (usable as `stripe_user[email]` on `/oauth/authorize`).
    pub email: String,
    /// The settlement currency.
    pub default_currency: String,
    /// Whether it is currently connected to the platform.
    pub connected: bool,
}

/// Everything a client needs to use a running sandbox.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SandboxInfo {
    /// The base URL of both the API (`/v1/...`) and Connect OAuth (`/oauth/...`).
    pub base_url: String,
    /// The platform's own account id.
    pub platform_account: String,
    /// Test-mode credentials.
    pub test: ModeInfo,
    /// Live-mode credentials.
    pub live: ModeInfo,
    /// The merchant accounts, test ones first.
    pub accounts: Vec<AccountInfo>,
    /// The secret webhooks are signed with (`whsec_...`).
    pub webhook_secret: SecretString,
    /// The seed the data was generated from.
    pub seed: u64,
    /// Objects per primary resource per account.
    pub size: u64,
    /// API requests so far per account and endpoint, with how many were rate limited.
    pub requests: RequestCounters,
    /// Each merchant's own secret key and full-read restricted key (read without
    /// `Stripe-Account`).
    pub merchant_keys: Vec<MerchantKeyInfo>,
    /// What the OAuth token endpoints did so far (exchanges, Stripe Apps refreshes,
    /// `invalid_grant`s, expired access tokens refused).
    pub oauth: OAuthCounters,
}

impl SandboxInfo {
    pub(crate) fn from_state(state: &State) -> Self {
        let mode_info = |mode: Mode| {
            let keys = state.keys(mode);
            ModeInfo {
                secret_key: keys.secret_key.clone(),
                publishable_key: keys.publishable_key.clone(),
                client_id: keys.client_id.clone(),
                app_install_url: crate::apps::install_url(state, mode),
            }
        };
        Self {
            base_url: state.base_url.clone(),
            platform_account: state.platform_id.clone(),
            test: mode_info(Mode::Test),
            live: mode_info(Mode::Live),
            accounts: state
                .accounts
                .iter()
                .map(|account| AccountInfo {
                    id: account.merchant.account_id.clone(),
                    livemode: account.merchant.mode.is_live(),
                    business_name: account.merchant.business_name.clone(),
                    email: account.merchant.email.clone(),
                    default_currency: account.merchant.currency.to_owned(),
                    connected: account.connected.load(Ordering::SeqCst),
                })
                .collect(),
            webhook_secret: state.webhook_secret.clone(),
            seed: state.config.seed,
            size: state.config.size,
            requests: state.counters(),
            merchant_keys: state.merchant_keys.seeded(state),
            oauth: state.oauth_counters(),
        }
    }

    /// The ids of the test-mode accounts.
    pub fn test_accounts(&self) -> Vec<&str> {
        self.accounts
            .iter()
            .filter(|account| !account.livemode)
            .map(|account| account.id.as_str())
            .collect()
    }

    /// The ids of the live-mode accounts.
    pub fn live_accounts(&self) -> Vec<&str> {
        self.accounts
            .iter()
            .filter(|account| account.livemode)
            .map(|account| account.id.as_str())
            .collect()
    }

    /// The JSON the standalone binary prints and `GET /_sandbox/info` answers.
    /// It contains the sandbox's (fake) secret keys on purpose: a client needs them.
    pub fn to_json(&self) -> serde_json::Value {
        let mode = |info: &ModeInfo, accounts: Vec<&str>| {
            json!({
                "secret_key": info.secret_key.expose_secret(),
                "publishable_key": info.publishable_key,
                "client_id": info.client_id,
                "accounts": accounts,
            })
        };
        json!({
            "base_url": self.base_url,
            "api_base": self.base_url,
            "connect_base": self.base_url,
            "platform_account": self.platform_account,
            "test": mode(&self.test, self.test_accounts()),
            "live": mode(&self.live, self.live_accounts()),
            "accounts": self.accounts.iter().map(|account| json!({
                "id": account.id,
                "livemode": account.livemode,
                "business_name": account.business_name,
                "email": account.email,
                "default_currency": account.default_currency,
                "connected": account.connected,
            })).collect::<Vec<_>>(),
            "webhook_secret": self.webhook_secret.expose_secret(),
            "seed": self.seed,
            "size": self.size,
            "requests": self.requests,
            "merchant_keys": self.merchant_keys.iter().map(|keys| json!({
                "account": keys.account,
                "secret_key": keys.secret_key,
                "restricted_key": keys.restricted_key,
            })).collect::<Vec<_>>(),
            "restricted_key_permissions": PERMISSIONS.iter().map(|(_, permission)| *permission).collect::<Vec<_>>(),
            "oauth": self.oauth,
            // Beside the seeded keys: the links carry this sandbox's base URL.
            "app_install_url": {
                "test": self.test.app_install_url,
                "live": self.live.app_install_url,
            },
        })
    }
}
