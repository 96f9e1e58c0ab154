//! Turns the sync engine's events into client webhooks, in a task of its own so syncs never wait
//! for it:
//!
//! - `read.completed`: when a dataset finishes and none of its connection's data types is queued
//!   or running any more, the connection's datasets that completed since its last
//!   `read.completed` (read from the store, so a lagging watcher still groups them), each with its
//!   status and whether records were created, changed or deleted
//!   (`Store::records_modified_since` the dataset started: a record's modification time moves
//!   only when its content changes).
//! - `connection.disconnected`: a dataset ended `AuthError` and the connection is now
//!   `Deauthorized` (the platform revoked access), unless that was already announced.
//!
//! Only datasets finished while this process runs are announced, when one of this process's
//! workers finishes a dataset (events are in-process); datasets that completed before it started
//! are not announced again.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use std::future::Future;

use commerce_store::{ConnectionStatus, Dataset, DatasetStatus, StoreError};
use commerce_sync::SyncEvent;
use serde_json::{json, Value};
use tokio::sync::broadcast;
use uuid::Uuid;

use super::{company_reference, ClientWebhooks, CONNECTION_DISCONNECTED, READ_COMPLETED};
use commerce_sync::SyncEngine;

/// How many of a company's latest datasets are looked at for one `read.completed`.
const RECENT_DATASETS: u64 = 200;

/// Runs until `shutdown` completes or the engine is gone.
pub(crate) async fn run<F>(
    hooks: ClientWebhooks,
    engine: SyncEngine,
    mut events: broadcast::Receiver<SyncEvent>,
    shutdown: F,
) where
    F: Future<Output = ()> + Send,
{
    tokio::pin!(shutdown);
    // Per connection, datasets that completed up to this time were announced (or finished
    // before this watcher started).
    let started = Utc::now();
    let mut announced: BTreeMap<Uuid, DateTime<Utc>> = BTreeMap::new();
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            () = &mut shutdown => return,
        };
        match event {
            Ok(SyncEvent::Finished {
                connection_id,
                status,
                ..
            }) => {
                let watermark = announced.get(&connection_id).copied().unwrap_or(started);
                match on_finished(&hooks, &engine, connection_id, status, watermark).await {
                    Ok(Some(next)) => {
                        announced.insert(connection_id, next);
                    }
                    Ok(None) => {}
                    Err(error) => {
                        tracing::error!(connection = %connection_id, error = %error, "could not queue a client webhook for a sync");
                    }
                }
            }
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "client webhooks fell behind the sync engine's events"
                );
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// Announces what the finished dataset calls for; returns the connection's new watermark when
/// a `read.completed` was queued.
async fn on_finished(
    hooks: &ClientWebhooks,
    engine: &SyncEngine,
    connection_id: Uuid,
    status: DatasetStatus,
    watermark: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let store = hooks.store();
    let connection = match store.get_connection(connection_id).await {
        Ok(connection) => connection,
        // Deleted meanwhile: `connection.deleted` says it all.
        Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(error) => return Err(error),
    };
    let company = store.get_company(connection.company_id).await?;
    if status == DatasetStatus::AuthError
        && connection.status == ConnectionStatus::Deauthorized
        && store
            .last_connection_event_type(connection.id)
            .await?
            .as_deref()
            != Some(CONNECTION_DISCONNECTED)
    {
        let payload = json!({
            "referenceCompany": company_reference(&company),
            "connection": hooks.connection_value(&connection, engine).await?,
        });
        hooks
            .emit(
                CONNECTION_DISCONNECTED,
                &company,
                Some(connection.id),
                payload,
            )
            .await?;
    }
    let busy = store
        .data_statuses(connection.id)
        .await?
        .values()
        .any(|status| status.current_status.is_in_progress());
    if busy {
        return Ok(None);
    }
    // Every dataset of the connection that completed since the last announcement, oldest first.
    let (recent, _) = store.list_datasets(company.id, 0, RECENT_DATASETS).await?;
    let mut finished: Vec<Dataset> = recent
        .into_iter()
        .filter(|dataset| {
            dataset.connection_id == connection.id
                && dataset
                    .completed
                    .is_some_and(|completed| completed > watermark)
        })
        .collect();
    if finished.is_empty() {
        return Ok(None);
    }
    finished.sort_by_key(|dataset| (dataset.completed, dataset.id));
    let next = finished
        .iter()
        .filter_map(|dataset| dataset.completed)
        .max()
        .unwrap_or(watermark);
    let mut data_types = Vec::with_capacity(finished.len());
    for dataset in &finished {
        data_types.push(summary(hooks, dataset).await?);
    }
    let payload = json!({
        "referenceCompany": company_reference(&company),
        "dataTypes": data_types,
    });
    hooks
        .emit(READ_COMPLETED, &company, Some(connection.id), payload)
        .await?;
    Ok(Some(next))
}

/// Codat's `dataTypeReadSummary` of one dataset.
async fn summary(hooks: &ClientWebhooks, dataset: &Dataset) -> Result<Value, StoreError> {
    let since = dataset.started.unwrap_or(dataset.requested);
    let modified = dataset.records > 0
        && hooks
            .store()
            .records_modified_since(dataset.connection_id, dataset.data_type, since)
            .await?;
    let issues: Vec<Value> = match &dataset.error_message {
        Some(message) if dataset.status.is_errored() => vec![json!({
            "type": format!("error.{}", dataset.status.as_str()),
            "message": message,
        })],
        _ => Vec::new(),
    };
    Ok(json!({
        "connectionId": dataset.connection_id,
        "dataType": dataset.data_type.key(),
        "datasetId": dataset.id,
        "recordsModified": modified,
        "status": dataset.status.as_str(),
        "issues": issues,
    }))
}
