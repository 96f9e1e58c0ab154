//! The commerce read routes: `GET /companies/{companyId}/connections/{connectionId}/data/{segment}`
//! and `.../{segment}/{id}` for every data type (`commerce-info` is one object, the others are
//! paged lists with `page`, `pageSize`, `query` and `orderBy`).
//!
//! Errors, as Codat: 404 for an unknown company, connection, data type or record and for a data
//! type the connection's platform does not support; 409 when the data type was never pulled
//! successfully; 400 for a bad `query`, `orderBy`, `page` or `pageSize`.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use commerce_model::{DataType, ModelError, OrderBy, Page, Query, COMPANY_INFO_RECORD_ID};
use commerce_store::{Connection, RecordQuery, StoreError};
use serde_json::value::RawValue;
use serde_json::Value;
use uuid::Uuid;

use super::{encode, load_company, load_connection, query_params, Paging};
use crate::error::ApiError;
use crate::state::AppState;

fn data_type_of(segment: &str) -> Result<DataType, ApiError> {
    DataType::ALL
        .iter()
        .copied()
        .find(|data_type| data_type.url_segment() == segment)
        .ok_or_else(|| ApiError::not_found(format!("Datatype {segment} not found")))
}

/// Checks the company, connection, platform support and that a pull completed.
async fn readable(
    state: &AppState,
    company_id: &str,
    connection_id: &str,
    data_type: DataType,
) -> Result<Connection, ApiError> {
    // One statement for the connection and the data type's status; the company is read only
    // to word a 404.
    let company_uuid = Uuid::parse_str(company_id).ok();
    let connection_uuid = Uuid::parse_str(connection_id).ok();
    let found = match (company_uuid, connection_uuid) {
        (Some(company), Some(connection)) => match state
            .store()
            .connection_and_status(company, connection, data_type)
            .await
        {
            Ok(found) => Some(found),
            Err(StoreError::NotFound { .. }) => None,
            Err(error) => return Err(error.into()),
        },
        _ => None,
    };
    let Some((connection, status)) = found else {
        // The same answers as `load_company` then `load_connection`.
        let company = load_company(state, company_id).await?;
        load_connection(state, &company, connection_id).await?;
        return Err(ApiError::not_found(format!(
            "Data connection {connection_id} not found"
        )));
    };
    if let Some(platform) = state.platform(&connection.platform_key) {
        if !platform.supports().contains(&data_type) {
            return Err(ApiError::not_found(format!(
                "Datatype {} not supported by platform(s) {}",
                data_type.key(),
                platform.name()
            )));
        }
    }
    match status {
        Some(status) if status.latest_successful_sync_id.is_some() => Ok(connection),
        Some(status) => Err(ApiError::conflict(format!(
            "The data set has not been synced yet (latest pull {} is {}).",
            status.latest_sync_id, status.current_status
        ))),
        None => Err(ApiError::conflict("The data set has not been requested.")),
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Path((company_id, connection_id, segment)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let data_type = data_type_of(&segment)?;
    // Parameters first: a query that cannot mean anything is 400 whatever the data's state.
    let paging = if data_type.is_paged() {
        let paging = Paging::parse(&query_params(raw.as_deref()))?;
        let request = record_query(data_type, &paging)?;
        Some((paging, request))
    } else {
        None
    };
    let connection = readable(&state, &company_id, &connection_id, data_type).await?;
    let Some((paging, request)) = paging else {
        return one(&state, &connection, data_type, COMPANY_INFO_RECORD_ID)
            .await
            .map(IntoResponse::into_response);
    };
    let page = state
        .store()
        .query_records_raw(connection.id, data_type, &request)
        .await
        .map_err(query_error)?;
    let mut extra: Vec<(&str, String)> = Vec::new();
    if let Some(query) = &paging.query {
        extra.push(("query", encode(query)));
    }
    if let Some(order_by) = &paging.order_by {
        extra.push(("orderBy", encode(order_by)));
    }
    let extra: Vec<(&str, &str)> = extra
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let base = format!(
        "/companies/{}/connections/{}/data/{}",
        connection.company_id,
        connection.id,
        data_type.url_segment()
    );
    // The records go out as stored, never parsed into values and serialized again.
    let page: Page<Box<RawValue>> = page.into_page(&base, &extra);
    Ok(Json(page).into_response())
}

pub(crate) async fn get_one(
    State(state): State<AppState>,
    Path((company_id, connection_id, segment, record_id)): Path<(String, String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let data_type = data_type_of(&segment)?;
    if !data_type.is_paged() {
        return Err(ApiError::not_found(format!(
            "No such resource: {segment} has no records by id"
        )));
    }
    let connection = readable(&state, &company_id, &connection_id, data_type).await?;
    one(&state, &connection, data_type, &record_id).await
}

async fn one(
    state: &AppState,
    connection: &Connection,
    data_type: DataType,
    id: &str,
) -> Result<Json<Value>, ApiError> {
    let not_found = || {
        ApiError::not_found(format!(
            "No {} record was found with ID {id}",
            data_type.key()
        ))
    };
    match state.store().get_record(connection.id, data_type, id).await {
        Ok(record) if !record.deleted => Ok(Json(record.data)),
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(not_found()),
        Err(error) => Err(error.into()),
    }
}

/// The one parser of a records read, used by the API and the dashboard alike: `query` and
/// `orderBy` parsed once into the model's typed values and checked against the data type's
/// declared fields (`Query::parse_for`), so that an unknown field, a value of the wrong type
/// or an operator the field's type does not take is a 400 saying which part is wrong.
pub(crate) fn record_query(data_type: DataType, paging: &Paging) -> Result<RecordQuery, ApiError> {
    let invalid = |item: &'static str| {
        move |error: ModelError| ApiError::invalid(item, format!("Error parsing query - {error}"))
    };
    let query = paging
        .query
        .as_deref()
        .map(|text| Query::parse_for(data_type, text))
        .transpose()
        .map_err(invalid("query"))?;
    let order_by = paging
        .order_by
        .as_deref()
        .map(|text| OrderBy::parse_for(data_type, text))
        .transpose()
        .map_err(invalid("orderBy"))?;
    Ok(RecordQuery::new(
        paging.page,
        paging.page_size,
        query,
        order_by,
    ))
}

fn query_error(error: StoreError) -> ApiError {
    match error {
        StoreError::InvalidQuery { reason } => {
            ApiError::invalid("query", format!("Error parsing query - {reason}"))
        }
        other => other.into(),
    }
}
