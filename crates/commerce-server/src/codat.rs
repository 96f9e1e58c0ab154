//! Codat's JSON shapes for companies, connections, pull operations (datasets) and data status,
//! built from the store's types.

use chrono::{DateTime, SecondsFormat, Utc};
use commerce_model::platform::Platform;
use commerce_store::{
    Company, Connection, ConnectionStatus, DataTypeStatus, Dataset, DatasetStatus,
};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Codat's date-time text.
pub(crate) fn date(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A company (`Company`: `companyDetails` plus `dataConnections`).
///
/// `redirect` is where the link flow sends the merchant at the end, when the client set one;
/// otherwise the server's public URL (Codat requires the field).
pub(crate) fn company(
    company: &Company,
    public_url: &str,
    last_sync: Option<DateTime<Utc>>,
    connections: Vec<Value>,
) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(company.id));
    object.insert("name".into(), json!(company.name));
    if let Some(description) = &company.description {
        object.insert("description".into(), json!(description));
    }
    object.insert(
        "redirect".into(),
        json!(company.redirect.as_deref().unwrap_or(public_url)),
    );
    if let Some(last_sync) = last_sync {
        object.insert("lastSync".into(), json!(date(last_sync)));
    }
    object.insert("created".into(), json!(date(company.created)));
    object.insert("dataConnections".into(), Value::Array(connections));
    Value::Object(object)
}

/// A stable UUID derived from a label (Codat gives integrations and sources UUIDs).
fn derived_uuid(label: &str) -> Uuid {
    let digest = Sha256::digest(label.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // Version 8 (custom), RFC 9562 variant.
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

/// The `integrationId` of a platform key (stable across restarts).
pub(crate) fn integration_id(key: &str) -> Uuid {
    derived_uuid(&format!("integration:{key}"))
}

/// The `sourceId` of a platform family, named by its OAuth callback segment (`stripe` for
/// Stripe and Stripe Test).
pub(crate) fn source_id(family: &str) -> Uuid {
    derived_uuid(&format!("source:{family}"))
}

/// A stable id for something named by `label` (API keys from the configuration).
pub(crate) fn derived_id(label: &str) -> Uuid {
    derived_uuid(label)
}

/// A connection (`Connection`).
pub(crate) fn connection(
    connection: &Connection,
    platform: Option<&dyn Platform>,
    public_url: &str,
    last_sync: Option<DateTime<Utc>>,
) -> Value {
    let key = connection.platform_key.as_str();
    // From the platform's own description; a platform no longer registered shows its key.
    let info = platform.map(Platform::info);
    let integration_key = info.map_or(key, |info| info.codat_key.as_str());
    let platform_name = info.map_or(key, |info| info.name.as_str());
    let source = info.map_or(key, |info| info.callback_segment.as_str());
    let mut object = Map::new();
    object.insert("id".into(), json!(connection.id));
    object.insert("integrationId".into(), json!(integration_id(key)));
    object.insert("integrationKey".into(), json!(integration_key));
    object.insert("sourceId".into(), json!(source_id(source)));
    object.insert("platformName".into(), json!(platform_name));
    object.insert("linkUrl".into(), json!(link_url(public_url, connection.id)));
    object.insert("status".into(), json!(connection.status.as_str()));
    if let Some(last_sync) = last_sync {
        object.insert("lastSync".into(), json!(date(last_sync)));
    }
    object.insert("created".into(), json!(date(connection.created)));
    object.insert("sourceType".into(), json!("Commerce"));
    if let (Some(message), Some(at)) = (&connection.last_error, connection.last_error_at) {
        let errors = json!([{
            "statusText": connection.status.as_str(),
            "errorMessage": message,
            "erroredOnUtc": date(at),
            "status": if connection.status == ConnectionStatus::Linked { "Resolved" } else { "Active" },
        }]);
        object.insert("dataConnectionErrors".into(), errors);
    }
    Value::Object(object)
}

/// Where a merchant starts linking a connection.
pub(crate) fn link_url(public_url: &str, connection_id: Uuid) -> String {
    format!("{public_url}/link/{connection_id}")
}

/// A pull operation (`PullOperation`, formerly dataset).
///
/// `progress` is a percentage: 0 while queued, 100 once finished, 50 while running.
pub(crate) fn pull_operation(dataset: &Dataset) -> Value {
    let progress = if dataset.status.is_completed() {
        100
    } else if dataset.status == DatasetStatus::Queued {
        0
    } else {
        50
    };
    let mut object = Map::new();
    object.insert("id".into(), json!(dataset.id));
    object.insert("companyId".into(), json!(dataset.company_id));
    object.insert("connectionId".into(), json!(dataset.connection_id));
    object.insert("dataType".into(), json!(dataset.data_type.key()));
    object.insert("status".into(), json!(dataset.status.as_str()));
    if let Some(message) = &dataset.error_message {
        // Codat's `statusDescription` for every status (e.g. why a complete pull was a full
        // one); `errorMessage` only for a pull that did not complete.
        object.insert("statusDescription".into(), json!(message));
        if dataset.status != DatasetStatus::Complete {
            object.insert("errorMessage".into(), json!(message));
        }
    }
    object.insert("requested".into(), json!(date(dataset.requested)));
    if let Some(completed) = dataset.completed {
        object.insert("completed".into(), json!(date(completed)));
    }
    object.insert("progress".into(), json!(progress));
    object.insert("isCompleted".into(), json!(dataset.status.is_completed()));
    object.insert("isErrored".into(), json!(dataset.status.is_errored()));
    Value::Object(object)
}

/// One data type's `DataStatus`; a type never synced has only `dataType`.
pub(crate) fn data_status(key: &str, status: Option<&DataTypeStatus>) -> Value {
    let mut object = Map::new();
    object.insert("dataType".into(), json!(key));
    if let Some(status) = status {
        object.insert(
            "currentStatus".into(),
            json!(status.current_status.as_str()),
        );
        object.insert("latestSyncId".into(), json!(status.latest_sync_id));
        if let Some(id) = status.latest_successful_sync_id {
            object.insert("latestSuccessfulSyncId".into(), json!(id));
        }
        if let Some(time) = status.last_successful_sync {
            object.insert("lastSuccessfulSync".into(), json!(date(time)));
        }
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_uuids_are_stable_and_distinct() {
        assert_eq!(derived_uuid("source:acme"), derived_uuid("source:acme"));
        assert_ne!(
            derived_uuid("integration:acme"),
            derived_uuid("integration:acme-test")
        );
        assert_eq!(derived_uuid("x").get_version_num(), 8);
    }
}
