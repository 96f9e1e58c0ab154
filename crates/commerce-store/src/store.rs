//! The `Store` handle: connecting by URL, running the embedded migrations, and the
//! per-engine dispatch used by every other module.
//!
//! Both engines run the same SQL text wherever possible (`$N` parameters work on both);
//! only the JSON query translation and dataset claiming differ per engine.

use std::str::FromStr as _;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::cache::VersionedCache;
use crate::crypto::EncryptionKeys;
use crate::error::StoreError;
use crate::types::DailyTotal;

/// The default database: an SQLite file in the working directory, created when missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://commerce.db";

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine a [`Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Engine {
    /// SQLite (embedded, one file, WAL mode).
    Sqlite,
    /// PostgreSQL (for several worker processes on one database).
    Postgres,
}

/// How to open a [`Store`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoreConfig {
    /// `sqlite://path` (created when missing) or `postgres://...`.
    pub url: String,
    /// The most connections the pool opens.
    pub max_connections: u32,
    /// How long an SQLite writer waits for the lock before failing.
    pub busy_timeout: Duration,
}

impl StoreConfig {
    /// A configuration for `url` with the default pool size (10) and busy timeout (10 s).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 10,
            busy_timeout: Duration::from_secs(10),
        }
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self::new(DEFAULT_DATABASE_URL)
    }
}

/// The store: a connection pool on SQLite or PostgreSQL plus the keys that encrypt
/// credentials (newest first: see [`EncryptionKeys`]). Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct Store {
    pub(crate) backend: Backend,
    pub(crate) key: EncryptionKeys,
    pub(crate) counts: VersionedCache<i64>,
    pub(crate) daily_totals: VersionedCache<Vec<DailyTotal>>,
}

#[derive(Clone)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the engine's pool; the body is compiled once per engine.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite($pool) => $body,
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` (an expression of type `Result<T, StoreError>` that uses `$tx`, a `&mut`
/// transaction connection) in one write transaction, committed when it returns `Ok`.
/// SQLite transactions start with `BEGIN IMMEDIATE` so the write lock is taken up front and
/// the busy timeout applies, instead of failing when a reader upgrades.
macro_rules! in_transaction {
    ($store:expr, $tx:ident => $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite(pool) => {
                let mut transaction = pool.begin_with("BEGIN IMMEDIATE").await?;
                let result: Result<_, $crate::StoreError> = {
                    let $tx = &mut *transaction;
                    async { $body }.await
                };
                match result {
                    Ok(value) => {
                        transaction.commit().await?;
                        Ok(value)
                    }
                    Err(error) => {
                        transaction.rollback().await?;
                        Err(error)
                    }
                }
            }
            $crate::store::Backend::Postgres(pool) => {
                let mut transaction = pool.begin().await?;
                let result: Result<_, $crate::StoreError> = {
                    let $tx = &mut *transaction;
                    async { $body }.await
                };
                match result {
                    Ok(value) => {
                        transaction.commit().await?;
                        Ok(value)
                    }
                    Err(error) => {
                        transaction.rollback().await?;
                        Err(error)
                    }
                }
            }
        }
    };
}

pub(crate) use {in_transaction, with_pool};

impl Store {
    /// Opens the database at `url` with default settings and runs the migrations. `keys` is
    /// one [`crate::EncryptionKey`] or several ([`EncryptionKeys`], newest first).
    pub async fn connect(url: &str, keys: impl Into<EncryptionKeys>) -> Result<Self, StoreError> {
        Self::connect_with(&StoreConfig::new(url), keys).await
    }

    /// Opens the database described by `config` and runs the migrations.
    pub async fn connect_with(
        config: &StoreConfig,
        keys: impl Into<EncryptionKeys>,
    ) -> Result<Self, StoreError> {
        let key = keys.into();
        let url = config.url.as_str();
        let scheme = url
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let backend = match scheme.as_str() {
            "sqlite" => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(config.busy_timeout)
                    .foreign_keys(true)
                    // Per connection an 8 MiB page cache (up to 10 connections) and no memory
                    // map: a 1 GiB map made filtered reads at 1,000,000 records about 30%
                    // faster but counted the whole database file in the process's RSS (310 MiB
                    // in the 100k sync benchmark against a 150 MB budget); see
                    // docs/performance.md.
                    .pragma("cache_size", "-8192")
                    .pragma("mmap_size", "0");
                // Every connection to `sqlite::memory:` would be a database of its own.
                let max_connections = if url.contains(":memory:") {
                    1
                } else {
                    config.max_connections.max(1)
                };
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .connect_with(options)
                    .await?;
                Backend::Sqlite(pool)
            }
            "postgres" | "postgresql" => {
                let pool = PgPoolOptions::new()
                    .max_connections(config.max_connections.max(1))
                    .connect(url)
                    .await?;
                Backend::Postgres(pool)
            }
            _ => return Err(StoreError::UnsupportedDatabaseUrl { scheme }),
        };
        let store = Self {
            backend,
            key,
            counts: VersionedCache::default(),
            daily_totals: VersionedCache::default(),
        };
        store.migrate().await?;
        tracing::debug!(engine = ?store.engine(), "store opened and migrated");
        Ok(store)
    }

    /// Applies any embedded migration not yet applied. Idempotent; [`Store::connect`]
    /// already calls it.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(pool) => SQLITE_MIGRATOR.run(pool).await?,
            Backend::Postgres(pool) => POSTGRES_MIGRATOR.run(pool).await?,
        }
        Ok(())
    }

    /// The engine behind this store.
    pub fn engine(&self) -> Engine {
        match &self.backend {
            Backend::Sqlite(_) => Engine::Sqlite,
            Backend::Postgres(_) => Engine::Postgres,
        }
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("engine", &self.engine())
            .finish_non_exhaustive()
    }
}

/// The current time, truncated to milliseconds so that every engine stores and returns the
/// same instant and JSON dates compare as strings.
pub(crate) fn now() -> DateTime<Utc> {
    truncate(Utc::now())
}

pub(crate) fn truncate(time: DateTime<Utc>) -> DateTime<Utc> {
    let millis = time.timestamp_millis();
    DateTime::from_timestamp_millis(millis).unwrap_or(time)
}

/// The Codat date-time text for `time` (`2024-01-31T12:00:00.000Z`).
pub(crate) fn codat_date(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
