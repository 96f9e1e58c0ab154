//! Rotating the encryption key: re-sealing every stored secret under the newest configured key
//! ([`Store::rotate_encryption_keys`]), and counting which key seals what
//! ([`Store::sealed_values`]).
//!
//! The sealed columns, every one of which is visited here (a new sealed column must be added):
//! - `credentials.access_token` and `credentials.refresh_token` (bound to the connection);
//! - `webhook_consumers.secret` (bound to the consumer);
//! - `link_states.state_sealed` (bound to the connection).
//!
//! Safe while the service runs: each batch is one write transaction that reads its rows with a
//! row lock (`FOR UPDATE` on PostgreSQL; on SQLite the transaction starts with
//! `BEGIN IMMEDIATE`, which holds the database's write lock), re-seals them and writes them
//! back before committing. A credentials refresh that commits first is read and re-sealed (or
//! skipped: it was sealed with the newest key already); one that comes later waits for the
//! batch and then writes over it. Either way no refreshed token is lost. The re-sealed values
//! are the same secrets, so the credentials `version` (which tells a waiting refresher that
//! another one refreshed) does not move.

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::crypto::{
    sealed_by, EncryptionKeys, KeyId, ACCESS_TOKEN, CONSUMER_SECRET, LINK_STATE, REFRESH_TOKEN,
};
use crate::error::StoreError;
use crate::store::{in_transaction, Engine, Store};

/// The default number of rows per batch of [`Store::rotate_encryption_keys`].
pub const DEFAULT_ROTATION_BATCH: u32 = 100;

/// What [`Store::rotate_encryption_keys`] did, or what [`Store::sealed_values`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyRotationReport {
    /// The newest configured key: every value re-sealed is sealed by it.
    pub newest: KeyId,
    /// Stored values found, by the key that sealed them when they were read (a key id,
    /// `legacy (no key id)` for values written before key ids existed, or `unreadable`).
    pub sealed_by: BTreeMap<String, u64>,
    /// Values re-sealed under the newest key (0 when only counting).
    pub resealed: u64,
    /// Values that could not be opened with the configured keys, one line each (which secret of
    /// which owner, and why); they are left as they are.
    pub unreadable: Vec<String>,
    /// Batches (transactions) run.
    pub batches: u64,
}

impl KeyRotationReport {
    fn new(newest: KeyId) -> Self {
        Self {
            newest,
            sealed_by: BTreeMap::new(),
            resealed: 0,
            unreadable: Vec::new(),
            batches: 0,
        }
    }

    /// How many values are sealed by a key other than the newest (as found).
    pub fn not_newest(&self) -> u64 {
        let newest = self.newest.to_string();
        self.sealed_by
            .iter()
            .filter(|(label, _)| **label != newest)
            .map(|(_, count)| *count)
            .sum()
    }
}

/// What to do with each value found.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Count,
    Reseal,
}

/// One sealed value of a row: its column's label, the value, and what became of it.
struct Value<'a> {
    field: &'static str,
    sealed: &'a [u8],
}

impl Store {
    /// Re-seals every stored secret (connection credentials, webhook consumer secrets, pending
    /// link states) under the newest configured key, `batch` rows per transaction (at least 1),
    /// safely while other processes use the database (see the module docs). Values already
    /// sealed by the newest key are left alone; values no configured key opens are listed in
    /// [`KeyRotationReport::unreadable`] and left alone. Running it again is harmless.
    ///
    /// Every process must be configured with the new key list (newest first) before this runs,
    /// or it keeps sealing with the old key; [`Store::sealed_values`] afterwards tells whether
    /// any value still needs an older key.
    pub async fn rotate_encryption_keys(
        &self,
        batch: u32,
    ) -> Result<KeyRotationReport, StoreError> {
        self.visit_sealed(batch, Mode::Reseal).await
    }

    /// Counts the stored secrets by the key that sealed them, without changing anything: once
    /// [`KeyRotationReport::not_newest`] is 0, the older keys can be removed from the
    /// configuration.
    pub async fn sealed_values(&self) -> Result<KeyRotationReport, StoreError> {
        self.visit_sealed(DEFAULT_ROTATION_BATCH * 10, Mode::Count)
            .await
    }

    async fn visit_sealed(&self, batch: u32, mode: Mode) -> Result<KeyRotationReport, StoreError> {
        let limit = i64::from(batch.max(1));
        let mut report = KeyRotationReport::new(self.key.newest().id());
        let mut after = None;
        loop {
            let (last, rows) = self
                .credentials_batch(after, limit, mode, &mut report)
                .await?;
            report.batches += 1;
            if rows < limit {
                break;
            }
            after = last;
        }
        let mut after = None;
        loop {
            let (last, rows) = self
                .consumers_batch(after, limit, mode, &mut report)
                .await?;
            report.batches += 1;
            if rows < limit {
                break;
            }
            after = last;
        }
        let mut after = None;
        loop {
            let (last, rows) = self
                .link_states_batch(after, limit, mode, &mut report)
                .await?;
            report.batches += 1;
            if rows < limit {
                break;
            }
            after = last;
        }
        tracing::info!(
            resealed = report.resealed,
            unreadable = report.unreadable.len(),
            batches = report.batches,
            newest = %report.newest,
            "encryption key rotation pass finished"
        );
        Ok(report)
    }

    /// One batch of `credentials` after `after` (by connection id): the last id and the rows read.
    async fn credentials_batch(
        &self,
        after: Option<Uuid>,
        limit: i64,
        mode: Mode,
        report: &mut KeyRotationReport,
    ) -> Result<(Option<Uuid>, i64), StoreError> {
        let select = format!(
            "SELECT connection_id, access_token, refresh_token FROM credentials \
             WHERE ($1 IS NULL OR connection_id > $1) ORDER BY connection_id LIMIT $2{}",
            self.row_lock(mode)
        );
        let keys = &self.key;
        in_transaction!(self, tx => {
            let rows: Vec<(Uuid, Vec<u8>, Option<Vec<u8>>)> = sqlx::query_as(&select)
                .bind(after)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            let read = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            let last = rows.last().map(|row| row.0);
            for (connection_id, access, refresh) in rows {
                let mut values = vec![Value { field: ACCESS_TOKEN, sealed: &access }];
                if let Some(refresh) = &refresh {
                    values.push(Value { field: REFRESH_TOKEN, sealed: refresh });
                }
                let Some(mut resealed) =
                    reseal_row(keys, connection_id, "connection", &values, mode, report)
                else {
                    continue;
                };
                let new_refresh = if refresh.is_some() { resealed.pop() } else { None };
                let new_access = resealed.pop().unwrap_or_default();
                sqlx::query(
                    "UPDATE credentials SET access_token = $2, refresh_token = $3 \
                     WHERE connection_id = $1",
                )
                .bind(connection_id)
                .bind(new_access)
                .bind(new_refresh)
                .execute(&mut *tx)
                .await?;
            }
            Ok((last, read))
        })
    }

    /// One batch of `webhook_consumers` after `after` (by consumer id).
    async fn consumers_batch(
        &self,
        after: Option<Uuid>,
        limit: i64,
        mode: Mode,
        report: &mut KeyRotationReport,
    ) -> Result<(Option<Uuid>, i64), StoreError> {
        let select = format!(
            "SELECT id, secret FROM webhook_consumers \
             WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2{}",
            self.row_lock(mode)
        );
        let keys = &self.key;
        in_transaction!(self, tx => {
            let rows: Vec<(Uuid, Vec<u8>)> = sqlx::query_as(&select)
                .bind(after)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            let read = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            let last = rows.last().map(|row| row.0);
            for (id, secret) in rows {
                let values = [Value { field: CONSUMER_SECRET, sealed: &secret }];
                let Some(mut resealed) = reseal_row(keys, id, "webhook consumer", &values, mode, report)
                else {
                    continue;
                };
                sqlx::query("UPDATE webhook_consumers SET secret = $2 WHERE id = $1")
                    .bind(id)
                    .bind(resealed.pop().unwrap_or_default())
                    .execute(&mut *tx)
                    .await?;
            }
            Ok((last, read))
        })
    }

    /// One batch of sealed `link_states` after `after` (by state hash).
    async fn link_states_batch(
        &self,
        after: Option<String>,
        limit: i64,
        mode: Mode,
        report: &mut KeyRotationReport,
    ) -> Result<(Option<String>, i64), StoreError> {
        let select = format!(
            "SELECT state_hash, connection_id, state_sealed FROM link_states \
             WHERE state_sealed IS NOT NULL AND ($1 IS NULL OR state_hash > $1) \
             ORDER BY state_hash LIMIT $2{}",
            self.row_lock(mode)
        );
        let keys = &self.key;
        in_transaction!(self, tx => {
            let rows: Vec<(String, Uuid, Vec<u8>)> = sqlx::query_as(&select)
                .bind(after.as_deref())
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            let read = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            let last = rows.last().map(|row| row.0.clone());
            for (hash, connection_id, sealed) in rows {
                let values = [Value { field: LINK_STATE, sealed: &sealed }];
                let Some(mut resealed) =
                    reseal_row(keys, connection_id, "connection", &values, mode, report)
                else {
                    continue;
                };
                sqlx::query("UPDATE link_states SET state_sealed = $2 WHERE state_hash = $1")
                    .bind(&hash)
                    .bind(resealed.pop().unwrap_or_default())
                    .execute(&mut *tx)
                    .await?;
            }
            Ok((last, read))
        })
    }

    /// ` FOR UPDATE` when re-sealing on PostgreSQL (SQLite's `BEGIN IMMEDIATE` already holds
    /// the write lock).
    fn row_lock(&self, mode: Mode) -> &'static str {
        match (self.engine(), mode) {
            (Engine::Postgres, Mode::Reseal) => " FOR UPDATE",
            _ => "",
        }
    }
}

/// Counts a row's values by sealing key and, when re-sealing, returns every value of the row
/// sealed anew with the newest key, in order; `None` when the row is to be left as it is
/// (every value already under the newest key, a value unreadable, or only counting).
fn reseal_row(
    keys: &EncryptionKeys,
    owner: Uuid,
    owner_kind: &str,
    values: &[Value<'_>],
    mode: Mode,
    report: &mut KeyRotationReport,
) -> Option<Vec<Vec<u8>>> {
    for value in values {
        *report
            .sealed_by
            .entry(sealed_by(value.sealed).to_string())
            .or_insert(0) += 1;
    }
    if mode == Mode::Count || values.iter().all(|value| keys.is_current(value.sealed)) {
        return None;
    }
    let mut resealed = Vec::with_capacity(values.len());
    for value in values {
        let sealed = keys
            .decrypt(value.sealed, owner, value.field)
            .and_then(|plain| {
                use secrecy::ExposeSecret as _;
                keys.encrypt(plain.expose_secret(), owner, value.field)
            });
        match sealed {
            Ok(sealed) => resealed.push(sealed),
            Err(error) => {
                report
                    .unreadable
                    .push(format!("{} of {owner_kind} {owner}: {error}", value.field));
                return None;
            }
        }
    }
    report.resealed += u64::try_from(values.len()).unwrap_or(0);
    Some(resealed)
}
