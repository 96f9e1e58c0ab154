//! Progress of the engine, broadcast to subscribers (CLI progress bars, the API).

use commerce_model::DataType;
use commerce_store::DatasetStatus;
use uuid::Uuid;

/// Something the engine did. Subscribe with [`crate::SyncEngine::subscribe`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncEvent {
    /// A worker claimed a dataset and starts (or resumes) pulling it.
    Started {
        /// The dataset.
        dataset_id: Uuid,
        /// Its connection.
        connection_id: Uuid,
        /// Its data type.
        data_type: DataType,
        /// The worker.
        worker_id: String,
        /// Whether it resumes from a stored cursor.
        resumed: bool,
    },
    /// A page was committed.
    Page {
        /// The dataset.
        dataset_id: Uuid,
        /// Its connection.
        connection_id: Uuid,
        /// Its data type.
        data_type: DataType,
        /// Pages written on the dataset so far (including before a resume).
        pages: u64,
        /// Records written (upserted or deleted) on the dataset so far.
        records: u64,
        /// Objects the platform has read in this pull so far.
        fetched: u64,
        /// What the platform expects in total, when it knows.
        estimated_total: Option<u64>,
    },
    /// A dataset ended.
    Finished {
        /// The dataset.
        dataset_id: Uuid,
        /// Its connection.
        connection_id: Uuid,
        /// Its data type.
        data_type: DataType,
        /// Its final status.
        status: DatasetStatus,
        /// Why it failed, if it did.
        error_message: Option<String>,
    },
    /// A worker stopped working on a dataset without ending it (shutdown, or its lease was
    /// lost to another worker); it will be resumed from its last committed page.
    Released {
        /// The dataset.
        dataset_id: Uuid,
        /// Why.
        reason: String,
    },
}

/// What happened to one dataset a worker claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatasetOutcome {
    /// It ended in this status.
    Finished {
        /// The dataset.
        dataset_id: Uuid,
        /// The final status.
        status: DatasetStatus,
    },
    /// The worker let it go unfinished (shutdown or lost lease).
    Released {
        /// The dataset.
        dataset_id: Uuid,
    },
}

impl DatasetOutcome {
    /// The dataset concerned.
    pub fn dataset_id(&self) -> Uuid {
        match self {
            Self::Finished { dataset_id, .. } | Self::Released { dataset_id } => *dataset_id,
        }
    }
}
