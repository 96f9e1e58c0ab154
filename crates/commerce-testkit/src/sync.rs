//! Test databases (a fresh SQLite file or a fresh PostgreSQL database per test) and fixtures.

use std::sync::Arc;
use std::time::Duration;

use commerce_model::platform::LinkedAccount;
use commerce_model::DataType;
use commerce_store::{
    ConnectionStatus, DatasetStatus, EncryptionKey, NewCompany, RecordQuery, Store,
};
use commerce_sync::{PlatformRegistry, SyncConfig, SyncEngine};
use secrecy::SecretString;
use serde_json::Value;
use sqlx::Connection as _;
use uuid::Uuid;

use crate::paged::FakePlatform;

/// Where PostgreSQL tests create their databases (override with `COMMERCE_TEST_POSTGRES_URL`).
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub url: String,
    key: EncryptionKey,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Database { admin_url: String, name: String },
}

fn postgres_base() -> String {
    std::env::var("COMMERCE_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

impl TestDb {
    pub async fn new(kind: Kind) -> TestDb {
        let key = EncryptionKey::generate();
        match kind {
            Kind::Sqlite => {
                let path = std::env::temp_dir()
                    .join(format!("commerce-sync-{}.db", Uuid::new_v4().simple()));
                TestDb {
                    url: format!("sqlite://{}", path.display()),
                    key,
                    cleanup: Cleanup::File(path),
                }
            }
            Kind::Postgres => {
                let admin_url = postgres_base();
                let name = format!("commerce_sync_{}", Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|error| {
                    panic!("PostgreSQL tests need a server at {admin_url} (set COMMERCE_TEST_POSTGRES_URL): {error}")
                });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                let (base, _) = admin_url.rsplit_once('/').unwrap();
                TestDb {
                    url: format!("{base}/{name}"),
                    key,
                    cleanup: Cleanup::Database { admin_url, name },
                }
            }
        }
    }

    /// The encryption key, base64-encoded (for worker processes).
    pub fn key_base64(&self) -> String {
        use secrecy::ExposeSecret as _;
        self.key.to_base64().expose_secret().to_owned()
    }

    /// A new store handle (a new pool, as a new process would open).
    pub async fn store(&self) -> Store {
        Store::connect(&self.url, self.key.clone()).await.unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut name = path.clone().into_os_string();
                    name.push(suffix);
                    let _ = std::fs::remove_file(name);
                }
            }
            Cleanup::Database { admin_url, name } => {
                let admin_url = admin_url.clone();
                let name = name.clone();
                // Drop runs inside the test's runtime: drop the database from a thread of its own.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    runtime.block_on(async {
                        if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut admin)
                            .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A company with a `Linked` connection to the fake platform for `account`.
pub async fn linked_connection(store: &Store, account: &str) -> Uuid {
    let company = store
        .create_company(&NewCompany::named(format!("Company {account}")))
        .await
        .unwrap();
    let connection = store.create_connection(company.id, "fake").await.unwrap();
    store
        .link_connection(connection.id, &{
            let mut linked = LinkedAccount::new(account, false);
            linked.access_token = Some(SecretString::from(format!("token-{account}")));
            linked
        })
        .await
        .unwrap();
    connection.id
}

pub fn engine(store: Store, platform: &Arc<FakePlatform>, config: SyncConfig) -> SyncEngine {
    let registry = PlatformRegistry::new().with(platform.clone());
    SyncEngine::new(store, registry, config)
}

pub fn config(name: &str) -> SyncConfig {
    SyncConfig::default()
        .with_worker_name(name)
        .with_workers(2)
        .with_poll_interval(Duration::from_millis(20))
}

/// The stored live records of a data type, by id, without the store's `modifiedDate`.
pub async fn stored(
    store: &Store,
    connection_id: Uuid,
    data_type: DataType,
) -> std::collections::BTreeMap<String, Value> {
    let page = store
        .query_records(connection_id, data_type, &RecordQuery::page(1, 5000))
        .await
        .unwrap();
    page.results
        .into_iter()
        .map(|mut json| {
            json.as_object_mut().unwrap().remove("modifiedDate");
            (json["id"].as_str().unwrap().to_owned(), json)
        })
        .collect()
}

/// The latest dataset status of each data type of a connection.
pub async fn statuses(
    store: &Store,
    connection_id: Uuid,
) -> std::collections::BTreeMap<DataType, DatasetStatus> {
    store
        .data_statuses(connection_id)
        .await
        .unwrap()
        .into_iter()
        .map(|(data_type, status)| (data_type, status.current_status))
        .collect()
}

pub async fn connection_status(store: &Store, connection_id: Uuid) -> ConnectionStatus {
    store.get_connection(connection_id).await.unwrap().status
}

/// Polls `check` every 10 ms for up to 10 s.
pub async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1000 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}
