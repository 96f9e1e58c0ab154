//! `/companies`: create, list (paged), get, delete.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use commerce_model::Page;
use commerce_store::{ConnectionStatus, NewCompany};
use serde::Deserialize;
use serde_json::Value;

use super::json::company_json;
use super::{load_company, query_params, Paging};
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
    let company = state.store().create_company(&new).await?;
    if !tags.is_empty() {
        state.store().set_company_tags(company.id, &tags).await?;
    }
    crate::client_webhooks::company_event(
        &state,
        crate::client_webhooks::COMPANY_CREATED,
        &company,
    )
    .await;
    Ok(Json(company_json(&state, &company).await?).into_response())
}

pub(crate) async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<Value>>, ApiError> {
    let paging = Paging::parse(&query_params(raw.as_deref()))?.without_query("companies")?;
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
    Path(company_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let company = load_company(&state, &company_id).await?;
    Ok(Json(company_json(&state, &company).await?))
}

/// Deletes a company with all its data, after revoking access of its linked connections at
/// their platforms (best effort: a platform failure is logged and the deletion goes on).
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path(company_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let company = load_company(&state, &company_id).await?;
    for connection in state.store().list_connections(company.id).await? {
        if connection.status == ConnectionStatus::Linked {
            if let Err(error) = super::connections::unlink_at_platform(&state, &connection).await {
                tracing::warn!(connection = %connection.id, error = %error.message, "unlinking at the platform failed; deleting anyway");
            }
        }
    }
    for connection in state.store().list_connections(company.id).await? {
        crate::client_webhooks::connection_event(
            &state,
            crate::client_webhooks::CONNECTION_DELETED,
            &connection,
        )
        .await;
    }
    // Announced before the deletion, like its connections: the consumers it goes to are
    // chosen by the company's tags, which go with it.
    crate::client_webhooks::company_event(
        &state,
        crate::client_webhooks::COMPANY_DELETED,
        &company,
    )
    .await;
    state.store().delete_company(company.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
