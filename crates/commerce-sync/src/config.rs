//! How the engine runs: worker count, leases, polling and the re-sync schedule.

use std::collections::BTreeMap;
use std::time::Duration;

use commerce_model::DataType;

/// When data types are pulled again after a finished dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Schedule {
    /// The re-sync interval of data types without their own (24 hours by default).
    pub default_interval: Duration,
    /// Per-data-type intervals overriding the default.
    pub per_type: BTreeMap<DataType, Duration>,
    /// How long after a `RateLimitError` the data type is queued again (5 minutes by default).
    pub rate_limit_retry: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            default_interval: Duration::from_secs(24 * 60 * 60),
            per_type: BTreeMap::new(),
            rate_limit_retry: Duration::from_secs(5 * 60),
        }
    }
}

impl Schedule {
    /// The re-sync interval of `data_type`.
    pub fn interval(&self, data_type: DataType) -> Duration {
        self.per_type
            .get(&data_type)
            .copied()
            .unwrap_or(self.default_interval)
    }

    /// Sets the interval of one data type.
    pub fn with_interval(mut self, data_type: DataType, interval: Duration) -> Self {
        self.per_type.insert(data_type, interval);
        self
    }
}

/// The default lease: a dataset whose worker died (even by SIGKILL) is claimed again by
/// another worker at most this long (plus one poll interval) after its last heartbeat.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(10);

/// The engine's settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SyncConfig {
    /// How many datasets are pulled at the same time in this process (4 by default).
    pub workers: usize,
    /// Prefix of this process's worker ids in dataset leases; each worker appends `-<n>`.
    /// Defaults to `sync-<pid>-<random>` so processes sharing a database never collide.
    pub worker_name: String,
    /// How long a claimed dataset stays leased without renewal (10 s by default). A worker
    /// that dies holds its datasets at most this long before another worker resumes them.
    pub lease: Duration,
    /// How often a working worker's heartbeat renews its lease (every `lease / 3` by default).
    pub renew_every: Duration,
    /// How long an idle worker of [`crate::SyncEngine::run`] waits before looking for work
    /// again (1 s by default); queueing in this process wakes it at once.
    pub poll_interval: Duration,
    /// How often [`crate::SyncEngine::run`] checks the schedule (60 s by default).
    pub schedule_every: Duration,
    /// When data types are pulled again.
    pub schedule: Schedule,
}

impl Default for SyncConfig {
    fn default() -> Self {
        let lease = DEFAULT_LEASE;
        Self {
            workers: 4,
            worker_name: format!(
                "sync-{}-{}",
                std::process::id(),
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            ),
            lease,
            renew_every: lease / 3,
            poll_interval: Duration::from_secs(1),
            schedule_every: Duration::from_secs(60),
            schedule: Schedule::default(),
        }
    }
}

impl SyncConfig {
    /// Sets the number of workers (at least 1).
    pub fn with_workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Sets the lease, and the renewal period to a third of it.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self.renew_every = lease / 3;
        self
    }

    /// Sets the worker id prefix.
    pub fn with_worker_name(mut self, name: impl Into<String>) -> Self {
        self.worker_name = name.into();
        self
    }

    /// Sets the idle polling interval.
    pub fn with_poll_interval(mut self, poll_interval: Duration) -> Self {
        self.poll_interval = poll_interval;
        self
    }

    /// Sets the schedule.
    pub fn with_schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }
}
