//! `StripePlatform` against `stripe-sandbox` (OAuth, pulls, events, webhooks) and against wiremock
//! (answers the sandbox does not give: livemode mismatch, rate limits, outages, bad records).

mod apps;
mod errors;
mod incremental;
mod link;
mod products;
mod pull;
mod webhook;

use std::collections::BTreeMap;
use std::time::Duration;

use commerce_model::platform::{Batch, Cursor, LinkedAccount, Platform, PlatformError};
use commerce_model::DataType;
use commerce_stripe::{map_document, StripePlatform};
use futures::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use stripe_client::{ClientConfig, RetryPolicy, StripeClient};
use stripe_connect::{Integration, Mode, Scope};
use stripe_sandbox::{RateLimits, Sandbox, SandboxConfig, SandboxHandle};

/// A fixed sandbox "now", so data is the same on every run.
pub(crate) const START: i64 = 1_800_000_000;

pub(crate) const REDIRECT_URI: &str = "http://127.0.0.1:9/oauth/stripe/callback";

pub(crate) struct Env {
    pub(crate) sandbox: SandboxHandle,
    pub(crate) platform: StripePlatform,
    pub(crate) key: String,
    pub(crate) account: LinkedAccount,
}

pub(crate) async fn start(size: u64, configure: impl FnOnce(&mut SandboxConfig)) -> Env {
    let mut config = SandboxConfig::default();
    config.size = size;
    config.start_time = Some(START);
    config.rate_limits = RateLimits::unlimited();
    configure(&mut config);
    let sandbox = Sandbox::start(config).await.unwrap();
    let info = sandbox.info();
    let key = info.test.secret_key.expose_secret().to_owned();
    let platform = platform_for(
        sandbox.base_url(),
        &info.test.client_id,
        &key,
        Some(info.webhook_secret.expose_secret()),
    );
    let account = linked(info.test_accounts()[0]);
    Env {
        sandbox,
        platform,
        key,
        account,
    }
}

pub(crate) fn platform_for(
    base: &str,
    client_id: &str,
    key: &str,
    webhook_secret: Option<&str>,
) -> StripePlatform {
    let integration = Integration::builder(
        Mode::Test,
        client_id,
        SecretString::from(key.to_owned()),
        REDIRECT_URI,
    )
    .scope(Scope::ReadWrite)
    .connect_base(base)
    .build()
    .unwrap();
    let config = ClientConfig::builder(SecretString::from(key.to_owned()))
        .api_base(base)
        .rate_limit(1000)
        .endpoint_rate_limit(1000)
        // 429s are retried within the retry policy only: the error tests expect the
        // typed error once the attempts run out.
        .rate_limit_patience(Duration::ZERO)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let client = StripeClient::new(config).unwrap();
    let platform = StripePlatform::new(integration, client).unwrap();
    match webhook_secret {
        Some(secret) => platform
            .with_webhook_secrets([SecretString::from(secret.to_owned())])
            .unwrap(),
        None => platform,
    }
}

pub(crate) fn linked(account: &str) -> LinkedAccount {
    let mut linked = LinkedAccount::new(account, false);
    linked.scope = Some("read_write".to_owned());
    linked
}

/// Every batch of a pull, panicking on an error item.
pub(crate) async fn pull_all(env: &Env, data_type: DataType, cursor: Option<Cursor>) -> Vec<Batch> {
    try_pull(&env.platform, &env.account, data_type, cursor)
        .await
        .unwrap_or_else(|error| panic!("pull of {data_type:?} failed: {error}"))
}

pub(crate) async fn try_pull(
    platform: &StripePlatform,
    account: &LinkedAccount,
    data_type: DataType,
    cursor: Option<Cursor>,
) -> Result<Vec<Batch>, PlatformError> {
    let mut stream = platform.pull(account, data_type, cursor);
    let mut batches = Vec::new();
    while let Some(item) = stream.next().await {
        batches.push(item?);
    }
    Ok(batches)
}

/// Records by id, as a store applying the batches in order would keep them.
pub(crate) fn apply(state: &mut BTreeMap<String, Value>, batches: &[Batch]) {
    for batch in batches {
        for record in &batch.records {
            state.insert(record.id.clone(), record.json.clone());
        }
        for id in &batch.deleted_ids {
            state.remove(id);
        }
    }
}

impl Env {
    /// Every object of a list of the linked account, read directly over HTTP.
    pub(crate) async fn list_all(&self, path: &str) -> Vec<Value> {
        let http = reqwest::Client::new();
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut objects: Vec<Value> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut url = format!("{}{path}{separator}limit=100", self.sandbox.base_url());
            if let Some(after) = &after {
                url.push_str(&format!("&starting_after={after}"));
            }
            let page: Value = self.get_json(&http, &url).await;
            let data = page["data"].as_array().unwrap().clone();
            after = data
                .last()
                .map(|last| last["id"].as_str().unwrap().to_owned());
            objects.extend(data);
            if !page["has_more"].as_bool().unwrap() {
                return objects;
            }
        }
    }

    pub(crate) async fn get_json(&self, http: &reqwest::Client, url: &str) -> Value {
        let response = http
            .get(url)
            .bearer_auth(&self.key)
            .header("Stripe-Account", &self.account.external_id)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    /// What mapping every current sandbox object of `data_type` gives, by id (the oracle: the
    /// mapping crate's document reader over the raw lists).
    pub(crate) async fn expected(&self, data_type: DataType) -> BTreeMap<String, Value> {
        let objects: Vec<Value> = match data_type {
            DataType::CompanyInfo => {
                let http = reqwest::Client::new();
                let base = self.sandbox.base_url();
                vec![
                    self.get_json(&http, &format!("{base}/v1/account")).await,
                    self.get_json(&http, &format!("{base}/v1/balance")).await,
                ]
            }
            DataType::Customers => self.list_all("/v1/customers").await,
            DataType::Disputes => self.list_all("/v1/disputes").await,
            DataType::Payments => {
                let mut all = self.list_all("/v1/charges").await;
                all.extend(self.list_all("/v1/refunds").await);
                all.extend(self.list_all("/v1/payment_intents").await);
                all
            }
            DataType::Products => {
                let mut all = self.list_all("/v1/products").await;
                let products: std::collections::BTreeSet<String> = all
                    .iter()
                    .map(|product| product["id"].as_str().unwrap().to_owned())
                    .collect();
                let mut prices = self.list_all("/v1/prices?active=true").await;
                prices.extend(self.list_all("/v1/prices?active=false").await);
                // Prices of a deleted product go with it.
                all.extend(
                    prices
                        .into_iter()
                        .filter(|price| products.contains(price["product"].as_str().unwrap())),
                );
                all
            }
            DataType::Transactions => self.list_all("/v1/balance_transactions").await,
            other => panic!("no oracle for {other:?}"),
        };
        let document = serde_json::to_vec(&objects).unwrap();
        map_document(data_type, &document)
            .unwrap()
            .into_iter()
            .map(|record| {
                let json = serde_json::to_value(&record).unwrap();
                let id = json["id"]
                    .as_str()
                    .unwrap_or(commerce_model::COMPANY_INFO_RECORD_ID)
                    .to_owned();
                (id, json)
            })
            .collect()
    }
}
