//! Turns the sync engine's events into client webhooks, in a task of its own so syncs never wait
//! for it:
//!
//! - `read.completed`: the datasets of a connection that finished since its last
//!   `read.completed`, once none of its data types is queued or running any more, each with its
//!   status and whether records were created, changed or deleted
//!   (`Store::records_modified_since` the dataset started: a record's modification time moves
//!   only when its content changes).
//! - `connection.disconnected`: a dataset ended `AuthError` and the connection is now
//!   `Deauthorized` (the platform revoked access), unless that was already announced.
//!
//! Only datasets finished by this process's workers are seen (events are in-process); datasets
//! finished before a restart but not yet announced are not announced after it.

use std::collections::BTreeMap;
use std::future::Future;

use commerce_store::{ConnectionStatus, Dataset, DatasetStatus, StoreError};
use commerce_sync::SyncEvent;
use serde_json::{json, Value};
use tokio::sync::broadcast;
use uuid::Uuid;

use super::{company_reference, ClientWebhooks, CONNECTION_DISCONNECTED, READ_COMPLETED};
use commerce_sync::SyncEngine;

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
    // Finished datasets not yet announced, by connection.
    let mut finished: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            () = &mut shutdown => return,
        };
        match event {
            Ok(SyncEvent::Finished {
                dataset_id,
                connection_id,
                status,
                ..
            }) => {
                finished.entry(connection_id).or_default().push(dataset_id);
                if let Err(error) =
                    on_finished(&hooks, &engine, connection_id, status, &mut finished).await
                {
                    tracing::error!(connection = %connection_id, error = %error, "could not queue a client webhook for a sync");
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

async fn on_finished(
    hooks: &ClientWebhooks,
    engine: &SyncEngine,
    connection_id: Uuid,
    status: DatasetStatus,
    finished: &mut BTreeMap<Uuid, Vec<Uuid>>,
) -> Result<(), StoreError> {
    let store = hooks.store();
    let connection = match store.get_connection(connection_id).await {
        Ok(connection) => connection,
        Err(StoreError::NotFound { .. }) => {
            // Deleted meanwhile: `connection.deleted` says it all.
            finished.remove(&connection_id);
            return Ok(());
        }
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
                company.id,
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
        return Ok(());
    }
    let Some(dataset_ids) = finished.remove(&connection_id) else {
        return Ok(());
    };
    let mut data_types = Vec::with_capacity(dataset_ids.len());
    for id in dataset_ids {
        let dataset = store.get_dataset(id).await?;
        data_types.push(summary(hooks, &dataset).await?);
    }
    let payload = json!({
        "referenceCompany": company_reference(&company),
        "dataTypes": data_types,
    });
    hooks
        .emit(READ_COMPLETED, company.id, Some(connection.id), payload)
        .await?;
    Ok(())
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
