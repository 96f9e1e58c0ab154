//! Codat's integrations: `GET /integrations`, `GET /integrations/{platformKey}` and
//! `GET /integrations/{platformKey}/branding`, for the integrations this server has enabled,
//! and the branding images themselves (`GET /integrations/{platformKey}/images/{image}`,
//! public so that an `<img>` can load them).
//!
//! An integration's key is Codat's four-letter key (`yzth` for Stripe Test, `exgd` for
//! Stripe); this server's own keys (`stripe-test`) are accepted in paths too. Everything here
//! comes from the platform's `PlatformInfo` (keys, name, data types, family), so a platform
//! brings its integration entry with it.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use commerce_model::platform::Platform;
use commerce_model::{DataType, Page};
use serde_json::{json, Value};

use super::connections::unknown_integration;
use super::{query_params, Paging};
use crate::codat;
use crate::error::ApiError;
use crate::state::AppState;

/// The branding images served for every integration.
pub(crate) const IMAGES: &[&str] = &[
    "logo-full.svg",
    "logo-square.svg",
    "button-default.svg",
    "button-hover.svg",
];

/// Codat's four-letter key of a platform (from its `PlatformInfo`).
pub(crate) fn codat_key(platform: &dyn Platform) -> String {
    platform.info().codat_key.as_str().to_owned()
}

fn image_url(state: &AppState, key: &str, image: &str) -> String {
    format!("{}/integrations/{key}/images/{image}", state.public_url())
}

/// One integration (Codat's `Integration`).
pub(crate) fn integration(state: &AppState, platform: &dyn Platform) -> Value {
    let key = codat_key(platform);
    let own_key = platform.key().as_str();
    let features: Vec<Value> = DataType::ALL
        .iter()
        .map(|data_type| {
            let state = if platform.supports().contains(data_type) {
                "Release"
            } else {
                "NotSupported"
            };
            json!({
                "datatype": data_type.key(),
                "supportedFeatures": [{"featureType": "Get", "featureState": state}],
            })
        })
        .collect();
    json!({
        "key": key,
        "logoUrl": image_url(state, &key, "logo-square.svg"),
        "name": platform.name(),
        "enabled": true,
        "sourceId": codat::source_id(&platform.info().callback_segment),
        "sourceType": "Commerce",
        "integrationId": codat::integration_id(own_key),
        "isOfflineConnector": false,
        "isBeta": false,
        "dataProvidedBy": platform.name(),
        "datatypeFeatures": features,
    })
}

fn find(state: &AppState, key: &str) -> Result<std::sync::Arc<dyn Platform>, ApiError> {
    state
        .platform(key)
        .ok_or_else(|| unknown_integration(state, key))
}

/// `GET /integrations`: the enabled integrations, paged.
pub(crate) async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<Value>>, ApiError> {
    let paging = Paging::parse(&query_params(raw.as_deref()))?.without_query("integrations")?;
    let all: Vec<Value> = state
        .platforms()
        .platforms()
        .map(|platform| integration(&state, platform.as_ref()))
        .collect();
    let total = all.len() as u64;
    let start = usize::try_from(paging.offset()).unwrap_or(usize::MAX);
    let results = all
        .into_iter()
        .skip(start)
        .take(paging.page_size as usize)
        .collect();
    Ok(Json(Page::new(
        results,
        paging.page,
        paging.page_size,
        total,
        "/integrations",
        &[],
    )))
}

/// `GET /integrations/{platformKey}`.
pub(crate) async fn get_one(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let platform = find(&state, &key)?;
    Ok(Json(integration(&state, platform.as_ref())))
}

/// `GET /integrations/{platformKey}/branding`: logo and button images, served by this server.
pub(crate) async fn branding(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let platform = find(&state, &key)?;
    let key = codat_key(platform.as_ref());
    let name = platform.name();
    let image = |file: &str, alt: String| json!({"image": {"src": image_url(&state, &key, file), "alt": alt}});
    Ok(Json(json!({
        "logo": {
            "full": image("logo-full.svg", format!("{name} full logo")),
            "square": image("logo-square.svg", format!("{name} square logo")),
        },
        "button": {
            "default": image("button-default.svg", format!("Connect {name}")),
            "hover": image("button-hover.svg", format!("Connect {name} (hover)")),
        },
        "sourceId": codat::source_id(&platform.info().callback_segment),
    })))
}

/// `GET /integrations/{platformKey}/images/{image}`: one of [`IMAGES`], an SVG drawn from the
/// integration's name.
pub(crate) async fn image(
    State(state): State<AppState>,
    Path((key, image)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let platform = find(&state, &key)?;
    let name = xml_escape(platform.name());
    let initial = xml_escape(
        &platform
            .name()
            .chars()
            .next()
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default(),
    );
    let width = 24 + 10 * platform.name().chars().count();
    let svg = match image.as_str() {
        "logo-full.svg" => format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="48" viewBox="0 0 {w} 48" role="img" aria-label="{name}"><rect width="{w}" height="48" rx="8" fill="#635bff"/><text x="12" y="31" font-family="sans-serif" font-size="18" font-weight="bold" fill="#ffffff">{name}</text></svg>"##,
            w = width + 24,
        ),
        "logo-square.svg" => format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img" aria-label="{name}"><rect width="64" height="64" rx="12" fill="#635bff"/><text x="32" y="43" text-anchor="middle" font-family="sans-serif" font-size="32" font-weight="bold" fill="#ffffff">{initial}</text></svg>"##
        ),
        "button-default.svg" | "button-hover.svg" => {
            let fill = if image == "button-hover.svg" {
                "#4b45c6"
            } else {
                "#635bff"
            };
            format!(
                r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="40" viewBox="0 0 {w} 40" role="img" aria-label="Connect {name}"><rect width="{w}" height="40" rx="6" fill="{fill}"/><text x="16" y="26" font-family="sans-serif" font-size="15" fill="#ffffff">Connect {name}</text></svg>"##,
                w = width + 100,
            )
        }
        _ => {
            return Err(ApiError::not_found(format!(
                "No image {image:?}: the images are {}",
                IMAGES.join(", ")
            )))
        }
    };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        svg,
    )
        .into_response())
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}
