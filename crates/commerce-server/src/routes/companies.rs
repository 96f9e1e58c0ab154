//! `/companies`: create, list (paged), get, delete.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use commerce_model::Page;
use commerce_store::NewCompany;
use serde::Deserialize;
use serde_json::Value;

use super::json::company_json;
use super::{CompanyPath, Paging};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateCompany {
    name: Option<String>,
    description: Option<String>,
    /// Where the link flow sends the merchant at the end (an extension of Codat's body).
    redirect: Option<String>,
    /// Codat's user-defined key-value pairs.
    tags: Option<Value>,
}

pub(crate) async fn create(
    State(state): State<AppState>,
    body: Result<Json<CreateCompany>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    let name = crate::text::company_name(body.name.as_deref())?;
    let description = crate::text::company_description(body.description)?;
    if let Some(redirect) = &body.redirect {
        match url::Url::parse(redirect) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {}
            _ => {
                return Err(ApiError::bad_request(
                    "redirect must be an absolute http:// or https:// URL",
                ))
            }
        }
    }
    let tags = match &body.tags {
        Some(value) => super::client_settings::parse_tags(value).map_err(ApiError::bad_request)?,
        None => Default::default(),
    };
    let mut new = NewCompany::named(name);
    new.description = description;
    new.redirect = body.redirect;
    let company = crate::app::create_company(&state, &new, &tags).await?;
    Ok(Json(company_json(&state, &company).await?).into_response())
}

pub(crate) async fn list(
    State(state): State<AppState>,
    paging: Paging,
) -> Result<Json<Page<Value>>, ApiError> {
    let paging = paging.without_query("companies")?;
    let (companies, total) = state
        .store()
        .list_companies(paging.offset(), u64::from(paging.page_size))
        .await?;
    let mut results = Vec::with_capacity(companies.len());
    for company in &companies {
        results.push(company_json(&state, company).await?);
    }
    Ok(Json(Page::new(
        results,
        paging.page,
        paging.page_size,
        total,
        "/companies",
        &[],
    )))
}

pub(crate) async fn get_one(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(company_json(&state, &company).await?))
}

/// Deletes a company with all its data, after revoking access of its linked connections at
/// their platforms (best effort: a platform failure is logged and the deletion goes on).
pub(crate) async fn delete(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
) -> Result<StatusCode, ApiError> {
    crate::app::delete_company(&state, &company).await?;
    Ok(StatusCode::NO_CONTENT)
}
