//! Opens a fresh store on each engine and cleans it up; `both_engines!` turns each
//! `async fn name(h: &Harness)` into one test per engine.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use commerce_store::{EncryptionKey, Engine, Store};
use sqlx::Connection as _;

pub(crate) const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
const PG_PREFIX: &str = "commerce_it_";

pub(crate) struct Harness {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { admin_url: String, database: String },
}

macro_rules! both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let harness = crate::harness::Harness::sqlite().await;
                    super::$name(&harness).await;
                    harness.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(harness) = crate::harness::Harness::postgres().await else { return };
                    super::$name(&harness).await;
                    harness.finish().await;
                }
            )*
        }
    };
}
pub(crate) use both_engines;

fn unique_suffix() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    format!("{seconds}_{}", uuid::Uuid::new_v4().simple())
}

pub(crate) fn key() -> EncryptionKey {
    EncryptionKey::from_base64(KEY).unwrap()
}

impl Harness {
    pub(crate) async fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!("commerce_store_it_{}.db", unique_suffix()));
        let url = format!("sqlite://{}", path.display());
        let store = Store::connect(&url, key()).await.unwrap();
        Harness {
            store,
            url,
            cleanup: Cleanup::Sqlite(path),
        }
    }

    /// `None` (after one line on stderr) when PostgreSQL is unreachable and
    /// `COMMERCE_SKIP_PG=1`; otherwise an unreachable server fails the test.
    pub(crate) async fn postgres() -> Option<Self> {
        let admin_url =
            std::env::var("COMMERCE_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned());
        let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
            Ok(connection) => connection,
            Err(error) => {
                if std::env::var("COMMERCE_SKIP_PG").as_deref() == Ok("1") {
                    eprintln!(
                        "skipped: PostgreSQL unreachable at {admin_url} and COMMERCE_SKIP_PG=1"
                    );
                    return None;
                }
                panic!(
                    "PostgreSQL is unreachable at {admin_url} ({error}); start it, point \
                     COMMERCE_TEST_PG_URL at one, or set COMMERCE_SKIP_PG=1 to skip these tests"
                );
            }
        };
        drop_stale_databases(&mut admin).await;
        let database = format!("{PG_PREFIX}{}", unique_suffix());
        sqlx::query(&format!("CREATE DATABASE \"{database}\""))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        let url = replace_database(&admin_url, &database);
        let store = Store::connect(&url, key()).await.unwrap();
        Some(Harness {
            store,
            url,
            cleanup: Cleanup::Postgres {
                admin_url,
                database,
            },
        })
    }

    pub(crate) fn engine(&self) -> Engine {
        self.store.engine()
    }

    /// Another store on the same database, e.g. with a different key.
    pub(crate) async fn reopen(&self, key: impl Into<commerce_store::EncryptionKeys>) -> Store {
        Store::connect(&self.url, key).await.unwrap()
    }

    /// Every byte the database holds for the credentials table, as text, read around the
    /// store: the SQLite file with its WAL, or PostgreSQL's rows as JSON.
    /// Every link state row's hash and sealed value, as bytes.
    pub(crate) async fn raw_link_states(&self) -> Vec<u8> {
        let query = "SELECT state_hash, state_sealed FROM link_states";
        let rows: Vec<(String, Option<Vec<u8>>)> = match &self.cleanup {
            Cleanup::Sqlite(_) => {
                let mut connection = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                let rows = sqlx::query_as(query)
                    .fetch_all(&mut connection)
                    .await
                    .unwrap();
                connection.close().await.unwrap();
                rows
            }
            Cleanup::Postgres { .. } => {
                let mut connection = sqlx::PgConnection::connect(&self.url).await.unwrap();
                let rows = sqlx::query_as(query)
                    .fetch_all(&mut connection)
                    .await
                    .unwrap();
                connection.close().await.unwrap();
                rows
            }
        };
        assert!(!rows.is_empty());
        let mut bytes = Vec::new();
        for (hash, sealed) in rows {
            assert!(sealed.is_some(), "sealed value stored");
            bytes.extend(hash.into_bytes());
            bytes.extend(sealed.unwrap_or_default());
        }
        bytes
    }

    pub(crate) async fn raw_credentials_dump(&self) -> Vec<u8> {
        match &self.cleanup {
            Cleanup::Sqlite(path) => {
                let mut connection = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                let rows: Vec<(Vec<u8>, Option<Vec<u8>>)> =
                    sqlx::query_as("SELECT access_token, refresh_token FROM credentials")
                        .fetch_all(&mut connection)
                        .await
                        .unwrap();
                connection.close().await.unwrap();
                assert!(!rows.is_empty());
                let mut bytes = std::fs::read(path).unwrap();
                let mut wal = path.clone().into_os_string();
                wal.push("-wal");
                bytes.extend(std::fs::read(PathBuf::from(wal)).unwrap_or_default());
                for (access, refresh) in rows {
                    bytes.extend(access);
                    bytes.extend(refresh.unwrap_or_default());
                }
                bytes
            }
            Cleanup::Postgres { .. } => {
                let mut connection = sqlx::PgConnection::connect(&self.url).await.unwrap();
                let rows: Vec<String> =
                    sqlx::query_scalar("SELECT row_to_json(c)::text FROM credentials c")
                        .fetch_all(&mut connection)
                        .await
                        .unwrap();
                let raw: Vec<(Vec<u8>, Option<Vec<u8>>)> =
                    sqlx::query_as("SELECT access_token, refresh_token FROM credentials")
                        .fetch_all(&mut connection)
                        .await
                        .unwrap();
                connection.close().await.unwrap();
                assert!(!rows.is_empty());
                let mut bytes = rows.join("\n").into_bytes();
                for (access, refresh) in raw {
                    bytes.extend(access);
                    bytes.extend(refresh.unwrap_or_default());
                }
                bytes
            }
        }
    }

    pub(crate) async fn finish(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(file));
                }
            }
            Cleanup::Postgres {
                admin_url,
                database,
            } => {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
                sqlx::query(&format!(
                    "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
                ))
                .execute(&mut admin)
                .await
                .unwrap();
                admin.close().await.unwrap();
            }
        }
    }
}

fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |at| at + 3);
    let server = match base[after_scheme..].find('/') {
        Some(at) => &base[..after_scheme + at],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

/// Drops test databases left behind by runs that panicked more than an hour ago.
async fn drop_stale_databases(admin: &mut sqlx::PgConnection) {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE datname LIKE 'commerce\\_it\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    .unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for name in names {
        let created: Option<u64> = name
            .strip_prefix(PG_PREFIX)
            .and_then(|rest| rest.split('_').next()?.parse().ok());
        if created.is_some_and(|created| created + 3600 < now) {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut *admin)
                .await;
        }
    }
}
