//! The engine handle: queueing, the schedule, and the worker pools of
//! [`SyncEngine::run`] and [`SyncEngine::run_until_idle`].

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::Utc;
use commerce_model::DataType;
use commerce_store::{ConnectionStatus, Dataset, DatasetStatus, Store, StoreError};
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::config::SyncConfig;
use crate::error::SyncError;
use crate::events::{DatasetOutcome, SyncEvent};
use crate::registry::PlatformRegistry;

/// How many events a slow subscriber may fall behind before it misses some.
const EVENT_BUFFER: usize = 1024;

/// The sync engine: a [`Store`], the platforms, and the settings. Cheap to clone (shared).
///
/// Lifecycle of a dataset: [`SyncEngine::queue`] (or [`SyncEngine::queue_all`], or the
/// schedule) creates it `Queued`; a worker claims it with a lease (status `Fetching`), pulls
/// the platform from the stored cursor and writes every batch with its cursor in one
/// transaction, renewing its lease meanwhile; it ends `Complete` or in an error status:
///
/// | platform error ([`commerce_model::platform::ErrorAction`]) | dataset | also |
/// |---|---|---|
/// | `Relink` (access revoked) | `AuthError` | connection `Deauthorized` |
/// | `RetryLater`, rate limited | `RateLimitError` | queued again by the schedule after [`crate::Schedule::rate_limit_retry`] |
/// | `RetryLater`, unavailable | `FetchError` | |
/// | `SkipDataType` | `NotSupported` / `PermissionsError` | |
/// | `SkipRecord` (bad record) | goes on | a validation issue on the dataset |
/// | `RestartFullPull` (cursor expired) | goes on | cursor dropped, full pull (once) |
/// | `Fail` | `InternalError` | |
///
/// Data types the platform does not support end `NotSupported` as soon as they are queued
/// (and a worker meeting one anyway ends it so), without calling the platform; datasets
/// of a connection that is no longer `Linked` end `AuthError` (`Cancelled` when `Unlinked`).
#[derive(Clone)]
pub struct SyncEngine {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Store,
    pub(crate) registry: PlatformRegistry,
    pub(crate) config: SyncConfig,
    pub(crate) events: broadcast::Sender<SyncEvent>,
    wake: Notify,
    worker_seq: AtomicU64,
}

/// What [`SyncEngine::queue_all`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct QueueAll {
    /// Datasets newly queued, one per data type the platform supports.
    pub queued: Vec<Dataset>,
    /// Datasets of the data types the platform does not support, recorded already ended in
    /// `NotSupported` (no worker sees them).
    pub not_supported: Vec<Dataset>,
    /// Datasets that were already queued or running, left as they are.
    pub in_progress: Vec<Dataset>,
}

/// What [`SyncEngine::run_until_idle`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct IdleSummary {
    /// Every dataset the workers claimed, in the order they let go of them.
    pub outcomes: Vec<DatasetOutcome>,
}

impl IdleSummary {
    /// The final status of a dataset processed in this run, if it finished in it.
    pub fn status_of(&self, dataset_id: Uuid) -> Option<DatasetStatus> {
        self.outcomes
            .iter()
            .rev()
            .find_map(|outcome| match outcome {
                DatasetOutcome::Finished {
                    dataset_id: id,
                    status,
                } if *id == dataset_id => Some(*status),
                _ => None,
            })
    }
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine")
            .field("store", &self.inner.store)
            .field("registry", &self.inner.registry)
            .field("config", &self.inner.config)
            .finish()
    }
}

impl SyncEngine {
    /// An engine on `store` pulling from the platforms in `registry`.
    pub fn new(store: Store, registry: PlatformRegistry, config: SyncConfig) -> Self {
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        Self {
            inner: Arc::new(Inner {
                store,
                registry,
                config,
                events,
                wake: Notify::new(),
                worker_seq: AtomicU64::new(0),
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The platforms.
    pub fn registry(&self) -> &PlatformRegistry {
        &self.inner.registry
    }

    /// The settings.
    pub fn config(&self) -> &SyncConfig {
        &self.inner.config
    }

    /// Progress events from now on (claims, committed pages, finished datasets). Polling the
    /// store ([`Store::get_dataset`], [`Store::data_statuses`]) gives the same figures, also
    /// for work done by other processes.
    pub fn subscribe(&self) -> broadcast::Receiver<SyncEvent> {
        self.inner.events.subscribe()
    }

    pub(crate) fn emit(&self, event: SyncEvent) {
        // No subscriber is fine.
        let _ = self.inner.events.send(event);
    }

    /// A new worker id, unique in this process (prefixed by [`SyncConfig::worker_name`]).
    pub fn next_worker_id(&self) -> String {
        let n = self.inner.worker_seq.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}", self.inner.config.worker_name)
    }

    /// Queues a pull of one data type of a `Linked` connection. A data type the connection's
    /// platform does not support gives a dataset already ended `NotSupported`.
    ///
    /// Fails with a conflict ([`SyncError::is_conflict`]) when a dataset of that type is
    /// already queued or running ([`StoreError::DatasetInProgress`]) or the connection is not
    /// `Linked`.
    pub async fn queue(
        &self,
        connection_id: Uuid,
        data_type: DataType,
    ) -> Result<Dataset, SyncError> {
        let connection = self.inner.store.get_connection(connection_id).await?;
        if connection.status != ConnectionStatus::Linked {
            return Err(SyncError::ConnectionNotLinked {
                connection_id,
                status: connection.status,
            });
        }
        if let Some(platform) = self.inner.registry.get(&connection.platform_key) {
            if !platform.supports().contains(&data_type) {
                return self
                    .not_supported(connection_id, data_type, platform.name())
                    .await;
            }
        }
        let dataset = self
            .inner
            .store
            .queue_dataset(connection_id, data_type)
            .await?;
        self.inner.wake.notify_waiters();
        Ok(dataset)
    }

    /// Queues every data type of a `Linked` connection (what linking does). Types already
    /// queued or running are left as they are and reported in [`QueueAll::in_progress`];
    /// types the platform does not support end `NotSupported` at once
    /// ([`QueueAll::not_supported`]).
    pub async fn queue_all(&self, connection_id: Uuid) -> Result<QueueAll, SyncError> {
        let connection = self.inner.store.get_connection(connection_id).await?;
        if connection.status != ConnectionStatus::Linked {
            return Err(SyncError::ConnectionNotLinked {
                connection_id,
                status: connection.status,
            });
        }
        let Some(platform) = self.inner.registry.get(&connection.platform_key) else {
            return Err(SyncError::UnknownPlatform {
                key: connection.platform_key,
            });
        };
        let mut outcome = QueueAll::default();
        for &data_type in DataType::ALL {
            if !platform.supports().contains(&data_type) {
                let dataset = self
                    .not_supported(connection_id, data_type, platform.name())
                    .await?;
                outcome.not_supported.push(dataset);
                continue;
            }
            match self
                .inner
                .store
                .queue_dataset(connection_id, data_type)
                .await
            {
                Ok(dataset) => outcome.queued.push(dataset),
                Err(StoreError::DatasetInProgress { .. }) => {
                    if let Some(dataset) = self
                        .inner
                        .store
                        .in_progress_dataset(connection_id, data_type)
                        .await?
                    {
                        outcome.in_progress.push(dataset);
                    }
                }
                Err(error) => return Err(error.into()),
            }
        }
        self.inner.wake.notify_waiters();
        Ok(outcome)
    }

    /// Wakes idle workers of this process (something was queued).
    pub(crate) fn wake_workers(&self) {
        self.inner.wake.notify_waiters();
    }

    /// Records a dataset of `data_type` ended `NotSupported` (nothing to pull).
    pub(crate) async fn not_supported(
        &self,
        connection_id: Uuid,
        data_type: DataType,
        platform: &str,
    ) -> Result<Dataset, SyncError> {
        let message = format!(
            "data type {} is not supported by {platform}",
            data_type.key()
        );
        let dataset = self
            .inner
            .store
            .record_finished_dataset(
                connection_id,
                data_type,
                DatasetStatus::NotSupported,
                Some(&message),
            )
            .await?;
        self.emit(SyncEvent::Finished {
            dataset_id: dataset.id,
            connection_id,
            data_type,
            status: DatasetStatus::NotSupported,
            error_message: Some(message),
        });
        Ok(dataset)
    }

    /// One pass of the schedule: for every `Linked` connection whose platform is registered,
    /// queues each data type that is due — never pulled, or last finished longer ago than its
    /// interval (the company's effective `syncSchedule`, see
    /// [`SyncEngine::effective_sync_settings`], else [`crate::Schedule::interval`]; [`crate::Schedule::rate_limit_retry`] after a
    /// `RateLimitError`). `NotSupported` types are queued again only if the platform now
    /// supports them; `AuthError` and `Cancelled` ones (the connection was deauthorized or
    /// unlinked, and has been linked again since) at once; a type the platform does not support
    /// (never pulled) ends `NotSupported` at once. Returns the datasets queued. Safe to run in several processes at once
    /// (a type queued meanwhile elsewhere is skipped).
    pub async fn schedule_due(&self) -> Result<Vec<Dataset>, SyncError> {
        let store = &self.inner.store;
        let schedule = &self.inner.config.schedule;
        let now = Utc::now();
        let mut queued = Vec::new();
        for connection in store
            .list_connections_by_status(ConnectionStatus::Linked)
            .await?
        {
            let Some(platform) = self.inner.registry.get(&connection.platform_key) else {
                continue;
            };
            let statuses = store.data_statuses(connection.id).await?;
            let settings = self
                .effective_sync_settings(Some(connection.company_id))
                .await?;
            for &data_type in DataType::ALL {
                let setting = settings.get(&data_type);
                let interval = setting.map_or(schedule.interval(data_type), |setting| {
                    setting.interval(schedule.interval(data_type))
                });
                let due = match statuses.get(&data_type) {
                    // Never pulled: at once, unless the data type is not fetched on first
                    // link; then one interval after the link.
                    None if setting.is_some_and(|setting| !setting.setting.fetch_on_first_link) => {
                        chrono::Duration::from_std(interval)
                            .ok()
                            .and_then(|wait| connection.updated.checked_add_signed(wait))
                            .is_some_and(|due_at| due_at <= now)
                    }
                    None => true,
                    Some(status) if status.current_status.is_in_progress() => false,
                    Some(status) if status.current_status == DatasetStatus::NotSupported => {
                        platform.supports().contains(&data_type)
                    }
                    // Ended because the connection was not linked; it is linked again.
                    Some(status)
                        if matches!(
                            status.current_status,
                            DatasetStatus::AuthError | DatasetStatus::Cancelled
                        ) =>
                    {
                        true
                    }
                    Some(status) => {
                        let latest = store.get_dataset(status.latest_sync_id).await?;
                        let wait = if latest.status == DatasetStatus::RateLimitError {
                            schedule.rate_limit_retry
                        } else {
                            interval
                        };
                        let ended = latest.completed.unwrap_or(latest.updated);
                        chrono::Duration::from_std(wait)
                            .ok()
                            .and_then(|wait| ended.checked_add_signed(wait))
                            .is_some_and(|due_at| due_at <= now)
                    }
                };
                if !due {
                    continue;
                }
                if !platform.supports().contains(&data_type) {
                    self.not_supported(connection.id, data_type, platform.name())
                        .await?;
                    continue;
                }
                match store.queue_dataset(connection.id, data_type).await {
                    Ok(dataset) => queued.push(dataset),
                    Err(StoreError::DatasetInProgress { .. }) => {}
                    Err(error) => return Err(error.into()),
                }
            }
        }
        if !queued.is_empty() {
            tracing::debug!(count = queued.len(), "scheduled datasets queued");
            self.inner.wake.notify_waiters();
        }
        Ok(queued)
    }

    /// Runs [`SyncConfig::workers`] workers until no dataset can be claimed, then returns what
    /// they did. Datasets leased by other live workers are not waited for. For the CLI and
    /// tests; a server uses [`SyncEngine::run`].
    ///
    /// Dropping the returned future stops the workers at once (nothing committed is lost).
    pub async fn run_until_idle(&self) -> Result<IdleSummary, SyncError> {
        let (_keep_open, shutdown) = watch::channel(false);
        let mut workers = JoinSet::new();
        for _ in 0..self.inner.config.workers.max(1) {
            let engine = self.clone();
            let mut shutdown = shutdown.clone();
            workers.spawn(async move {
                let worker_id = engine.next_worker_id();
                let mut outcomes = Vec::new();
                while let Some(outcome) = engine.sync_next(&worker_id, &mut shutdown).await? {
                    outcomes.push(outcome);
                }
                Ok::<_, SyncError>(outcomes)
            });
        }
        let mut summary = IdleSummary::default();
        let mut first_error = None;
        while let Some(joined) = workers.join_next().await {
            match joined {
                Ok(Ok(outcomes)) => summary.outcomes.extend(outcomes),
                Ok(Err(error)) => {
                    first_error.get_or_insert(error);
                }
                Err(error) => {
                    first_error.get_or_insert(SyncError::Worker {
                        message: error.to_string(),
                    });
                }
            }
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(summary),
        }
    }

    /// Runs the workers and the schedule until `shutdown` completes, then stops gracefully:
    /// workers stop claiming, a worker in the middle of a dataset stops between pages and
    /// releases its lease (the dataset is resumed from its last committed page by the next
    /// worker), and this returns once every worker has stopped.
    ///
    /// Store failures while claiming are logged and retried after
    /// [`SyncConfig::poll_interval`].
    pub async fn run<F>(&self, shutdown: F) -> Result<(), SyncError>
    where
        F: Future<Output = ()>,
    {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        for _ in 0..self.inner.config.workers.max(1) {
            let engine = self.clone();
            let stopped = stopped.clone();
            tasks.spawn(async move { engine.worker_loop(stopped).await });
        }
        let engine = self.clone();
        tasks.spawn(async move { engine.schedule_loop(stopped).await });

        shutdown.await;
        let _ = stop.send(true);
        let mut result = Ok(());
        while let Some(joined) = tasks.join_next().await {
            if let Err(error) = joined {
                result = Err(SyncError::Worker {
                    message: error.to_string(),
                });
            }
        }
        result
    }

    async fn worker_loop(&self, mut stopped: watch::Receiver<bool>) {
        let worker_id = self.next_worker_id();
        let poll = self.inner.config.poll_interval;
        loop {
            if *stopped.borrow() {
                return;
            }
            let idle = match self.sync_next(&worker_id, &mut stopped).await {
                Ok(Some(_)) => false,
                Ok(None) => true,
                Err(error) => {
                    tracing::warn!(worker = %worker_id, error = %error, "sync worker error; retrying");
                    true
                }
            };
            if idle {
                tokio::select! {
                    changed = stopped.changed() => if changed.is_err() { return },
                    () = self.inner.wake.notified() => {},
                    () = tokio::time::sleep(poll) => {},
                }
            }
        }
    }

    async fn schedule_loop(&self, mut stopped: watch::Receiver<bool>) {
        loop {
            if *stopped.borrow() {
                return;
            }
            if let Err(error) = self.schedule_due().await {
                tracing::warn!(error = %error, "sync schedule pass failed");
            }
            tokio::select! {
                changed = stopped.changed() => if changed.is_err() { return },
                () = tokio::time::sleep(self.inner.config.schedule_every) => {},
            }
        }
    }
}
