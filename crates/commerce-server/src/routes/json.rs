//! The JSON of a company and of a connection, in Codat's shapes (`crate::codat`) with what the
//! store knows on top: a connection's last successful sync, a company's connections and tags.

use chrono::{DateTime, Utc};
use commerce_store::{Company, Connection};
use serde_json::Value;

use crate::codat;
use crate::error::ApiError;
use crate::state::AppState;

pub(crate) async fn company_json(state: &AppState, company: &Company) -> Result<Value, ApiError> {
    let connections = state.store().list_connections(company.id).await?;
    let mut last_sync: Option<DateTime<Utc>> = None;
    let mut values = Vec::with_capacity(connections.len());
    for connection in &connections {
        let (value, connection_sync) = connection_json(state, connection).await?;
        last_sync = last_sync.max(connection_sync);
        values.push(value);
    }
    let mut value = codat::company(company, state.public_url(), last_sync, values);
    let tags = state.store().company_tags(company.id).await?;
    if !tags.is_empty() {
        value["tags"] = serde_json::json!(tags);
    }
    Ok(value)
}

/// A connection's JSON and its last successful sync.
pub(crate) async fn connection_json(
    state: &AppState,
    connection: &Connection,
) -> Result<(Value, Option<DateTime<Utc>>), ApiError> {
    let statuses = state.store().data_statuses(connection.id).await?;
    let last_sync = statuses
        .values()
        .filter_map(|status| status.last_successful_sync)
        .max();
    let platform = state.platform(&connection.platform_key);
    let value = codat::connection(
        connection,
        platform.as_deref(),
        state.public_url(),
        last_sync,
    );
    Ok((value, last_sync))
}
