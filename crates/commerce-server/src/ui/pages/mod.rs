//! The dashboard's handlers: the companies list, a connection's overview (company info,
//! balances, chart, actions), its record tables, and the two forms (sync now, create a link).
//!
//! Every read is bounded: companies are paged, records are read one page at a time through
//! `Store::query_records` (SQL `LIMIT`/`OFFSET`, filter pushed down), counts come from the
//! store's trigger-maintained per-data-type counts and the chart is SQL per-day sums over at
//! most 90 days. Nothing loads a whole data type.
//!
//! One submodule per section: `companies` (`GET /ui`), `connection` (the overview), `records`
//! (the tables) and `forms` (sync now, create a link); the helpers they share are here.
//!
//! Must not depend on any platform crate.

mod companies;
mod connection;
mod forms;
mod records;

use axum::http::{header, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use commerce_model::DataType;
use commerce_store::{Company, Connection, StoreError};
use uuid::Uuid;

use crate::state::AppState;
use crate::ui::html::message_page;

pub(crate) use self::companies::companies;
pub(crate) use self::connection::connection;
pub(crate) use self::forms::{create_link, sync_now};
pub(crate) use self::records::records;

// ---------------------------------------------------------------------------------------
// Shared helpers

/// The connection named in the path and its company, or the page to answer instead.
async fn load(state: &AppState, connection_id: &str) -> Result<(Connection, Company), Response> {
    let missing = || not_found("There is no such connection.");
    let id = Uuid::parse_str(connection_id).map_err(|_| missing())?;
    let connection = match state.store().get_connection(id).await {
        Ok(connection) => connection,
        Err(StoreError::NotFound { .. }) => return Err(missing()),
        Err(error) => return Err(store_failure(&error)),
    };
    let company = state
        .store()
        .get_company(connection.company_id)
        .await
        .map_err(|error| store_failure(&error))?;
    Ok((connection, company))
}

fn not_found(message: &str) -> Response {
    message_page(
        StatusCode::NOT_FOUND,
        "Not found",
        message,
        Some(("/ui", "Back to the dashboard")),
    )
}

fn store_failure(error: &StoreError) -> Response {
    tracing::error!(%error, "dashboard could not read the store");
    let mut response = message_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The data could not be read. Try again; if it keeps happening, see the server's log.",
        Some(("/ui", "Back to the dashboard")),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
    response
}

/// A whole number of at least 1, or `None`.
fn positive(text: Option<&str>) -> Option<u32> {
    text?.trim().parse::<u32>().ok().filter(|value| *value >= 1)
}

fn positive_or_zero(text: Option<&str>) -> Option<u32> {
    text?.trim().parse::<u32>().ok()
}

fn day_and_minute(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `commerce-companyInfo` as `Company info`.
fn data_type_label(data_type: DataType) -> String {
    let name = data_type
        .key()
        .strip_prefix("commerce-")
        .unwrap_or(data_type.key());
    let mut label = String::with_capacity(name.len() + 2);
    for (index, character) in name.chars().enumerate() {
        if index == 0 {
            label.extend(character.to_uppercase());
        } else if character.is_ascii_uppercase() {
            label.push(' ');
            label.push(character.to_ascii_lowercase());
        } else {
            label.push(character);
        }
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_type_labels_read_as_words() {
        assert_eq!(data_type_label(DataType::CompanyInfo), "Company info");
        assert_eq!(data_type_label(DataType::PaymentMethods), "Payment methods");
        assert_eq!(data_type_label(DataType::Payments), "Payments");
    }

    #[test]
    fn paging_numbers_are_lenient() {
        assert_eq!(positive(Some("3")), Some(3));
        assert_eq!(positive(Some("0")), None);
        assert_eq!(positive(Some("-1")), None);
        assert_eq!(positive(Some("x")), None);
        assert_eq!(positive(None), None);
    }
}
