//! One worker's handling of one claimed dataset: the pull loop, page writes, lease renewal
//! and the mapping of platform errors to dataset statuses.

use std::time::Duration;

use commerce_model::platform::{Batch, Cursor, ErrorAction, PlatformError};
use commerce_model::DataType;
use commerce_store::{
    ConnectionStatus, Dataset, DatasetPage, DatasetStatus, PageWrite, RecordInput, StoreError,
    SyncCursor, ValidationIssue,
};
use futures::StreamExt as _;
use tokio::sync::watch;
use uuid::Uuid;

use crate::engine::SyncEngine;
use crate::error::SyncError;
use crate::events::{DatasetOutcome, SyncEvent};

/// The dataset a worker holds, and its running totals.
struct Job<'a> {
    engine: &'a SyncEngine,
    worker_id: &'a str,
    dataset_id: Uuid,
    connection_id: Uuid,
    data_type: DataType,
    pages: u64,
    records: u64,
    /// Bad-record issues not yet written (they go with the next page, or before finishing).
    pending_issues: Vec<ValidationIssue>,
    /// The generation marking the records of the full pull in progress (mark and sweep).
    generation: Option<Uuid>,
    /// Whether a full pull may mark and sweep: `false` while resuming a full pull begun
    /// without a generation (its earlier pages are unmarked, so a sweep would be wrong).
    may_sweep: bool,
}

impl SyncEngine {
    /// Claims the next claimable dataset for `worker_id` and pulls it to its end (or until
    /// `shutdown` becomes `true`, or the lease is lost). `None` when nothing is claimable.
    ///
    /// The building block of [`SyncEngine::run`] and [`SyncEngine::run_until_idle`]; `Err` only
    /// for store failures (the dataset is then resumed when its lease expires).
    pub async fn sync_next(
        &self,
        worker_id: &str,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<Option<DatasetOutcome>, SyncError> {
        let claimed = self
            .inner
            .store
            .claim_next_dataset(worker_id, self.inner.config.lease)
            .await?;
        let Some(dataset) = claimed else {
            return Ok(None);
        };
        let mut job = Job {
            engine: self,
            worker_id,
            dataset_id: dataset.id,
            connection_id: dataset.connection_id,
            data_type: dataset.data_type,
            pages: dataset.pages,
            records: dataset.records,
            pending_issues: Vec::new(),
            generation: None,
            may_sweep: true,
        };
        job.run(&dataset, shutdown).await.map(Some)
    }
}

impl Job<'_> {
    async fn run(
        &mut self,
        dataset: &Dataset,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<DatasetOutcome, SyncError> {
        let store = &self.engine.inner.store;
        let connection = store.get_connection(self.connection_id).await?;
        match connection.status {
            ConnectionStatus::Linked => {}
            ConnectionStatus::Unlinked => {
                return self
                    .finish(
                        DatasetStatus::Cancelled,
                        Some("the connection is Unlinked".to_owned()),
                    )
                    .await
            }
            other => {
                return self
                    .finish(
                        DatasetStatus::AuthError,
                        Some(format!(
                            "the connection is {other}: it must be linked again"
                        )),
                    )
                    .await
            }
        }
        let Some(platform) = self.engine.inner.registry.get(&connection.platform_key) else {
            let message = format!(
                "no platform is registered for key {:?}",
                connection.platform_key
            );
            return self
                .finish(DatasetStatus::InternalError, Some(message))
                .await;
        };
        if !platform.supports().contains(&self.data_type) {
            let message = format!(
                "data type {} is not supported by {}",
                self.data_type.key(),
                platform.name()
            );
            return self
                .finish(DatasetStatus::NotSupported, Some(message))
                .await;
        }
        let Some(mut stored_account) = store.linked_account(connection.id).await? else {
            return self
                .finish(
                    DatasetStatus::AuthError,
                    Some("the connection has no linked account".to_owned()),
                )
                .await;
        };
        if platform.needs_refresh(&stored_account.account, chrono::Utc::now()) {
            match self
                .engine
                .refresh_credentials(
                    connection.id,
                    platform.as_ref(),
                    &stored_account,
                    self.worker_id,
                )
                .await?
            {
                Ok(refreshed) => stored_account = refreshed,
                Err(error) => return self.fail(error).await,
            }
        }

        let stored = store.get_cursor(self.connection_id, self.data_type).await?;
        if let Some(stored) = &stored {
            if !stored.backfill_complete && stored.cursor.is_some() {
                // Resuming a full pull: go on marking with its generation.
                self.generation = stored.backfill_generation;
                self.may_sweep = stored.backfill_generation.is_some();
            }
        }
        let mut cursor = stored.and_then(|stored| stored.cursor).map(Cursor::new);
        self.engine.emit(SyncEvent::Started {
            dataset_id: self.dataset_id,
            connection_id: self.connection_id,
            data_type: self.data_type,
            worker_id: self.worker_id.to_owned(),
            resumed: dataset.pages > 0,
        });
        tracing::debug!(dataset = %self.dataset_id, data_type = self.data_type.key(),
            worker = self.worker_id, cursor = cursor.as_ref().map(Cursor::as_str), "pull starts");

        // The heartbeat renews the lease on its own task, so it keeps beating while a page is
        // fetched or written; it reports a lost lease (another worker took the dataset over).
        let (lost_tx, mut lost) = watch::channel(false);
        let heartbeat = Heartbeat(Some(tokio::spawn(heartbeat(
            store.clone(),
            self.dataset_id,
            self.worker_id.to_owned(),
            self.engine.inner.config.lease,
            self.engine
                .inner
                .config
                .renew_every
                .max(Duration::from_millis(10)),
            lost_tx,
        ))));
        let mut restarted = false;
        let mut refreshes = 0_u32;
        // The platform's remark on the pull (its last batch's), for the status description.
        let mut note: Option<String> = None;
        'pull: loop {
            let account = stored_account.account.clone();
            let mut stream = platform.pull(&account, self.data_type, cursor.clone());
            loop {
                let item = tokio::select! {
                    biased;
                    changed = shutdown.changed() => {
                        if changed.is_err() || *shutdown.borrow() {
                            // Stop beating first, so no renewal follows the release.
                            heartbeat.stop().await;
                            return self.release("the worker is shutting down").await;
                        }
                        continue;
                    }
                    changed = lost.changed() => {
                        if changed.is_err() || *lost.borrow() {
                            drop(heartbeat);
                            return Ok(self.lost());
                        }
                        continue;
                    }
                    item = stream.next() => item,
                };
                let error = match item {
                    None => {
                        return self
                            .finish(
                                DatasetStatus::InternalError,
                                Some(
                                    "the platform ended the pull without its final batch"
                                        .to_owned(),
                                ),
                            )
                            .await
                    }
                    Some(Ok(batch)) => {
                        if batch.data_type != self.data_type {
                            let message = format!(
                                "the platform returned {} records for a {} pull",
                                batch.data_type.key(),
                                self.data_type.key()
                            );
                            return self
                                .finish(DatasetStatus::InternalError, Some(message))
                                .await;
                        }
                        let complete = batch.complete;
                        let next = batch.cursor.clone();
                        if batch.note.is_some() {
                            note = batch.note.clone();
                        }
                        match self.write(batch).await? {
                            // Progress: short-lived tokens may expire again later in a long
                            // pull, so the refresh allowance counts refreshes in a row.
                            Written::Yes => refreshes = 0,
                            Written::LeaseLost => return Ok(self.lost()),
                        }
                        cursor = Some(next);
                        if complete {
                            return self.finish(DatasetStatus::Complete, note).await;
                        }
                        // Unlinked while pulling: stop after this page (unlink wins).
                        let status = store.get_connection(self.connection_id).await?.status;
                        if status == ConnectionStatus::Unlinked {
                            drop(stream);
                            return self
                                .finish(
                                    DatasetStatus::Cancelled,
                                    Some(
                                        "the connection was unlinked during the pull; it stopped after the page in progress"
                                            .to_owned(),
                                    ),
                                )
                                .await;
                        }
                        continue;
                    }
                    Some(Err(error)) => error,
                };
                match error.action() {
                    ErrorAction::SkipRecord => {
                        let (id, message) = match &error {
                            PlatformError::BadRecord { id, message } => {
                                (id.clone(), message.clone())
                            }
                            other => (None, other.to_string()),
                        };
                        self.pending_issues.push(ValidationIssue::from(
                            commerce_model::platform::RecordIssue { id, message },
                        ));
                    }
                    ErrorAction::RefreshCredentials if refreshes < MAX_REFRESHES_PER_PULL => {
                        drop(stream);
                        refreshes += 1;
                        tracing::info!(dataset = %self.dataset_id, reason = %error,
                            "access expired; refreshing the credentials");
                        match self
                            .engine
                            .refresh_credentials(
                                self.connection_id,
                                platform.as_ref(),
                                &stored_account,
                                self.worker_id,
                            )
                            .await?
                        {
                            Ok(refreshed) => {
                                stored_account = refreshed;
                                continue 'pull;
                            }
                            Err(error) => return self.fail(error).await,
                        }
                    }
                    ErrorAction::Relink => return self.fail(error).await,
                    ErrorAction::RestartFullPull if !restarted && cursor.is_some() => {
                        tracing::info!(dataset = %self.dataset_id, reason = %error,
                            "cursor expired; restarting with a full pull");
                        store
                            .reset_cursor(self.connection_id, self.data_type)
                            .await?;
                        cursor = None;
                        restarted = true;
                        self.generation = None;
                        self.may_sweep = true;
                        continue 'pull;
                    }
                    _ => return self.fail(error).await,
                }
            }
        }
    }

    /// Ends the dataset with the status `error` maps to; a platform asking to link again also
    /// marks the connection `Deauthorized`.
    async fn fail(&mut self, error: PlatformError) -> Result<DatasetOutcome, SyncError> {
        let message = error.to_string();
        if error.action() == ErrorAction::Relink {
            if let Err(error) = self.deauthorize(&message).await {
                tracing::warn!(connection = %self.connection_id, error = %error,
                    "could not mark the connection Deauthorized");
            }
        }
        let status = error.dataset_status();
        let mut message = message;
        if status == DatasetStatus::RateLimitError {
            // The platform client already waited out its patience: say when the schedule
            // queues the data type again.
            let retry = self.engine.inner.config.schedule.rate_limit_retry;
            let at = chrono::Utc::now() + chrono::Duration::from_std(retry).unwrap_or_default();
            message.push_str(&format!(
                "; tried again after {}",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
        self.finish(status, Some(message)).await
    }

    /// Writes one batch with its cursor and the pending issues, in one transaction.
    ///
    /// Pages of a full pull (`incremental: false`) mark their records with the pull's
    /// generation; its last page also sweeps (soft-deletes) the records it did not see.
    async fn write(&mut self, batch: Batch) -> Result<Written, SyncError> {
        let mut page = PageWrite::new(self.connection_id, self.data_type);
        let count = (batch.records.len() + batch.deleted_ids.len()) as u64;
        let full = !batch.incremental;
        if full && self.may_sweep && self.generation.is_none() {
            self.generation = Some(Uuid::new_v4());
        }
        let generation = if full && self.may_sweep {
            self.generation
        } else {
            None
        };
        page.seen_generation = generation;
        page.sweep_unseen = generation.is_some() && batch.complete;
        page.records = batch.records.into_iter().map(RecordInput::from).collect();
        page.deletions = batch.deleted_ids;
        page.cursor = Some(
            SyncCursor::new(
                Some(batch.cursor.as_str().to_owned()),
                batch.incremental || batch.complete,
                None,
            )
            .with_backfill_generation(generation.filter(|_| !batch.complete)),
        );
        let mut dataset_page = DatasetPage::new(self.dataset_id, self.worker_id);
        dataset_page.issues = std::mem::take(&mut self.pending_issues);
        dataset_page
            .issues
            .extend(batch.issues.into_iter().map(ValidationIssue::from));
        page.dataset = Some(dataset_page);
        match self.engine.inner.store.write_page(&page).await {
            Ok(_) => {}
            Err(StoreError::LeaseLost { .. }) => return Ok(Written::LeaseLost),
            Err(error) => return Err(error.into()),
        }
        self.pages += 1;
        self.records += count;
        if batch.complete {
            self.generation = None;
            self.may_sweep = true;
        }
        self.engine.emit(SyncEvent::Page {
            dataset_id: self.dataset_id,
            connection_id: self.connection_id,
            data_type: self.data_type,
            pages: self.pages,
            records: self.records,
            fetched: batch.progress.fetched,
            estimated_total: batch.progress.estimated_total,
        });
        Ok(Written::Yes)
    }

    /// Marks the connection `Deauthorized` (only from `Linked`, so an `Unlinked` connection
    /// stays so).
    async fn deauthorize(&self, reason: &str) -> Result<(), StoreError> {
        self.engine
            .deauthorize_linked(self.connection_id, reason)
            .await
    }

    /// Ends the dataset (writing pending issues first).
    async fn finish(
        &mut self,
        status: DatasetStatus,
        error_message: Option<String>,
    ) -> Result<DatasetOutcome, SyncError> {
        let store = &self.engine.inner.store;
        if !self.pending_issues.is_empty() {
            let mut page = PageWrite::new(self.connection_id, self.data_type);
            let mut dataset_page = DatasetPage::new(self.dataset_id, self.worker_id);
            dataset_page.issues = std::mem::take(&mut self.pending_issues);
            page.dataset = Some(dataset_page);
            match store.write_page(&page).await {
                Ok(_) => {}
                Err(StoreError::LeaseLost { .. }) => return Ok(self.lost()),
                Err(error) => return Err(error.into()),
            }
        }
        match store
            .finish_dataset(
                self.dataset_id,
                self.worker_id,
                status,
                error_message.as_deref(),
            )
            .await
        {
            Ok(_) => {}
            Err(StoreError::LeaseLost { .. }) => return Ok(self.lost()),
            Err(error) => return Err(error.into()),
        }
        if status == DatasetStatus::Complete {
            tracing::debug!(dataset = %self.dataset_id, data_type = self.data_type.key(), pages = self.pages, records = self.records, "dataset complete");
        } else {
            tracing::info!(dataset = %self.dataset_id, data_type = self.data_type.key(), status = %status, error = error_message.as_deref().unwrap_or(""), "dataset ended");
        }
        self.engine.emit(SyncEvent::Finished {
            dataset_id: self.dataset_id,
            connection_id: self.connection_id,
            data_type: self.data_type,
            status,
            error_message,
        });
        Ok(DatasetOutcome::Finished {
            dataset_id: self.dataset_id,
            status,
        })
    }

    /// Lets the dataset go unfinished: its lease ends now, so any worker resumes it.
    async fn release(&self, reason: &str) -> Result<DatasetOutcome, SyncError> {
        match self
            .engine
            .inner
            .store
            .renew_lease(self.dataset_id, self.worker_id, Duration::ZERO)
            .await
        {
            Ok(_) | Err(StoreError::LeaseLost { .. }) => {}
            Err(error) => return Err(error.into()),
        }
        self.engine.emit(SyncEvent::Released {
            dataset_id: self.dataset_id,
            reason: reason.to_owned(),
        });
        Ok(DatasetOutcome::Released {
            dataset_id: self.dataset_id,
        })
    }

    fn lost(&self) -> DatasetOutcome {
        tracing::warn!(dataset = %self.dataset_id, worker = self.worker_id, "lease lost; another worker resumes the dataset");
        self.engine.emit(SyncEvent::Released {
            dataset_id: self.dataset_id,
            reason: "the lease was lost".to_owned(),
        });
        DatasetOutcome::Released {
            dataset_id: self.dataset_id,
        }
    }
}

enum Written {
    Yes,
    LeaseLost,
}

/// The heartbeat task of a claimed dataset; stopped when dropped (the job ended).
struct Heartbeat(Option<tokio::task::JoinHandle<()>>);

impl Heartbeat {
    /// Stops the heartbeat and waits until it has.
    async fn stop(mut self) {
        if let Some(handle) = self.0.take() {
            handle.abort();
            let _ = handle.await;
        }
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        if let Some(handle) = &self.0 {
            handle.abort();
        }
    }
}

/// Renews the lease of `dataset_id` every `every` until the lease is lost (then says so on
/// `lost`) or the task is aborted. A failed renewal (database unreachable) is retried at the
/// next beat: the lease still runs for `lease` from the last good one.
async fn heartbeat(
    store: commerce_store::Store,
    dataset_id: Uuid,
    worker_id: String,
    lease: Duration,
    every: Duration,
    lost: watch::Sender<bool>,
) {
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        beat.tick().await;
        match store.renew_lease(dataset_id, &worker_id, lease).await {
            Ok(_) => {}
            Err(StoreError::LeaseLost { .. }) => {
                let _ = lost.send(true);
                return;
            }
            Err(error) => {
                tracing::warn!(dataset = %dataset_id, worker = %worker_id, error = %error,
                    "could not renew the lease; trying again at the next heartbeat");
            }
        }
    }
}

/// How many times one pull may refresh its credentials without writing a batch in between
/// before the dataset fails. A page may take several requests, each waiting for the rate
/// budget, so short-lived tokens can expire more than once before a batch is written; the
/// bound only stops a platform that keeps answering "expired" from looping forever.
const MAX_REFRESHES_PER_PULL: u32 = 8;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use commerce_model::platform::{PlatformError, RetryKind};
    use commerce_model::DataType;
    use commerce_store::DatasetStatus;

    fn status_for(error: &PlatformError) -> DatasetStatus {
        error.dataset_status()
    }

    #[test]
    fn platform_errors_map_to_codat_statuses() {
        let cases = [
            (
                PlatformError::RetryLater {
                    kind: RetryKind::RateLimited,
                    retry_after: Some(Duration::from_secs(1)),
                    message: "429".to_owned(),
                    source: None,
                },
                DatasetStatus::RateLimitError,
            ),
            (
                PlatformError::RetryLater {
                    kind: RetryKind::Unavailable,
                    retry_after: None,
                    message: "503".to_owned(),
                    source: None,
                },
                DatasetStatus::FetchError,
            ),
            (
                PlatformError::RelinkNeeded {
                    reason: "revoked".to_owned(),
                },
                DatasetStatus::AuthError,
            ),
            (
                PlatformError::NotSupported {
                    data_type: DataType::Orders,
                },
                DatasetStatus::NotSupported,
            ),
            (
                PlatformError::PermissionDenied {
                    message: "no".to_owned(),
                },
                DatasetStatus::PermissionsError,
            ),
            (
                PlatformError::Internal {
                    message: "bug".to_owned(),
                    source: None,
                },
                DatasetStatus::InternalError,
            ),
        ];
        for (error, status) in cases {
            assert_eq!(status_for(&error), status, "{error}");
        }
    }
}
