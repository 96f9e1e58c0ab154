//! The API's handlers, and what every handler shares: the extractors of path ids
//! ([`CompanyPath`], [`ConnectionPath`]) and of paging parameters ([`Paging`]), rejecting with
//! Codat's error body.
//! The router that mounts them is `crate::router`.

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use commerce_model::query::MAX_QUERY_LENGTH;
use commerce_model::status::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use commerce_model::MAX_PAGE_NUMBER;
use commerce_store::{Company, Connection};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

pub(crate) mod api_keys;
pub(crate) mod authorization;
pub(crate) mod client_settings;
pub(crate) mod companies;
pub(crate) mod connections;
pub(crate) mod consumers;
pub(crate) mod data;
pub(crate) mod deliveries;
pub(crate) mod health;
pub(crate) mod integrations;
pub(crate) mod json;
pub(crate) mod link;
pub(crate) mod records;
pub(crate) mod webhooks;

pub(crate) use records::record_query;

/// Extractor: the company named by the path's `{company_id}`; anything that is not a known
/// company's UUID is rejected with Codat's 404 ([`load_company`]).
pub(crate) struct CompanyPath(pub(crate) Company);

/// Extractor: the connection named by the path's `{connection_id}`, of the company named by its
/// `{company_id}`; a connection of another company is 404 as if it did not exist.
pub(crate) struct ConnectionPath(pub(crate) Connection);

/// One named parameter of the matched route's path.
async fn path_param(parts: &mut Parts, state: &AppState, name: &str) -> Result<String, ApiError> {
    let Path(params) = Path::<BTreeMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::not_found("No such resource"))?;
    params
        .get(name)
        .cloned()
        .ok_or_else(|| ApiError::not_found("No such resource"))
}

impl FromRequestParts<AppState> for CompanyPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let id = path_param(parts, state, "company_id").await?;
        load_company(state, &id).await.map(CompanyPath)
    }
}

impl FromRequestParts<AppState> for ConnectionPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let company_id = path_param(parts, state, "company_id").await?;
        let company = load_company(state, &company_id).await?;
        let connection_id = path_param(parts, state, "connection_id").await?;
        load_connection(state, &company, &connection_id)
            .await
            .map(ConnectionPath)
    }
}

/// Extractor: Codat's `page`, `pageSize`, `query` and `orderBy` from the query string
/// ([`Paging::parse`]), rejected with Codat's 400 naming the parameter.
impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Paging::parse(&query_params(parts.uri.query()))
    }
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
