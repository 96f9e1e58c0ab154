//! The dashboard's handlers: the companies list, a connection's overview (company info,
//! balances, chart, actions), its record tables, and the two forms (sync now, create a link).
//!
//! Every read is bounded: companies are paged, records are read one page at a time through
//! `Store::query_records` (SQL `LIMIT`/`OFFSET`, filter pushed down), counts come from the
//! store's trigger-maintained per-data-type counts and the chart is SQL per-day sums over at
//! most 90 days. Nothing loads a whole data type.
//!
//! Must not depend on any platform crate.

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use chrono::{DateTime, Days, Utc};
use commerce_model::DataType;
use commerce_store::{
    Company, Connection, ConnectionStatus, DailyTotalsQuery, DatasetStatus, RecordQuery, StoreError,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::state::AppState;
use crate::ui::auth::{check_form, refused, Viewer};
use crate::ui::chart::{self, Chart};
use crate::ui::html::{message_page, render};
use crate::ui::params::{FormBody, Params};
use crate::ui::tables::{self, Cell, TableSpec, TABLES};

/// Companies per page of the companies list.
const COMPANIES_PER_PAGE: u64 = 20;
/// Records per table page unless `pageSize` says otherwise.
const DEFAULT_ROWS: u32 = 25;
/// The most records a table page shows.
const MAX_ROWS: u32 = 200;
/// The chart ranges offered, in days (the first is the default).
const CHART_RANGES: [u32; 2] = [30, 90];

// ---------------------------------------------------------------------------------------
// Companies

#[derive(Debug, Deserialize)]
pub(crate) struct CompaniesParams {
    page: Option<String>,
}

#[derive(Serialize)]
struct CompaniesPage {
    title: &'static str,
    csrf: String,
    companies: Vec<CompanyView>,
    total: u64,
    pager: Pager,
    platforms: Vec<PlatformView>,
}

#[derive(Serialize)]
struct CompanyView {
    id: String,
    name: String,
    description: Option<String>,
    created: String,
    connections: Vec<ConnectionView>,
}

#[derive(Serialize)]
struct ConnectionView {
    id: String,
    href: String,
    platform: String,
    status: &'static str,
    account: Option<String>,
    mode: Option<&'static str>,
    created: String,
    link_url: Option<String>,
    last_error: Option<String>,
    statuses: Vec<StatusRow>,
}

#[derive(Serialize)]
struct StatusRow {
    label: String,
    /// The dashboard's table of this data type, if it has one.
    href: Option<String>,
    key: &'static str,
    status: Option<&'static str>,
    /// A CSS class: `ok`, `running`, `error` or `none`.
    tone: &'static str,
    last_sync: Option<String>,
    records: u64,
}

#[derive(Serialize)]
struct PlatformView {
    key: String,
    name: String,
    /// Operating settings (name, value), e.g. request rate budgets.
    settings: Vec<(String, String)>,
}

#[derive(Serialize, Default)]
struct Pager {
    page: u64,
    pages: u64,
    prev: Option<String>,
    next: Option<String>,
}

/// `GET /ui`: companies with their connections and per-data-type sync status.
pub(crate) async fn companies(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Params(params): Params<CompaniesParams>,
) -> Response {
    let page = positive(params.page.as_deref()).map_or(1, u64::from);
    let offset = (page - 1) * COMPANIES_PER_PAGE;
    let store = state.store();
    let (companies, total) = match store.list_companies(offset, COMPANIES_PER_PAGE).await {
        Ok(found) => found,
        Err(error) => return store_failure(&error),
    };
    let mut views = Vec::with_capacity(companies.len());
    for company in &companies {
        match company_view(&state, company).await {
            Ok(view) => views.push(view),
            Err(error) => return store_failure(&error),
        }
    }
    let pages = total.div_ceil(COMPANIES_PER_PAGE).max(1);
    let pager = Pager {
        page,
        pages,
        prev: (page > 1).then(|| format!("/ui?page={}", page - 1)),
        next: (page < pages).then(|| format!("/ui?page={}", page + 1)),
    };
    let platforms = state
        .platforms()
        .platforms()
        .map(|platform| PlatformView {
            key: platform.key().to_string(),
            name: platform.name().to_owned(),
            settings: platform.settings_in_use(),
        })
        .collect();
    render(
        StatusCode::OK,
        "companies.html",
        CompaniesPage {
            title: "Companies",
            csrf: viewer.csrf_token().to_owned(),
            companies: views,
            total,
            pager,
            platforms,
        },
    )
}

async fn company_view(state: &AppState, company: &Company) -> Result<CompanyView, StoreError> {
    let connections = state.store().list_connections(company.id).await?;
    let mut views = Vec::with_capacity(connections.len());
    for connection in &connections {
        let counts = state.store().count_records(connection.id).await?;
        views.push(connection_view(state, connection, &counts).await?);
    }
    Ok(CompanyView {
        id: company.id.to_string(),
        name: company.name.clone(),
        description: company.description.clone(),
        created: day_and_minute(company.created),
        connections: views,
    })
}

/// `counts` are the connection's record counts ([`commerce_store::Store::count_records`]).
async fn connection_view(
    state: &AppState,
    connection: &Connection,
    counts: &BTreeMap<DataType, u64>,
) -> Result<ConnectionView, StoreError> {
    let statuses = state.store().data_statuses(connection.id).await?;
    let rows = DataType::ALL
        .iter()
        .filter(|data_type| statuses.contains_key(data_type) || counts.contains_key(data_type))
        .map(|data_type| {
            let status = statuses.get(data_type);
            let tone = match status.map(|status| status.current_status) {
                None => "none",
                Some(current) if current.is_errored() => "error",
                Some(current) if current.is_in_progress() => "running",
                Some(current) if current != DatasetStatus::Complete => "none",
                Some(_) => "ok",
            };
            StatusRow {
                label: data_type_label(*data_type),
                href: TABLES
                    .iter()
                    .find(|table| table.data_type == *data_type)
                    .map(|table| format!("/ui/connections/{}/{}", connection.id, table.slug)),
                key: data_type.key(),
                status: status.map(|status| status.current_status.as_str()),
                tone,
                last_sync: status
                    .and_then(|status| status.last_successful_sync)
                    .map(day_and_minute),
                records: counts.get(data_type).copied().unwrap_or(0),
            }
        })
        .collect();
    Ok(ConnectionView {
        id: connection.id.to_string(),
        href: format!("/ui/connections/{}", connection.id),
        platform: connection.platform_key.clone(),
        status: connection.status.as_str(),
        account: connection.external_account_id.clone(),
        mode: connection
            .livemode
            .map(|live| if live { "live" } else { "test" }),
        created: day_and_minute(connection.created),
        link_url: (connection.status == ConnectionStatus::PendingAuth)
            .then(|| crate::codat::link_url(state.public_url(), connection.id)),
        last_error: connection.last_error.clone(),
        statuses: rows,
    })
}

// ---------------------------------------------------------------------------------------
// Connection overview

#[derive(Debug, Deserialize)]
pub(crate) struct ConnectionParams {
    days: Option<String>,
    queued: Option<String>,
    running: Option<String>,
    created: Option<String>,
}

#[derive(Serialize)]
struct ConnectionPage {
    title: String,
    csrf: String,
    company: CompanyRef,
    connection: ConnectionView,
    notice: Option<String>,
    info: Vec<Fact>,
    balances: Vec<Balance>,
    balance_currency_note: Option<String>,
    charts: Vec<Chart>,
    days: u32,
    ranges: Vec<RangeLink>,
    tables: Vec<TableLink>,
    can_sync: bool,
    /// What unlinking this connection would do at the platform (shared grant, pasted key).
    access_note: Option<String>,
}

#[derive(Serialize)]
struct CompanyRef {
    id: String,
    name: String,
}

#[derive(Serialize)]
struct Fact {
    label: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Balance {
    currency: String,
    available: String,
    pending: String,
    reserved: String,
}

#[derive(Serialize)]
struct RangeLink {
    days: u32,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct TableLink {
    slug: &'static str,
    title: &'static str,
    href: String,
    count: u64,
    current: bool,
}

/// `GET /ui/connections/{id}`: the connection with its company info, balances, chart and
/// actions.
pub(crate) async fn connection(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(connection_id): Path<String>,
    Params(params): Params<ConnectionParams>,
) -> Response {
    let (connection, company) = match load(&state, &connection_id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let store = state.store();
    let days = positive(params.days.as_deref())
        .filter(|days| CHART_RANGES.contains(days))
        .unwrap_or(CHART_RANGES[0]);

    let info = match store
        .query_records(
            connection.id,
            DataType::CompanyInfo,
            &RecordQuery::page(1, 1),
        )
        .await
    {
        Ok(page) => page.results.into_iter().next(),
        Err(error) => return store_failure(&error),
    };
    let counts = match store.count_records(connection.id).await {
        Ok(counts) => counts,
        Err(error) => return store_failure(&error),
    };
    let view = match connection_view(&state, &connection, &counts).await {
        Ok(view) => view,
        Err(error) => return store_failure(&error),
    };
    let today = Utc::now().date_naive();
    let from = today
        .checked_sub_days(Days::new(u64::from(days - 1)))
        .unwrap_or(today);
    let totals = match store
        .daily_totals(
            connection.id,
            DataType::Transactions,
            &DailyTotalsQuery::new("totalAmount", from, today).group_by("type"),
        )
        .await
    {
        Ok(totals) => totals,
        Err(error) => return store_failure(&error),
    };
    let notice = notice(&params);
    let access_note = match crate::routes::unlink::access_note(&state, &connection).await {
        Ok(note) => note,
        Err(error) => return store_failure(&error),
    };
    let (facts, balances) = info.as_ref().map(company_facts).unwrap_or_default();
    let page = ConnectionPage {
        title: format!("{} — {}", company.name, connection.platform_key),
        csrf: viewer.csrf_token().to_owned(),
        company: CompanyRef {
            id: company.id.to_string(),
            name: company.name.clone(),
        },
        can_sync: connection.status == ConnectionStatus::Linked,
        connection: view,
        notice,
        balance_currency_note: info
            .as_ref()
            .and_then(|info| info.get("baseCurrency"))
            .map(tables::plain),
        info: facts,
        balances,
        charts: chart::charts(&totals, today, days),
        days,
        ranges: CHART_RANGES
            .iter()
            .map(|range| RangeLink {
                days: *range,
                href: format!("/ui/connections/{}?days={range}", connection.id),
                current: *range == days,
            })
            .collect(),
        tables: table_links(&connection, &counts, None),
        access_note,
    };
    render(StatusCode::OK, "connection.html", page)
}

fn notice(params: &ConnectionParams) -> Option<String> {
    if params.created.is_some() {
        return Some(
            "Link created. Send the link URL below to the merchant: it takes them to the \
             platform to authorize access."
                .to_owned(),
        );
    }
    let queued = positive_or_zero(params.queued.as_deref())?;
    let running = positive_or_zero(params.running.as_deref()).unwrap_or(0);
    Some(format!(
        "Sync queued: {queued} data type{} queued, {running} already queued or running.",
        if queued == 1 { "" } else { "s" }
    ))
}

fn company_facts(info: &Value) -> (Vec<Fact>, Vec<Balance>) {
    let text = |field: &str| {
        info.get(field)
            .map(tables::plain)
            .filter(|text| !text.is_empty())
    };
    let mut facts = Vec::new();
    for (label, field) in [
        ("Name", "companyName"),
        ("Legal name", "companyLegalName"),
        ("Base currency", "baseCurrency"),
        ("Registration number", "registrationNumber"),
        ("Platform reference", "commercePlatformRef"),
    ] {
        if let Some(value) = text(field) {
            facts.push(Fact { label, value });
        }
    }
    if let Some(address) = info
        .get("addresses")
        .and_then(Value::as_array)
        .and_then(|addresses| addresses.first())
    {
        let parts: Vec<String> = ["line1", "line2", "city", "region", "postalCode", "country"]
            .iter()
            .filter_map(|field| address.get(*field).map(tables::plain))
            .filter(|part| !part.is_empty())
            .collect();
        if !parts.is_empty() {
            facts.push(Fact {
                label: "Address",
                value: parts.join(", "),
            });
        }
    }
    if let Some(phone) = tables::lookup(info, &["phoneNumbers", "number"]) {
        facts.push(Fact {
            label: "Phone",
            value: tables::plain(phone),
        });
    }
    if let Some(web) = tables::lookup(info, &["webLinks", "url"]) {
        facts.push(Fact {
            label: "Website",
            value: tables::plain(web),
        });
    }
    let balances = info
        .get("accountBalances")
        .and_then(Value::as_array)
        .map(|balances| {
            balances
                .iter()
                .map(|balance| {
                    let field =
                        |name: &str| balance.get(name).map(tables::plain).unwrap_or_default();
                    let currency = field("currency");
                    let money = |name: &str| tables::amount(&field(name), &currency);
                    Balance {
                        available: money("available"),
                        pending: money("pending"),
                        reserved: money("reserved"),
                        currency,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    (facts, balances)
}

fn table_links(
    connection: &Connection,
    counts: &BTreeMap<DataType, u64>,
    current: Option<&str>,
) -> Vec<TableLink> {
    TABLES
        .iter()
        .map(|table| TableLink {
            slug: table.slug,
            title: table.title,
            href: format!("/ui/connections/{}/{}", connection.id, table.slug),
            count: counts.get(&table.data_type).copied().unwrap_or(0),
            current: current == Some(table.slug),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Record tables

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

// ---------------------------------------------------------------------------------------
// Forms

#[derive(Debug, Deserialize)]
pub(crate) struct SyncForm {
    csrf: Option<String>,
}

/// `POST /ui/connections/{id}/sync`: queues every data type through the sync engine.
pub(crate) async fn sync_now(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Path(connection_id): Path<String>,
    FormBody(form): FormBody<SyncForm>,
) -> Response {
    if let Err(reason) = check_form(&state, &viewer, &headers, form.csrf.as_deref()) {
        return refused(reason);
    }
    let (connection, _) = match load(&state, &connection_id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let back = format!("/ui/connections/{}", connection.id);
    match state.engine().queue_all(connection.id).await {
        Ok(outcome) => Redirect::to(&format!(
            "{back}?queued={}&running={}",
            outcome.queued.len(),
            outcome.in_progress.len()
        ))
        .into_response(),
        Err(commerce_sync::SyncError::ConnectionNotLinked { status, .. }) => message_page(
            StatusCode::CONFLICT,
            "Cannot sync",
            &format!(
                "This connection is {status}: only a Linked connection can sync. \
                 Its data stays readable."
            ),
            Some((&back, "Back to the connection")),
        ),
        Err(error) => {
            tracing::error!(connection = %connection.id, %error, "dashboard could not queue a sync");
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Cannot sync",
                &format!("The sync could not be queued: {error}."),
                Some((&back, "Back to the connection")),
            )
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct LinkForm {
    csrf: Option<String>,
    platform: Option<String>,
}

/// `POST /ui/companies/{id}/links`: creates a `PendingAuth` connection for the chosen
/// platform, then shows its page with the link URL to copy.
pub(crate) async fn create_link(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Path(company_id): Path<String>,
    FormBody(form): FormBody<LinkForm>,
) -> Response {
    if let Err(reason) = check_form(&state, &viewer, &headers, form.csrf.as_deref()) {
        return refused(reason);
    }
    let Some(company_id) = Uuid::parse_str(&company_id).ok() else {
        return not_found("There is no such company.");
    };
    let company = match state.store().get_company(company_id).await {
        Ok(company) => company,
        Err(StoreError::NotFound { .. }) => return not_found("There is no such company."),
        Err(error) => return store_failure(&error),
    };
    let requested = form.platform.unwrap_or_default();
    let Some(platform) = state.platform(requested.trim()) else {
        return message_page(
            StatusCode::BAD_REQUEST,
            "Cannot create the link",
            &format!("{requested:?} is not a platform enabled on this server."),
            Some(("/ui", "Back to the dashboard")),
        );
    };
    match state
        .store()
        .create_connection(company.id, platform.key().as_str())
        .await
    {
        Ok(connection) => {
            Redirect::to(&format!("/ui/connections/{}?created=1", connection.id)).into_response()
        }
        Err(error) => store_failure(&error),
    }
}

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
