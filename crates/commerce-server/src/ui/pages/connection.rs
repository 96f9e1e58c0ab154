//! `GET /ui/connections/{id}`: a connection's overview (company info, balances, chart, actions).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use chrono::{Days, Utc};
use commerce_model::DataType;
use commerce_store::{Connection, ConnectionStatus, DailyTotalsQuery, RecordQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::state::AppState;
use crate::ui::auth::Viewer;
use crate::ui::chart::{self, Chart};
use crate::ui::html::render;
use crate::ui::params::Params;
use crate::ui::tables::{self, TABLES};

use super::companies::{connection_view, ConnectionView};
use super::forms::LINK_PARAM_PREFIX;
use super::{load, positive, positive_or_zero, store_failure};

/// The chart ranges offered, in days (the first is the default).
const CHART_RANGES: [u32; 2] = [30, 90];

#[derive(Debug, Deserialize)]
pub(crate) struct ConnectionParams {
    days: Option<String>,
    queued: Option<String>,
    running: Option<String>,
    created: Option<String>,
    /// The link parameters given when the link was created (`link.{name}`; see `forms`).
    #[serde(flatten)]
    other: BTreeMap<String, String>,
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
pub(super) struct CompanyRef {
    pub(super) id: String,
    pub(super) name: String,
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
pub(super) struct TableLink {
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
    let mut view = match connection_view(&state, &connection, &counts).await {
        Ok(view) => view,
        Err(error) => return store_failure(&error),
    };
    if let (Some(link_url), Some(platform)) = (
        view.link_url.as_mut(),
        state.platform(&connection.platform_key),
    ) {
        add_link_params(link_url, &platform.info().link_params, &params.other);
    }
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
    let access_note = match crate::app::access_note(&state, &connection).await {
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

/// Appends to `link_url` the link parameters of `given` (`link.{name}`) that the platform
/// declares, so the URL shown is the one the merchant must open.
fn add_link_params(
    link_url: &mut String,
    declared: &[commerce_model::platform::LinkParam],
    given: &BTreeMap<String, String>,
) {
    let mut separator = if link_url.contains('?') { '&' } else { '?' };
    for param in declared {
        let value = given
            .get(&format!("{LINK_PARAM_PREFIX}{}", param.name))
            .map(|value| value.trim())
            .filter(|value| !value.is_empty());
        if let Some(value) = value {
            link_url.push(separator);
            link_url.push_str(&crate::routes::encode(param.name));
            link_url.push('=');
            link_url.push_str(&crate::routes::encode(value));
            separator = '&';
        }
    }
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

pub(super) fn table_links(
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
