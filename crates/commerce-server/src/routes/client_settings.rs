//! The rest of Codat's Platform API that configures the client's own instance:
//! `PUT`/`PATCH /companies/{companyId}` (name, description, tags), `GET`/`PUT /profile`,
//! `GET`/`POST /profile/syncSettings` and `GET`/`POST /companies/{companyId}/syncSettings`.
//!
//! Statuses are only the ones Codat documents per operation. Where Codat documents no `400`
//! (replace and update company, update profile, update profile sync settings), a body that
//! cannot be applied is answered `403` with Codat's error body saying what is wrong.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use commerce_model::DataType;
use commerce_store::{Company, NewCompany, Profile, SyncSetting, SyncSettings};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::json::company_json;
use super::CompanyPath;
use crate::error::ApiError;
use crate::state::AppState;

/// Codat's limits on company tags.
const MAX_TAGS: usize = 10;
const MAX_TAG_KEY_CHARS: usize = 27;
const MAX_TAG_VALUE_CHARS: usize = 100;
/// The longest `syncSchedule` accepted, in hours (a year).
const MAX_SYNC_SCHEDULE_HOURS: u32 = 24 * 366;

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, message)
}

/// Codat's `tags`: at most 10, keys of 1 to 27 characters, values of at most 100.
pub(crate) fn parse_tags(value: &Value) -> Result<BTreeMap<String, String>, String> {
    let Value::Object(map) = value else {
        return Err("tags must be an object of text values".to_owned());
    };
    if map.len() > MAX_TAGS {
        return Err(format!(
            "tags holds {} entries; the maximum is {MAX_TAGS}",
            map.len()
        ));
    }
    let mut tags = BTreeMap::new();
    for (key, value) in map {
        let count = key.chars().count();
        if count == 0 || count > MAX_TAG_KEY_CHARS {
            return Err(format!(
                "tag name {key:?} must be 1 to {MAX_TAG_KEY_CHARS} characters long"
            ));
        }
        let Value::String(text) = value else {
            return Err(format!("tag {key:?} must have a text value"));
        };
        if text.chars().count() > MAX_TAG_VALUE_CHARS {
            return Err(format!(
                "tag {key:?} is longer than {MAX_TAG_VALUE_CHARS} characters"
            ));
        }
        tags.insert(key.clone(), text.clone());
    }
    Ok(tags)
}

/// The body of `PUT` and `PATCH /companies/{companyId}`; `null` counts as absent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CompanyChange {
    name: Option<String>,
    description: Option<String>,
    tags: Option<Value>,
    /// Where the link flow sends the merchant at the end (this server's extension).
    redirect: Option<String>,
}

fn check_redirect(redirect: &str) -> Result<(), String> {
    match url::Url::parse(redirect) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(()),
        _ => Err("redirect must be an absolute http:// or https:// URL".to_owned()),
    }
}

/// Applies a replacement (`PUT`: absent description and tags are cleared) or an update
/// (`PATCH`: absent fields stay) of a company.
async fn change_company(
    state: &AppState,
    company: Company,
    body: Result<Json<CompanyChange>, JsonRejection>,
    replace: bool,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(|rejection| forbidden(rejection.body_text()))?;
    // The same text limits as creating a company (`crate::text`), answered 403 because Codat
    // documents no 400 for these two operations.
    let name = match body.name.as_deref().map(str::trim) {
        Some("") => return Err(forbidden("name must not be empty")),
        Some(name) => {
            crate::text::company_name(Some(name)).map_err(|error| forbidden(error.message))?
        }
        None if replace => return Err(forbidden("name is required")),
        None => company.name.clone(),
    };
    let tags = match &body.tags {
        Some(value) => Some(parse_tags(value).map_err(forbidden)?),
        None if replace => Some(BTreeMap::new()),
        None => None,
    };
    if let Some(redirect) = &body.redirect {
        check_redirect(redirect).map_err(forbidden)?;
    }
    let mut new = NewCompany::named(name);
    new.description = match body.description {
        Some(description) => crate::text::company_description(Some(description))
            .map_err(|error| forbidden(error.message))?,
        None if replace => None,
        None => company.description.clone(),
    };
    new.redirect = body.redirect.or(company.redirect.clone());
    let company = crate::app::update_company(state, &company, &new, tags.as_ref()).await?;
    Ok(Json(company_json(state, &company).await?))
}

/// `PUT /companies/{companyId}`: replaces name, description and tags.
pub(crate) async fn replace_company(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
    body: Result<Json<CompanyChange>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    change_company(&state, company, body, true).await
}

/// `PATCH /companies/{companyId}`: changes the fields given.
pub(crate) async fn update_company(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
    body: Result<Json<CompanyChange>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    change_company(&state, company, body, false).await
}

/// The profile's name when none was stored.
pub(crate) const DEFAULT_PROFILE_NAME: &str = "commerce";

fn profile_json(profile: Option<Profile>) -> Value {
    match profile {
        Some(profile) => json!({"name": profile.name, "redirectUrl": profile.redirect_url}),
        None => json!({"name": DEFAULT_PROFILE_NAME, "redirectUrl": ""}),
    }
}

/// `GET /profile`.
pub(crate) async fn get_profile(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(profile_json(state.store().get_profile().await?)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProfileBody {
    name: Option<String>,
    redirect_url: Option<String>,
}

/// `PUT /profile`: stores the name and the redirect URL (where the link flow sends merchants
/// whose company has no redirect of its own; `{companyId}` is replaced by the company's id;
/// empty: the link flow ends on its own page).
pub(crate) async fn put_profile(
    State(state): State<AppState>,
    body: Result<Json<ProfileBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(|rejection| forbidden(rejection.body_text()))?;
    let name = body.name.as_deref().map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err(forbidden("name is required"));
    }
    let redirect_url = body.redirect_url.unwrap_or_default().trim().to_owned();
    if !redirect_url.is_empty() {
        check_redirect(&redirect_url.replace("{companyId}", &Uuid::nil().to_string())).map_err(
            |_| forbidden("redirectUrl must be empty or an absolute http:// or https:// URL"),
        )?;
    }
    let profile = Profile::new(name, redirect_url);
    state.store().set_profile(&profile).await?;
    Ok(Json(profile_json(Some(profile))))
}

/// The client id shown in the profile's sync settings: stable for this server's public URL.
fn client_id(state: &AppState) -> Uuid {
    crate::codat::derived_id(&format!("client:{}", state.public_url()))
}

async fn settings_json(state: &AppState, company: Option<Uuid>) -> Result<Vec<Value>, ApiError> {
    let effective = state.engine().effective_sync_settings(company).await?;
    Ok(effective
        .values()
        .map(|effective| serde_json::to_value(&effective.setting).unwrap_or(Value::Null))
        .collect())
}

/// `GET /profile/syncSettings`: the setting in force for every data type.
pub(crate) async fn get_profile_sync(
    State(state): State<AppState>,
) -> Result<Json<Value>, ApiError> {
    let stored = state.store().profile_sync_settings().await?;
    Ok(Json(json!({
        "clientId": client_id(&state),
        "settings": settings_json(&state, None).await?,
        "overridesDefaults": stored.is_some_and(|stored| stored.overrides_defaults),
    })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SyncSettingsBody {
    company_id: Option<String>,
    settings: Option<Vec<Value>>,
    overrides_defaults: Option<bool>,
}

/// Checks the settings of a `POST .../syncSettings` body.
fn parse_settings(body: &SyncSettingsBody) -> Result<SyncSettings, String> {
    let Some(raw) = &body.settings else {
        return Err("settings is required (one SyncSetting per data type)".to_owned());
    };
    let mut seen = BTreeSet::new();
    let mut settings = Vec::with_capacity(raw.len());
    for (index, value) in raw.iter().enumerate() {
        let setting: SyncSetting = serde_json::from_value(value.clone())
            .map_err(|error| format!("settings[{index}] is not a SyncSetting: {error}"))?;
        let data_type = DataType::parse(&setting.data_type).map_err(|_| {
            format!(
                "settings[{index}]: dataType {:?} is not a data type of this server ({})",
                setting.data_type,
                DataType::ALL
                    .iter()
                    .map(|t| t.key())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        if !seen.insert(data_type) {
            return Err(format!(
                "settings[{index}]: dataType {} is set twice",
                data_type.key()
            ));
        }
        if setting.sync_schedule == 0 || setting.sync_schedule > MAX_SYNC_SCHEDULE_HOURS {
            return Err(format!(
                "settings[{index}]: syncSchedule must be 1 to {MAX_SYNC_SCHEDULE_HOURS} hours, got {}",
                setting.sync_schedule
            ));
        }
        settings.push(setting);
    }
    Ok(SyncSettings::new(
        settings,
        body.overrides_defaults.unwrap_or(true),
    ))
}

/// `POST /profile/syncSettings`: replaces the profile's settings (`204`). Data types not listed
/// keep the engine's defaults.
pub(crate) async fn set_profile_sync(
    State(state): State<AppState>,
    body: Result<Json<SyncSettingsBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(body) = body.map_err(|rejection| forbidden(rejection.body_text()))?;
    let settings = parse_settings(&body).map_err(forbidden)?;
    state.store().set_profile_sync_settings(&settings).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /companies/{companyId}/syncSettings`: the setting in force for every data type of
/// the company (its own, else the profile's, else the defaults).
pub(crate) async fn get_company_sync(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
) -> Result<Json<Value>, ApiError> {
    let stored = state.store().company_sync_settings(company.id).await?;
    Ok(Json(json!({
        "companyId": company.id,
        "settings": settings_json(&state, Some(company.id)).await?,
        "overridesDefaults": stored.is_some_and(|stored| stored.overrides_defaults),
    })))
}

/// `POST /companies/{companyId}/syncSettings`: replaces the company's own settings (`204`).
pub(crate) async fn set_company_sync(
    State(state): State<AppState>,
    CompanyPath(company): CompanyPath,
    body: Result<Json<SyncSettingsBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(body) = body.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    if let Some(id) = body.company_id.as_deref() {
        if Uuid::parse_str(id).ok() != Some(company.id) {
            return Err(ApiError::bad_request(format!(
                "companyId {id:?} in the body is not the company of the path ({})",
                company.id
            )));
        }
    }
    let settings = parse_settings(&body).map_err(ApiError::bad_request)?;
    state
        .store()
        .set_company_sync_settings(company.id, &settings)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
