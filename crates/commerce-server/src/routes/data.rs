//! Data status, queueing pulls, and pull-operation history:
//! `GET /companies/{id}/dataStatus`, `POST /companies/{id}/data/all`,
//! `POST /companies/{id}/data/queue/{dataType}?connectionId=`,
//! `GET /companies/{id}/data/history[/{datasetId}]`.

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use commerce_model::{DataType, Page};
use commerce_store::{ConnectionStatus, DataTypeStatus};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{load_connection, query_params, CompanyPath, Paging};
use crate::codat;
use crate::error::ApiError;
use crate::state::AppState;

/// Every data type keyed by its Codat key; for several connections, each type shows its most
/// recently requested pull.
pub(crate) async fn status(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
) -> Result<Json<Value>, ApiError> {
    let mut latest: BTreeMap<DataType, (chrono::DateTime<chrono::Utc>, DataTypeStatus)> =
        BTreeMap::new();
    for connection in state.store().list_connections(company.id).await? {
        for (data_type, status) in state.store().data_statuses(connection.id).await? {
            let requested = state
                .store()
                .get_dataset(status.latest_sync_id)
                .await?
                .requested;
            let newer = latest
                .get(&data_type)
                .is_none_or(|(seen, _)| requested > *seen);
            if newer {
                latest.insert(data_type, (requested, status));
            }
        }
    }
    let mut object = Map::new();
    for data_type in DataType::ALL {
        let status = latest.get(data_type).map(|(_, status)| status);
        object.insert(
            data_type.key().to_owned(),
            codat::data_status(data_type.key(), status),
        );
    }
    Ok(Json(Value::Object(object)))
}

/// Queues every data type of every `Linked` connection of the company; `204`.
pub(crate) async fn queue_all(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
) -> Result<StatusCode, ApiError> {
    for connection in state.store().list_connections(company.id).await? {
        if connection.status == ConnectionStatus::Linked
            && state.platform(&connection.platform_key).is_some()
        {
            crate::app::queue_syncs(&state, &connection).await?;
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Queues one data type; without `connectionId`, on the company's first `Linked` connection.
/// When a pull of that type is already queued or running, answers that pull operation.
pub(crate) async fn queue_one(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
    Path((_, data_type)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let data_type = DataType::parse(&data_type)
        .map_err(|_| ApiError::not_found(format!("Datatype {data_type} not found")))?;
    let params = query_params(raw.as_deref());
    let connection = match params.get("connectionId").filter(|id| !id.is_empty()) {
        Some(id) => load_connection(&state, &company, id).await?,
        None => state
            .store()
            .list_connections(company.id)
            .await?
            .into_iter()
            .find(|connection| connection.status == ConnectionStatus::Linked)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Company {} has no Linked data connection to sync",
                    company.id
                ))
            })?,
    };
    // A pull of that type already queued or running is answered as is (Codat documents no
    // 409 here): the client sees its status.
    let dataset = match state.engine().queue(connection.id, data_type).await {
        Ok(dataset) => dataset,
        Err(commerce_sync::SyncError::Store(commerce_store::StoreError::DatasetInProgress {
            dataset_id,
            ..
        })) => state.store().get_dataset(dataset_id).await?,
        Err(other) => return Err(other.into()),
    };
    Ok(Json(codat::pull_operation(&dataset)))
}

/// The company's pull operations, newest first.
pub(crate) async fn history(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
    paging: Paging,
) -> Result<Json<Page<Value>>, ApiError> {
    let paging = paging.without_query("pull operations")?;
    let (datasets, total) = state
        .store()
        .list_datasets(company.id, paging.offset(), u64::from(paging.page_size))
        .await?;
    Ok(Json(Page::new(
        datasets.iter().map(codat::pull_operation).collect(),
        paging.page,
        paging.page_size,
        total,
        &format!("/companies/{}/data/history", company.id),
        &[],
    )))
}

pub(crate) async fn history_one(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
    Path((_, dataset_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let not_found = || ApiError::not_found(format!("Pull operation {dataset_id} not found"));
    let id = Uuid::parse_str(&dataset_id).map_err(|_| not_found())?;
    let dataset = match state.store().get_dataset(id).await {
        Ok(dataset) if dataset.company_id == company.id => dataset,
        Ok(_) | Err(commerce_store::StoreError::NotFound { .. }) => return Err(not_found()),
        Err(error) => return Err(error.into()),
    };
    Ok(Json(codat::pull_operation(&dataset)))
}
