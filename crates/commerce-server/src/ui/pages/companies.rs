//! `GET /ui`: companies (paged) with their connections and per-data-type sync status.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use commerce_model::DataType;
use commerce_store::{Company, Connection, ConnectionStatus, DatasetStatus, StoreError};
use serde::{Deserialize, Serialize};

use crate::state::AppState;
use crate::ui::auth::Viewer;
use crate::ui::html::render;
use crate::ui::params::Params;
use crate::ui::tables::TABLES;

use super::{data_type_label, day_and_minute, positive, store_failure};

/// Companies per page of the companies list.
const COMPANIES_PER_PAGE: u64 = 20;

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
pub(super) struct ConnectionView {
    id: String,
    href: String,
    platform: String,
    status: &'static str,
    account: Option<String>,
    mode: Option<&'static str>,
    created: String,
    pub(super) link_url: Option<String>,
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
    /// The link parameters it declares (`PlatformInfo::link_params`), inputs of the link form.
    link_params: Vec<LinkParamView>,
}

#[derive(Serialize)]
struct LinkParamView {
    /// The form field: `{platform key}.{parameter}`.
    field: String,
    name: &'static str,
    help: &'static str,
    required: bool,
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
            link_params: platform
                .info()
                .link_params
                .iter()
                .map(|param| LinkParamView {
                    field: format!("{}.{}", platform.key(), param.name),
                    name: param.name,
                    help: param.help,
                    required: param.required,
                })
                .collect(),
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
pub(super) async fn connection_view(
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
