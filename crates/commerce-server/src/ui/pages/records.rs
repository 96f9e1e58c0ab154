//! `GET /ui/connections/{id}/{table}`: a connection's record tables, a page at a time.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::state::AppState;
use crate::ui::html::render;
use crate::ui::tables::{self, Cell, TableSpec};

use super::connection::{table_links, CompanyRef, TableLink};
use super::{load, not_found, store_failure};

/// Records per table page unless `pageSize` says otherwise.
const DEFAULT_ROWS: u32 = 25;
/// The most records a table page shows.
const MAX_ROWS: u32 = 200;

#[derive(Serialize)]
struct RecordsPage {
    title: String,
    company: CompanyRef,
    connection_href: String,
    connection_platform: String,
    table_title: &'static str,
    action: String,
    tables: Vec<TableLink>,
    columns: Vec<ColumnView>,
    rows: Vec<Vec<Cell>>,
    /// Columns left out because no record on this page has a value for them.
    empty_columns: Vec<&'static str>,
    query: String,
    order_by: String,
    page_size: u32,
    page: u32,
    pages: u64,
    total: u64,
    first_row: u64,
    last_row: u64,
    prev: Option<String>,
    next: Option<String>,
    first: Option<String>,
    error: Option<String>,
    examples: &'static [&'static str],
}

#[derive(Serialize)]
struct ColumnView {
    label: &'static str,
    kind: &'static str,
}

/// `GET /ui/connections/{id}/{table}`: one page of a data type, filtered by `query` (Codat's
/// query language) and ordered by `orderBy`. The parameters are read by the API's parser
/// ([`crate::routes::record_query`]): the same query string gets the same answer, and a bad
/// one is shown on the page with the API's message (status 400).
pub(crate) async fn records(
    State(state): State<AppState>,
    Path((connection_id, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (connection, company) = match load(&state, &connection_id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some(table) = tables::table(&slug) else {
        return not_found("There is no such table.");
    };
    let store = state.store();
    let counts = match store.count_records(connection.id).await {
        Ok(counts) => counts,
        Err(error) => return store_failure(&error),
    };
    let params = crate::routes::query_params(raw.as_deref());
    let text = |name: &str| {
        params
            .get(name)
            .map(|text| text.trim().to_owned())
            .unwrap_or_default()
    };
    let (query, order_by) = (text("query"), text("orderBy"));
    let (page, page_size, read) =
        match crate::routes::Paging::parse_with_default(&params, DEFAULT_ROWS).and_then(|paging| {
            // A table page shows at most `MAX_ROWS` records.
            let paging = crate::routes::Paging {
                page_size: paging.page_size.min(MAX_ROWS),
                ..paging
            };
            crate::routes::record_query(table.data_type, &paging).map(|request| (paging, request))
        }) {
            Ok((paging, request)) => (
                paging.page,
                paging.page_size,
                Ok(store
                    .query_records(connection.id, table.data_type, &request)
                    .await),
            ),
            Err(error) => (1, DEFAULT_ROWS, Err(error.message)),
        };
    let base = format!("/ui/connections/{}/{}", connection.id, table.slug);
    let mut view = RecordsPage {
        title: format!("{} — {}", table.title, company.name),
        company: CompanyRef {
            id: company.id.to_string(),
            name: company.name.clone(),
        },
        connection_href: format!("/ui/connections/{}", connection.id),
        connection_platform: connection.platform_key.clone(),
        table_title: table.title,
        action: base.clone(),
        tables: table_links(&connection, &counts, Some(table.slug)),
        columns: table
            .columns
            .iter()
            .map(|column| ColumnView {
                label: column.label,
                kind: match column.kind {
                    tables::Kind::Amount(_) | tables::Kind::Count => "amount",
                    _ => "text",
                },
            })
            .collect(),
        rows: Vec::new(),
        empty_columns: Vec::new(),
        query: query.clone(),
        order_by: order_by.clone(),
        page_size,
        page,
        pages: 1,
        total: 0,
        first_row: 0,
        last_row: 0,
        prev: None,
        next: None,
        first: None,
        error: None,
        examples: table.examples,
    };
    let status = match read {
        Ok(Ok(result)) => {
            fill_page(&mut view, table, &result, &base);
            StatusCode::OK
        }
        Ok(Err(error)) if error.is_bad_request() => {
            view.error = Some(format!("That query cannot be used: {error}."));
            StatusCode::BAD_REQUEST
        }
        Ok(Err(error)) => return store_failure(&error),
        Err(message) => {
            view.error = Some(format!("That query cannot be used: {message}."));
            StatusCode::BAD_REQUEST
        }
    };
    render(status, "records.html", view)
}

fn fill_page(
    view: &mut RecordsPage,
    table: &TableSpec,
    result: &commerce_store::RecordPage,
    base: &str,
) {
    let size = u64::from(view.page_size);
    let page = u64::from(view.page);
    view.total = result.total_results;
    view.pages = result.total_results.div_ceil(size).max(1);
    view.rows = result
        .results
        .iter()
        .map(|record| tables::cells(table.columns, record))
        .collect();
    drop_empty_columns(view);
    if !view.rows.is_empty() {
        view.first_row = (page - 1) * size + 1;
        view.last_row = view.first_row + view.rows.len() as u64 - 1;
    }
    let href = |target: u64| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if !view.query.is_empty() {
            query.append_pair("query", &view.query);
        }
        if !view.order_by.is_empty() {
            query.append_pair("orderBy", &view.order_by);
        }
        if view.page_size != DEFAULT_ROWS {
            query.append_pair("pageSize", &view.page_size.to_string());
        }
        query.append_pair("page", &target.to_string());
        format!("{base}?{}", query.finish())
    };
    view.prev = (page > 1 && page <= view.pages).then(|| href(page - 1));
    view.next = (page < view.pages).then(|| href(page + 1));
    view.first = (page > view.pages).then(|| href(1));
}

/// Leaves out the columns (never the id) that no row of the page has a value for, e.g. a
/// field the platform does not fill, and names them in `empty_columns`.
fn drop_empty_columns(view: &mut RecordsPage) {
    if view.rows.is_empty() {
        return;
    }
    let empty: Vec<bool> = (0..view.columns.len())
        .map(|index| {
            index > 0
                && view
                    .rows
                    .iter()
                    .all(|row| row.get(index).is_none_or(|cell| cell.text.is_empty()))
        })
        .collect();
    if !empty.contains(&true) {
        return;
    }
    let keep = |index: usize| !empty.get(index).copied().unwrap_or(false);
    view.empty_columns = view
        .columns
        .iter()
        .enumerate()
        .filter(|(index, _)| !keep(*index))
        .map(|(_, column)| column.label)
        .collect();
    let columns = std::mem::take(&mut view.columns);
    view.columns = columns
        .into_iter()
        .enumerate()
        .filter(|(index, _)| keep(*index))
        .map(|(_, column)| column)
        .collect();
    for row in &mut view.rows {
        let cells = std::mem::take(row);
        *row = cells
            .into_iter()
            .enumerate()
            .filter(|(index, _)| keep(*index))
            .map(|(_, cell)| cell)
            .collect();
    }
}
