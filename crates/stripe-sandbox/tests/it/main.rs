#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Integration tests of the sandbox, through HTTP on 127.0.0.1 only.

mod activity;
mod apps;
mod auth;
mod faults;
mod limits;
mod lists;
mod merchant_keys;
mod oauth;

use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::Value;
use stripe_sandbox::{RateLimits, Sandbox, SandboxConfig, SandboxHandle};

/// A fixed "now", so data is the same on every run.
pub(crate) const START: i64 = 1_800_000_000;

pub(crate) struct Env {
    pub(crate) sandbox: SandboxHandle,
    pub(crate) http: reqwest::Client,
    pub(crate) key: String,
    pub(crate) account: String,
}

pub(crate) async fn start(size: u64, configure: impl FnOnce(&mut SandboxConfig)) -> Env {
    let mut config = SandboxConfig::default();
    config.size = size;
    config.start_time = Some(START);
    config.rate_limits = RateLimits::unlimited();
    configure(&mut config);
    let sandbox = Sandbox::start(config).await.unwrap();
    let info = sandbox.info();
    Env {
        key: info.test.secret_key.expose_secret().to_owned(),
        account: info.test_accounts()[0].to_owned(),
        http: reqwest::Client::new(),
        sandbox,
    }
}

pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Env {
    /// GET with the platform test key on behalf of the first test account.
    pub(crate) async fn get(&self, path: &str) -> Reply {
        self.get_as(path, Some(&self.key), Some(&self.account))
            .await
    }

    pub(crate) async fn get_as(
        &self,
        path: &str,
        key: Option<&str>,
        account: Option<&str>,
    ) -> Reply {
        let mut request = self.http.get(format!("{}{path}", self.sandbox.base_url()));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(account) = account {
            request = request.header("Stripe-Account", account);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.json().await.unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Every id of a list, paging forward with `limit`.
    pub(crate) async fn all_ids(&self, path: &str, limit: u32) -> Vec<String> {
        let mut ids = Vec::new();
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(after) => format!("{path}{separator}limit={limit}&starting_after={after}"),
                None => format!("{path}{separator}limit={limit}"),
            };
            let page = self.get(&url).await;
            assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.body);
            let data = page.body["data"].as_array().unwrap();
            ids.extend(
                data.iter()
                    .map(|item| item["id"].as_str().unwrap().to_owned()),
            );
            if !page.body["has_more"].as_bool().unwrap() {
                return ids;
            }
            cursor = ids.last().cloned();
        }
    }
}

pub(crate) fn error_code(reply: &Reply) -> Option<&str> {
    reply.body["error"]["code"].as_str()
}
