//! End to end: the engine with the real `commerce_stripe::StripePlatform` against
//! `stripe-sandbox`, on SQLite and on PostgreSQL. The oracle is the mapping crate's
//! `map_document` over the sandbox's raw lists, read directly over HTTP.

mod deauthorize;
mod faults;
mod full_and_incremental;
mod process;
mod rate;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use commerce_model::platform::LinkedAccount;
use commerce_model::DataType;
use commerce_store::{DatasetStatus, NewCompany, RecordQuery, Store, StoredRecord};
use commerce_stripe::{map_document, StripePlatform, SUPPORTED_DATA_TYPES};
use commerce_sync::{PlatformRegistry, SyncConfig, SyncEngine};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::Value;
use stripe_client::{ClientConfig, RetryPolicy, StripeClient};
use stripe_connect::{Integration, Mode, Scope};
use stripe_sandbox::{RateLimits, Sandbox, SandboxConfig, SandboxHandle};
use uuid::Uuid;

/// A fixed sandbox "now", so data is the same on every run and in every sandbox.
pub(crate) const START: i64 = 1_800_000_000;

/// The platform key of "Stripe Test".
pub(crate) const STRIPE_TEST: &str = "stripe-test";

/// Per data type, the live records by id (without the store's `modifiedDate`).
pub(crate) type Snapshot = BTreeMap<DataType, BTreeMap<String, Value>>;

pub(crate) struct StripeEnv {
    pub(crate) sandbox: SandboxHandle,
    pub(crate) key: String,
    pub(crate) client_id: String,
    pub(crate) accounts: Vec<String>,
}

/// A sandbox of `size` objects per resource, unlimited rate, fixed start time.
pub(crate) async fn sandbox(size: u64, configure: impl FnOnce(&mut SandboxConfig)) -> StripeEnv {
    let mut config = SandboxConfig::default();
    config.size = size;
    config.start_time = Some(START);
    config.rate_limits = RateLimits::unlimited();
    configure(&mut config);
    let sandbox = Sandbox::start(config).await.unwrap();
    let info = sandbox.info();
    StripeEnv {
        key: info.test.secret_key.expose_secret().to_owned(),
        client_id: info.test.client_id.clone(),
        accounts: info
            .test_accounts()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        sandbox,
    }
}

impl StripeEnv {
    pub(crate) fn account(&self) -> &str {
        &self.accounts[0]
    }

    /// A "Stripe Test" platform on this sandbox whose client makes up to `attempts` attempts
    /// (backoff caps from 50 ms to 1 s) and sends at most `rate` requests per second.
    pub(crate) fn platform(&self, attempts: u32, rate: u32) -> Arc<StripePlatform> {
        let base = self.sandbox.base_url();
        let integration = Integration::builder(
            Mode::Test,
            &self.client_id,
            SecretString::from(self.key.clone()),
            "http://127.0.0.1:9/oauth/stripe/callback",
        )
        .scope(Scope::ReadWrite)
        .connect_base(base)
        .build()
        .unwrap();
        let config = ClientConfig::builder(SecretString::from(self.key.clone()))
            .api_base(base)
            .rate_limit(rate)
            .endpoint_rate_limit(rate)
            .retry_policy(
                RetryPolicy::default()
                    .with_max_attempts(attempts)
                    .with_backoff(Duration::from_millis(50), Duration::from_secs(1)),
            )
            .build()
            .unwrap();
        let client = StripeClient::new(config).unwrap();
        Arc::new(StripePlatform::new(integration, client).unwrap())
    }

    pub(crate) fn engine(&self, store: Store, platform: Arc<StripePlatform>) -> SyncEngine {
        let config = SyncConfig::default()
            .with_worker_name("e2e")
            .with_workers(3)
            .with_poll_interval(Duration::from_millis(20));
        SyncEngine::new(store, PlatformRegistry::new().with(platform), config)
    }

    /// Every object of a list of `account`, read directly over HTTP.
    async fn list_all(&self, account: &str, path: &str) -> Vec<Value> {
        let http = reqwest::Client::new();
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut objects: Vec<Value> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut url = format!("{}{path}{separator}limit=100", self.sandbox.base_url());
            if let Some(after) = &after {
                url.push_str(&format!("&starting_after={after}"));
            }
            let page: Value = self.get_json(&http, account, &url).await;
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

    /// The ids of a list of `account`, in the list's order (newest first).
    pub(crate) async fn list_ids(&self, account: &str, path: &str) -> Vec<String> {
        self.list_all(account, path)
            .await
            .iter()
            .map(|object| object["id"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn get_json(&self, http: &reqwest::Client, account: &str, url: &str) -> Value {
        let response = http
            .get(url)
            .bearer_auth(&self.key)
            .header("Stripe-Account", account)
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

    /// What mapping every current sandbox object of `data_type` of `account` gives, by id.
    pub(crate) async fn expected(
        &self,
        account: &str,
        data_type: DataType,
    ) -> BTreeMap<String, Value> {
        let objects: Vec<Value> = match data_type {
            DataType::CompanyInfo => {
                let http = reqwest::Client::new();
                let base = self.sandbox.base_url();
                vec![
                    self.get_json(&http, account, &format!("{base}/v1/account"))
                        .await,
                    self.get_json(&http, account, &format!("{base}/v1/balance"))
                        .await,
                ]
            }
            DataType::Customers => self.list_all(account, "/v1/customers").await,
            DataType::Disputes => self.list_all(account, "/v1/disputes").await,
            DataType::Payments => {
                let mut all = self.list_all(account, "/v1/charges").await;
                all.extend(self.list_all(account, "/v1/refunds").await);
                all.extend(self.list_all(account, "/v1/payment_intents").await);
                all
            }
            DataType::Products => {
                let mut all = self.list_all(account, "/v1/products").await;
                let products: BTreeSet<String> = all
                    .iter()
                    .map(|product| product["id"].as_str().unwrap().to_owned())
                    .collect();
                let mut prices = self.list_all(account, "/v1/prices?active=true").await;
                prices.extend(self.list_all(account, "/v1/prices?active=false").await);
                all.extend(
                    prices
                        .into_iter()
                        .filter(|price| products.contains(price["product"].as_str().unwrap())),
                );
                all
            }
            DataType::Transactions => self.list_all(account, "/v1/balance_transactions").await,
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

    /// The oracle for every supported data type of `account`.
    pub(crate) async fn expected_all(&self, account: &str) -> Snapshot {
        let mut all = BTreeMap::new();
        for data_type in SUPPORTED_DATA_TYPES {
            all.insert(data_type, self.expected(account, data_type).await);
        }
        all
    }
}

/// A company with a `Linked` "Stripe Test" connection to `account`.
pub(crate) async fn link(store: &Store, account: &str) -> Uuid {
    let company = store
        .create_company(&NewCompany::named(format!("Merchant {account}")))
        .await
        .unwrap();
    let connection = store
        .create_connection(company.id, STRIPE_TEST)
        .await
        .unwrap();
    store
        .link_connection(connection.id, &{
            let mut linked = LinkedAccount::new(account, false);
            linked.access_token = Some(SecretString::from(format!("sk_acct_{account}")));
            linked
        })
        .await
        .unwrap();
    connection.id
}

/// The stored live records of every supported data type (without `modifiedDate`).
pub(crate) async fn snapshot(store: &Store, connection_id: Uuid) -> Snapshot {
    let mut all = BTreeMap::new();
    for data_type in SUPPORTED_DATA_TYPES {
        all.insert(data_type, live(store, connection_id, data_type).await);
    }
    all
}

pub(crate) async fn live(
    store: &Store,
    connection_id: Uuid,
    data_type: DataType,
) -> BTreeMap<String, Value> {
    let mut records = BTreeMap::new();
    for page in 1.. {
        let read = store
            .query_records(connection_id, data_type, &RecordQuery::page(page, 5000))
            .await
            .unwrap();
        let done = read.results.len() < 5000;
        for mut json in read.results {
            json.as_object_mut().unwrap().remove("modifiedDate");
            let id = json["id"]
                .as_str()
                .unwrap_or(commerce_model::COMPANY_INFO_RECORD_ID)
                .to_owned();
            assert!(
                records.insert(id.clone(), json).is_none(),
                "{id} read twice"
            );
        }
        if done {
            break;
        }
    }
    records
}

/// Asserts that two snapshots hold the same ids per data type and the same content.
pub(crate) fn assert_same(actual: &Snapshot, expected: &Snapshot, what: &str) {
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{what}: data types"
    );
    for (data_type, records) in expected {
        let stored = &actual[data_type];
        assert_eq!(stored.len(), records.len(), "{what}: {data_type:?} count");
        assert_eq!(
            stored.keys().collect::<Vec<_>>(),
            records.keys().collect::<Vec<_>>(),
            "{what}: {data_type:?} ids"
        );
        for (id, json) in records {
            assert_eq!(&stored[id], json, "{what}: {data_type:?} {id}");
        }
    }
}

/// One stored record, deleted or not.
pub(crate) async fn record(
    store: &Store,
    connection_id: Uuid,
    data_type: DataType,
    id: &str,
) -> StoredRecord {
    store
        .get_record(connection_id, data_type, id)
        .await
        .unwrap()
}

/// The latest dataset status of every supported data type.
pub(crate) async fn supported_statuses(
    store: &Store,
    connection_id: Uuid,
) -> BTreeMap<DataType, DatasetStatus> {
    crate::sync_support::statuses(store, connection_id)
        .await
        .into_iter()
        .filter(|(data_type, _)| SUPPORTED_DATA_TYPES.contains(data_type))
        .collect()
}

pub(crate) fn all_complete() -> BTreeMap<DataType, DatasetStatus> {
    SUPPORTED_DATA_TYPES
        .into_iter()
        .map(|data_type| (data_type, DatasetStatus::Complete))
        .collect()
}
