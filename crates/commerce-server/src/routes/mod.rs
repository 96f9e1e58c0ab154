//! The router and the helpers every handler shares (path ids, paging parameters).

use std::collections::BTreeMap;

use axum::middleware;
use axum::routing::{delete, get, post, put};
use axum::Router;
use commerce_model::query::MAX_QUERY_LENGTH;
use commerce_model::status::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use commerce_model::MAX_PAGE_NUMBER;
use commerce_store::{Company, Connection};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

pub(crate) mod api_keys;
mod authorization;
mod client_settings;
mod companies;
mod connections;
mod data;
mod health;
pub(crate) mod integrations;
mod link;
mod records;
pub(crate) mod unlink;
mod webhooks;

pub(crate) use records::record_query;

/// The whole HTTP API.
///
/// Authenticated (`Authorization: Basic <base64 of an API key>`): `/companies...`, the webhook
/// consumers (`GET/POST /webhooks`, `DELETE /webhooks/{webhookId}`) and their deliveries
/// (`/webhooks/deliveries...`).
/// Public: `GET /health`, `GET /link/{connectionId}`, `GET /oauth/{platform}/callback`,
/// `POST /webhooks/{platform}` (guarded by the OAuth state and the platform's signature).
pub fn build_router(state: AppState) -> Router {
    let api = Router::new()
        .route("/companies", get(companies::list).post(companies::create))
        .route(
            "/companies/{company_id}",
            get(companies::get_one)
                .delete(companies::delete)
                .put(client_settings::replace_company)
                .patch(client_settings::update_company),
        )
        .route(
            "/companies/{company_id}/connections",
            get(connections::list).post(connections::create),
        )
        .route(
            "/companies/{company_id}/connections/{connection_id}",
            get(connections::get_one)
                .patch(connections::update)
                .delete(connections::delete),
        )
        .route(
            "/companies/{company_id}/connections/{connection_id}/authorization",
            put(authorization::put),
        )
        .route("/companies/{company_id}/dataStatus", get(data::status))
        .route("/companies/{company_id}/data/all", post(data::queue_all))
        .route(
            "/companies/{company_id}/data/queue/{data_type}",
            post(data::queue_one),
        )
        .route("/companies/{company_id}/data/history", get(data::history))
        .route(
            "/companies/{company_id}/data/history/{dataset_id}",
            get(data::history_one),
        )
        .route(
            "/companies/{company_id}/connections/{connection_id}/data/{data_type}",
            get(records::list),
        )
        .route(
            "/companies/{company_id}/connections/{connection_id}/data/{data_type}/{record_id}",
            get(records::get_one),
        )
        .route(
            "/webhooks",
            get(crate::client_webhooks::consumers::list)
                .post(crate::client_webhooks::consumers::create),
        )
        // The same path as platform webhooks (`POST`, public, below): axum merges the methods.
        .route(
            "/webhooks/{platform}",
            delete(crate::client_webhooks::consumers::delete),
        )
        .route(
            crate::client_webhooks::api::DELIVERIES_PATH,
            get(crate::client_webhooks::api::list),
        )
        .route(
            "/webhooks/deliveries/{delivery_id}",
            get(crate::client_webhooks::api::get_one),
        )
        .merge(platform_api())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::require_api_key,
        ));
    let public = Router::new()
        .route("/health", get(health::health))
        .route("/openapi.json", get(crate::openapi::serve))
        .route("/link/{connection_id}", get(link::start))
        .route(
            "/link/{connection_id}/credentials",
            post(authorization::submit),
        )
        .route("/oauth/{platform}/callback", get(link::callback))
        .route("/webhooks/{platform}", post(webhooks::receive))
        .route(
            "/integrations/{platform_key}/images/{image}",
            get(integrations::image),
        );
    let limits = state.http_limits();
    api.merge(public)
        .merge(crate::ui::router(&state))
        .fallback(|| async { ApiError::not_found("No such resource") })
        // Bodies are read whole by `guard_body`, within the edge's size and time limits.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(middleware::from_fn(move |request, next| {
            crate::edge::guard_body(limits, request, next)
        }))
        .with_state(state)
}

/// The rest of Codat's Platform API (behind the API key): integrations, profile, sync
/// settings, API keys.
fn platform_api() -> Router<AppState> {
    Router::new()
        .route("/integrations", get(integrations::list))
        .route("/integrations/{platform_key}", get(integrations::get_one))
        .route(
            "/integrations/{platform_key}/branding",
            get(integrations::branding),
        )
        .route(
            "/profile",
            get(client_settings::get_profile).put(client_settings::put_profile),
        )
        .route(
            "/profile/syncSettings",
            get(client_settings::get_profile_sync).post(client_settings::set_profile_sync),
        )
        .route(
            "/companies/{company_id}/syncSettings",
            get(client_settings::get_company_sync).post(client_settings::set_company_sync),
        )
        .route("/apiKeys", get(api_keys::list).post(api_keys::create))
        .route("/apiKeys/{api_key_id}", delete(api_keys::delete))
}

/// A company id from the path; anything that is not a known company's UUID is 404.
pub(crate) async fn load_company(state: &AppState, id: &str) -> Result<Company, ApiError> {
    let not_found = || ApiError::not_found(format!("No company was found with ID {id}"));
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    Ok(state.store().get_company(id).await?)
}

/// A connection of `company`; a connection of another company is 404 as if it did not exist.
pub(crate) async fn load_connection(
    state: &AppState,
    company: &Company,
    id: &str,
) -> Result<Connection, ApiError> {
    let not_found = || ApiError::not_found(format!("Data connection {id} not found"));
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    let connection = match state.store().get_connection(id).await {
        Ok(connection) => connection,
        Err(commerce_store::StoreError::NotFound { .. }) => return Err(not_found()),
        Err(error) => return Err(error.into()),
    };
    if connection.company_id != company.id {
        return Err(not_found());
    }
    Ok(connection)
}

/// Query-string parameters, URL-decoded (the last of repeated names wins).
pub(crate) fn query_params(raw: Option<&str>) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// Codat's `page`, `pageSize`, `query` and `orderBy`.
#[derive(Debug, Clone)]
pub(crate) struct Paging {
    pub(crate) page: u32,
    pub(crate) page_size: u32,
    pub(crate) query: Option<String>,
    pub(crate) order_by: Option<String>,
}

impl Paging {
    pub(crate) fn parse(params: &BTreeMap<String, String>) -> Result<Paging, ApiError> {
        Self::parse_with_default(params, DEFAULT_PAGE_SIZE)
    }

    /// [`Paging::parse`] with another default `pageSize` (the dashboard shows fewer rows).
    pub(crate) fn parse_with_default(
        params: &BTreeMap<String, String>,
        default_page_size: u32,
    ) -> Result<Paging, ApiError> {
        let number = |name: &str, default: u32| -> Result<u32, ApiError> {
            match params.get(name).map(|text| text.trim()) {
                None | Some("") => Ok(default),
                Some(text) => match text.parse::<u32>() {
                    Ok(value) if value >= 1 => Ok(value),
                    _ => Err(ApiError::invalid(
                        if name == "page" { "page" } else { "pageSize" },
                        format!("{name} must be a whole number of at least 1, got {text:?}"),
                    )),
                },
            }
        };
        let page = number("page", 1)?;
        if page > MAX_PAGE_NUMBER {
            return Err(ApiError::invalid(
                "page",
                format!("page must be at most {MAX_PAGE_NUMBER}, got {page}"),
            ));
        }
        let page_size = number("pageSize", default_page_size)?;
        if page_size > MAX_PAGE_SIZE {
            return Err(ApiError::invalid(
                "pageSize",
                format!("pageSize must be at most {MAX_PAGE_SIZE}, got {page_size}"),
            ));
        }
        let text = |name: &str| {
            params
                .get(name)
                .map(|text| text.trim().to_owned())
                .filter(|text| !text.is_empty())
        };
        let query = text("query");
        if let Some(query) = &query {
            // The model's limit, in characters (Codat's).
            let length = query.chars().count();
            if length > MAX_QUERY_LENGTH {
                return Err(ApiError::invalid(
                    "query",
                    format!(
                        "Error parsing query - the query is {length} characters long; the maximum is {MAX_QUERY_LENGTH}"
                    ),
                ));
            }
        }
        Ok(Paging {
            page,
            page_size,
            query,
            order_by: text("orderBy"),
        })
    }

    /// The first page at the default size, without query.
    pub(crate) fn first() -> Paging {
        Paging {
            page: 1,
            page_size: commerce_store::DEFAULT_PAGE_SIZE,
            query: None,
            order_by: None,
        }
    }

    /// The offset of the page's first item.
    pub(crate) fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.page_size)
    }

    /// Refuses `query`/`orderBy` on lists that do not support them.
    pub(crate) fn without_query(self, what: &str) -> Result<Paging, ApiError> {
        if self.query.is_some() || self.order_by.is_some() {
            return Err(ApiError::bad_request(format!(
                "query and orderBy are not supported when listing {what}"
            )));
        }
        Ok(self)
    }
}

/// URL-encodes a query-string value.
pub(crate) fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
