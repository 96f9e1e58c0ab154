//! Datasets (pull operations): queueing with Codat's conflict rule, leases for workers
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL, a single atomic `UPDATE ... RETURNING` on
//! SQLite), status changes, issues, per-type data status, and sync cursors.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use commerce_model::DataType;
use uuid::Uuid;

use crate::convert::{to_i64, to_u64};
use crate::error::StoreError;
use crate::store::{now, with_pool, Backend, Store};
use crate::types::{
    DataTypeStatus, Dataset, DatasetStatus, IssueSeverity, SyncCursor, ValidationIssue,
};

/// SQL list of the in-progress statuses; must match [`DatasetStatus::is_in_progress`] and
/// the partial unique index `datasets_one_in_progress`.
const IN_PROGRESS: &str = "('Initial', 'Queued', 'Fetching', 'MapQueued', 'Mapping', \
     'ProcessingQueued', 'Processing', 'ValidationQueued', 'Validating')";

const DATASET_COLUMNS: &str = "d.id, c.company_id, d.connection_id, d.data_type, d.status, \
     d.error_message, d.pages, d.records, d.requested_at, d.started_at, d.completed_at, \
     d.updated_at, d.lease_owner, d.lease_expires_at";

#[derive(sqlx::FromRow)]
struct DatasetRow {
    id: Uuid,
    company_id: Uuid,
    connection_id: Uuid,
    data_type: String,
    status: String,
    error_message: Option<String>,
    pages: i64,
    records: i64,
    requested_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    lease_owner: Option<String>,
    lease_expires_at: Option<DateTime<Utc>>,
}

impl TryFrom<DatasetRow> for Dataset {
    type Error = StoreError;

    fn try_from(row: DatasetRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            company_id: row.company_id,
            connection_id: row.connection_id,
            data_type: DataType::parse(&row.data_type).map_err(|_| StoreError::CorruptValue {
                column: "datasets.data_type",
                value: row.data_type.clone(),
            })?,
            status: crate::types::parse_dataset_status(&row.status)?,
            error_message: row.error_message,
            pages: to_u64(row.pages),
            records: to_u64(row.records),
            requested: row.requested_at,
            started: row.started_at,
            completed: row.completed_at,
            updated: row.updated_at,
            lease_owner: row.lease_owner,
            lease_expires_at: row.lease_expires_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct IssueRow {
    record_id: Option<String>,
    severity: String,
    message: String,
}

#[derive(sqlx::FromRow)]
struct CursorRow {
    cursor: Option<String>,
    backfill_complete: bool,
    last_event_at: Option<DateTime<Utc>>,
    backfill_generation: Option<Uuid>,
}

impl Store {
    /// Queues a dataset for a connection's data type, in status `Queued`. If one is already
    /// queued or running for that pair, fails with [`StoreError::DatasetInProgress`] (a
    /// conflict, enforced by a unique index so two concurrent callers cannot both succeed).
    pub async fn queue_dataset(
        &self,
        connection_id: Uuid,
        data_type: DataType,
    ) -> Result<Dataset, StoreError> {
        let id = Uuid::new_v4();
        let requested = now();
        let inserted = with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO datasets (id, connection_id, data_type, status, requested_at, updated_at) \
                 SELECT $1, id, $3, $4, $5, $5 FROM connections WHERE id = $2",
            )
            .bind(id)
            .bind(connection_id)
            .bind(data_type.key())
            .bind(DatasetStatus::Queued.as_str())
            .bind(requested)
            .execute(pool)
            .await
            .map(|result| result.rows_affected())
        });
        match inserted {
            Ok(0) => Err(StoreError::not_found("connection", connection_id)),
            Ok(_) => self.get_dataset(id).await,
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                let current = self.in_progress_dataset(connection_id, data_type).await?;
                Err(StoreError::DatasetInProgress {
                    connection_id,
                    data_type: data_type.key().to_owned(),
                    dataset_id: current.map(|dataset| dataset.id).unwrap_or_default(),
                })
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Records a dataset that ends as soon as it is requested, in the finished `status` (e.g.
    /// `NotSupported` for a data type the platform does not supply), with `error_message`.
    /// Requested, started and completed now; never leased. A finished dataset does not
    /// conflict with one in progress. An in-progress status is [`StoreError::InvalidTransition`].
    pub async fn record_finished_dataset(
        &self,
        connection_id: Uuid,
        data_type: DataType,
        status: DatasetStatus,
        error_message: Option<&str>,
    ) -> Result<Dataset, StoreError> {
        if status.is_in_progress() {
            return Err(StoreError::InvalidTransition {
                entity: "dataset",
                id: String::new(),
                from: DatasetStatus::Initial.to_string(),
                to: status.to_string(),
            });
        }
        let id = Uuid::new_v4();
        let at = now();
        let inserted = with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO datasets (id, connection_id, data_type, status, error_message, \
                 requested_at, started_at, completed_at, updated_at) \
                 SELECT $1, id, $3, $4, $5, $6, $6, $6, $6 FROM connections WHERE id = $2",
            )
            .bind(id)
            .bind(connection_id)
            .bind(data_type.key())
            .bind(status.as_str())
            .bind(error_message)
            .bind(at)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if inserted == 0 {
            return Err(StoreError::not_found("connection", connection_id));
        }
        self.get_dataset(id).await
    }

    /// The dataset queued or running for a connection's data type, if any.
    pub async fn in_progress_dataset(
        &self,
        connection_id: Uuid,
        data_type: DataType,
    ) -> Result<Option<Dataset>, StoreError> {
        let sql = format!(
            "SELECT {DATASET_COLUMNS} FROM datasets d JOIN connections c ON c.id = d.connection_id \
             WHERE d.connection_id = $1 AND d.data_type = $2 AND d.status IN {IN_PROGRESS}"
        );
        let row: Option<DatasetRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql).bind(connection_id).bind(data_type.key()).fetch_optional(pool).await?
        });
        row.map(Dataset::try_from).transpose()
    }

    /// One dataset.
    pub async fn get_dataset(&self, id: Uuid) -> Result<Dataset, StoreError> {
        let sql = format!(
            "SELECT {DATASET_COLUMNS} FROM datasets d JOIN connections c ON c.id = d.connection_id \
             WHERE d.id = $1"
        );
        let row: Option<DatasetRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.ok_or_else(|| StoreError::not_found("dataset", id))?
            .try_into()
    }

    /// A company's datasets, newest first, `limit` from `offset`, and the total count
    /// (Codat's pull-operation history).
    pub async fn list_datasets(
        &self,
        company_id: Uuid,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<Dataset>, u64), StoreError> {
        let sql = format!(
            "SELECT {DATASET_COLUMNS} FROM datasets d JOIN connections c ON c.id = d.connection_id \
             WHERE c.company_id = $1 ORDER BY d.requested_at DESC, d.id LIMIT $2 OFFSET $3"
        );
        let (rows, total): (Vec<DatasetRow>, i64) = with_pool!(self, pool => {
            let rows = sqlx::query_as(&sql)
                .bind(company_id)
                .bind(to_i64(limit))
                .bind(to_i64(offset))
                .fetch_all(pool)
                .await?;
            let total = sqlx::query_scalar(
                "SELECT COUNT(*) FROM datasets d JOIN connections c ON c.id = d.connection_id \
                 WHERE c.company_id = $1",
            )
            .bind(company_id)
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        let datasets = rows
            .into_iter()
            .map(Dataset::try_from)
            .collect::<Result<_, _>>()?;
        Ok((datasets, to_u64(total)))
    }

    /// Claims the oldest dataset that is queued, or in progress with an expired lease, for
    /// `worker_id` until `lease` from now. A `Queued` dataset moves to `Fetching`; a reclaimed
    /// one keeps its status. Concurrent claimers (threads or processes) never get the same
    /// dataset: PostgreSQL uses `FOR UPDATE SKIP LOCKED`, SQLite one atomic
    /// `UPDATE ... WHERE id = (SELECT ...) RETURNING` under its write lock.
    pub async fn claim_next_dataset(
        &self,
        worker_id: &str,
        lease: Duration,
    ) -> Result<Option<Dataset>, StoreError> {
        let claimed_at = now();
        let expires = lease_end(claimed_at, lease);
        let pick = format!(
            "SELECT id FROM datasets WHERE status IN {IN_PROGRESS} \
             AND (lease_owner IS NULL OR lease_expires_at <= $3) \
             ORDER BY requested_at, id LIMIT 1"
        );
        let pick = match &self.backend {
            Backend::Sqlite(_) => pick,
            Backend::Postgres(_) => format!("{pick} FOR UPDATE SKIP LOCKED"),
        };
        let sql = format!(
            "UPDATE datasets SET lease_owner = $1, lease_expires_at = $2, \
             status = CASE WHEN status IN ('Initial', 'Queued') THEN 'Fetching' ELSE status END, \
             started_at = COALESCE(started_at, $3), updated_at = $3 \
             WHERE id = ({pick}) RETURNING id"
        );
        let claimed: Option<Uuid> = with_pool!(self, pool => {
            sqlx::query_scalar(&sql)
                .bind(worker_id)
                .bind(expires)
                .bind(claimed_at)
                .fetch_optional(pool)
                .await?
        });
        match claimed {
            Some(id) => {
                tracing::debug!(dataset = %id, worker = worker_id, "dataset claimed");
                self.get_dataset(id).await.map(Some)
            }
            None => Ok(None),
        }
    }

    /// Extends the lease of `worker_id` on a dataset to `lease` from now. Fails with
    /// [`StoreError::LeaseLost`] when the worker no longer holds it.
    pub async fn renew_lease(
        &self,
        dataset_id: Uuid,
        worker_id: &str,
        lease: Duration,
    ) -> Result<DateTime<Utc>, StoreError> {
        let renewed_at = now();
        let expires = lease_end(renewed_at, lease);
        let sql = format!(
            "UPDATE datasets SET lease_expires_at = $3, updated_at = $4 \
             WHERE id = $1 AND lease_owner = $2 AND status IN {IN_PROGRESS}"
        );
        let affected = with_pool!(self, pool => {
            sqlx::query(&sql)
                .bind(dataset_id)
                .bind(worker_id)
                .bind(expires)
                .bind(renewed_at)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if affected == 0 {
            return Err(StoreError::LeaseLost {
                dataset_id,
                worker_id: worker_id.to_owned(),
            });
        }
        Ok(expires)
    }

    /// Moves a leased dataset to another in-progress status (e.g. `Fetching` -> `Mapping`).
    /// A finished status here is [`StoreError::InvalidTransition`]: use
    /// [`Store::finish_dataset`].
    pub async fn set_dataset_status(
        &self,
        dataset_id: Uuid,
        worker_id: &str,
        status: DatasetStatus,
    ) -> Result<Dataset, StoreError> {
        if !status.is_in_progress() {
            let current = self.get_dataset(dataset_id).await?;
            return Err(StoreError::InvalidTransition {
                entity: "dataset",
                id: dataset_id.to_string(),
                from: current.status.to_string(),
                to: status.to_string(),
            });
        }
        self.update_leased(dataset_id, worker_id, status, None, false)
            .await
    }

    /// Ends a leased dataset in a finished status (`Complete`, `FetchError`, `AuthError`,
    /// `RateLimitError`, `NotSupported`, ...), with an error message for failures. Sets the
    /// completion time and releases the lease. An in-progress status here is
    /// [`StoreError::InvalidTransition`].
    pub async fn finish_dataset(
        &self,
        dataset_id: Uuid,
        worker_id: &str,
        status: DatasetStatus,
        error_message: Option<&str>,
    ) -> Result<Dataset, StoreError> {
        if status.is_in_progress() {
            let current = self.get_dataset(dataset_id).await?;
            return Err(StoreError::InvalidTransition {
                entity: "dataset",
                id: dataset_id.to_string(),
                from: current.status.to_string(),
                to: status.to_string(),
            });
        }
        self.update_leased(dataset_id, worker_id, status, error_message, true)
            .await
    }

    /// Cancels a queued or running dataset regardless of who holds it (status `Cancelled`).
    pub async fn cancel_dataset(&self, dataset_id: Uuid) -> Result<Dataset, StoreError> {
        let cancelled_at = now();
        let sql = format!(
            "UPDATE datasets SET status = 'Cancelled', completed_at = $2, updated_at = $2, \
             lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND status IN {IN_PROGRESS}"
        );
        let affected = with_pool!(self, pool => {
            sqlx::query(&sql).bind(dataset_id).bind(cancelled_at).execute(pool).await?.rows_affected()
        });
        if affected == 0 {
            let current = self.get_dataset(dataset_id).await?;
            return Err(StoreError::InvalidTransition {
                entity: "dataset",
                id: dataset_id.to_string(),
                from: current.status.to_string(),
                to: DatasetStatus::Cancelled.to_string(),
            });
        }
        self.get_dataset(dataset_id).await
    }

    async fn update_leased(
        &self,
        dataset_id: Uuid,
        worker_id: &str,
        status: DatasetStatus,
        error_message: Option<&str>,
        finish: bool,
    ) -> Result<Dataset, StoreError> {
        let changed_at = now();
        let sql = if finish {
            format!(
                "UPDATE datasets SET status = $3, error_message = $4, completed_at = $5, updated_at = $5, \
                 lease_owner = NULL, lease_expires_at = NULL \
                 WHERE id = $1 AND lease_owner = $2 AND status IN {IN_PROGRESS}"
            )
        } else {
            format!(
                "UPDATE datasets SET status = $3, error_message = COALESCE($4, error_message), updated_at = $5 \
                 WHERE id = $1 AND lease_owner = $2 AND status IN {IN_PROGRESS}"
            )
        };
        let affected = with_pool!(self, pool => {
            sqlx::query(&sql)
                .bind(dataset_id)
                .bind(worker_id)
                .bind(status.as_str())
                .bind(error_message)
                .bind(changed_at)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if affected == 0 {
            // Distinguish a missing dataset from a lost lease.
            self.get_dataset(dataset_id).await?;
            return Err(StoreError::LeaseLost {
                dataset_id,
                worker_id: worker_id.to_owned(),
            });
        }
        self.get_dataset(dataset_id).await
    }

    /// The validation issues recorded on a dataset, in the order they were written.
    pub async fn dataset_issues(
        &self,
        dataset_id: Uuid,
    ) -> Result<Vec<ValidationIssue>, StoreError> {
        let rows: Vec<IssueRow> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT record_id, severity, message FROM dataset_issues WHERE dataset_id = $1 ORDER BY id",
            )
            .bind(dataset_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|row| {
                Ok(ValidationIssue {
                    record_id: row.record_id,
                    severity: IssueSeverity::parse(&row.severity)?,
                    message: row.message,
                })
            })
            .collect()
    }

    /// Per data type of a connection: the latest dataset's status and the latest successful
    /// one (Codat's `dataStatus`). Types never queued are absent.
    pub async fn data_statuses(
        &self,
        connection_id: Uuid,
    ) -> Result<BTreeMap<DataType, DataTypeStatus>, StoreError> {
        // Only the two datasets per data type that matter (the latest, and the latest
        // complete one), picked in SQL: a connection synced every few minutes for months has
        // many thousands of datasets.
        let latest = |status_filter: &str| {
            format!(
                "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY data_type \
                 ORDER BY requested_at DESC, id) AS position FROM datasets \
                 WHERE connection_id = $1{status_filter}) ranked WHERE position = 1"
            )
        };
        let sql = format!(
            "SELECT {DATASET_COLUMNS} FROM datasets d JOIN connections c ON c.id = d.connection_id \
             WHERE d.id IN ({} UNION {}) ORDER BY d.requested_at DESC, d.id",
            latest(""),
            latest(" AND status = 'Complete'")
        );
        let rows: Vec<DatasetRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql).bind(connection_id).fetch_all(pool).await?
        });
        let mut statuses: BTreeMap<DataType, DataTypeStatus> = BTreeMap::new();
        for row in rows {
            let dataset = Dataset::try_from(row)?;
            let entry = statuses
                .entry(dataset.data_type)
                .or_insert_with(|| DataTypeStatus {
                    data_type: dataset.data_type,
                    current_status: dataset.status,
                    latest_sync_id: dataset.id,
                    latest_successful_sync_id: None,
                    last_successful_sync: None,
                });
            if entry.latest_successful_sync_id.is_none()
                && dataset.status == DatasetStatus::Complete
            {
                entry.latest_successful_sync_id = Some(dataset.id);
                entry.last_successful_sync = dataset.completed;
            }
        }
        Ok(statuses)
    }

    /// The sync cursor of a connection's data type, if one was stored.
    pub async fn get_cursor(
        &self,
        connection_id: Uuid,
        data_type: DataType,
    ) -> Result<Option<SyncCursor>, StoreError> {
        let row: Option<CursorRow> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT cursor, backfill_complete, last_event_at, backfill_generation FROM sync_cursors \
                 WHERE connection_id = $1 AND data_type = $2",
            )
            .bind(connection_id)
            .bind(data_type.key())
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|row| SyncCursor {
            cursor: row.cursor,
            backfill_complete: row.backfill_complete,
            last_event_time: row.last_event_at,
            backfill_generation: row.backfill_generation,
        }))
    }

    /// Forgets the sync cursor of a connection's data type, so the next sync is a full
    /// backfill (e.g. when the platform's change feed no longer reaches back to it).
    pub async fn reset_cursor(
        &self,
        connection_id: Uuid,
        data_type: DataType,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM sync_cursors WHERE connection_id = $1 AND data_type = $2")
                .bind(connection_id)
                .bind(data_type.key())
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

fn lease_end(from: DateTime<Utc>, lease: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(lease)
        .ok()
        .and_then(|lease| from.checked_add_signed(lease))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Select-list items giving the latest dataset of a data type and its latest `Complete` one
/// (see [`StatusRow`]), for the connection id and data-type key expressions given.
pub(crate) fn status_columns(connection: &str, data_type: &str) -> String {
    let latest = format!(
        "FROM datasets d WHERE d.connection_id = {connection} AND d.data_type = {data_type} \
         ORDER BY d.requested_at DESC, d.id LIMIT 1"
    );
    let complete = format!(
        "FROM datasets d WHERE d.connection_id = {connection} AND d.data_type = {data_type} \
         AND d.status = 'Complete' ORDER BY d.requested_at DESC, d.id LIMIT 1"
    );
    format!(
        "(SELECT d.id {latest}) AS latest_id, (SELECT d.status {latest}) AS latest_status, \
         (SELECT d.id {complete}) AS complete_id, (SELECT d.completed_at {complete}) AS completed_at"
    )
}

/// The columns of [`status_columns`].
#[derive(sqlx::FromRow)]
pub(crate) struct StatusRow {
    latest_id: Option<Uuid>,
    latest_status: Option<String>,
    complete_id: Option<Uuid>,
    completed_at: Option<DateTime<Utc>>,
}

impl StatusRow {
    pub(crate) fn into_status(
        self,
        data_type: DataType,
    ) -> Result<Option<DataTypeStatus>, StoreError> {
        let (Some(latest), Some(status)) = (self.latest_id, self.latest_status) else {
            return Ok(None);
        };
        Ok(Some(DataTypeStatus {
            data_type,
            current_status: crate::types::parse_dataset_status(&status)?,
            latest_sync_id: latest,
            latest_successful_sync_id: self.complete_id,
            last_successful_sync: self.complete_id.and(self.completed_at),
        }))
    }
}
