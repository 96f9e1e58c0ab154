//! The router: every route of the API, the link flow, platform webhooks, `/openapi.json` and the
//! dashboard, with the API-key middleware and the edge's body guard.

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Router;

use crate::error::ApiError;
use crate::routes;
use crate::state::AppState;

/// The whole HTTP API.
///
/// Authenticated (`Authorization: Basic <base64 of an API key>`): `/companies...`, the webhook
/// consumers (`GET/POST /webhooks`, `DELETE /webhooks/{webhookId}`) and their deliveries
/// (`/webhooks/deliveries...`).
/// Public: `GET /health`, `GET /link/{connectionId}`, `GET /oauth/{platform}/callback`,
/// `POST /webhooks/{platform}` (guarded by the OAuth state and the platform's signature).
pub fn build_router(state: AppState) -> Router {
    let api = Router::new()
        .route(
            "/companies",
            get(routes::companies::list).post(routes::companies::create),
        )
        .route(
            "/companies/{company_id}",
            get(routes::companies::get_one)
                .delete(routes::companies::delete)
                .put(routes::client_settings::replace_company)
                .patch(routes::client_settings::update_company),
        )
        .route(
            "/companies/{company_id}/connections",
            get(routes::connections::list).post(routes::connections::create),
        )
        .route(
            "/companies/{company_id}/connections/{connection_id}",
            get(routes::connections::get_one)
                .patch(routes::connections::update)
                .delete(routes::connections::delete),
        )
        .route(
            "/companies/{company_id}/connections/{connection_id}/authorization",
            put(routes::authorization::put),
        )
        .route(
            "/companies/{company_id}/dataStatus",
            get(routes::data::status),
        )
        .route(
            "/companies/{company_id}/data/all",
            post(routes::data::queue_all),
        )
        .route(
            "/companies/{company_id}/data/queue/{data_type}",
            post(routes::data::queue_one),
        )
        .route(
            "/companies/{company_id}/data/history",
            get(routes::data::history),
        )
        .route(
            "/companies/{company_id}/data/history/{dataset_id}",
            get(routes::data::history_one),
        )
        .route(
            "/companies/{company_id}/connections/{connection_id}/data/{data_type}",
            get(routes::records::list),
        )
        .route(
            "/companies/{company_id}/connections/{connection_id}/data/{data_type}/{record_id}",
            get(routes::records::get_one),
        )
        .route(
            "/webhooks",
            get(routes::consumers::list).post(routes::consumers::create),
        )
        // The same path as platform webhooks (`POST`, public, below): axum merges the methods.
        .route("/webhooks/{platform}", delete(routes::consumers::delete))
        .route(
            routes::deliveries::DELIVERIES_PATH,
            get(routes::deliveries::list),
        )
        .route(
            "/webhooks/deliveries/{delivery_id}",
            get(routes::deliveries::get_one),
        )
        .merge(platform_api())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_api_key,
        ));
    let public = Router::new()
        .route("/health", get(routes::health::health))
        .route("/openapi.json", get(crate::openapi::serve))
        .route("/link/{connection_id}", get(routes::link::start))
        .route(
            "/link/{connection_id}/credentials",
            post(routes::authorization::submit),
        )
        .route("/oauth/{platform}/callback", get(routes::link::callback))
        .route("/webhooks/{platform}", post(routes::webhooks::receive))
        .route(
            "/integrations/{platform_key}/images/{image}",
            get(routes::integrations::image),
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
        .route("/integrations", get(routes::integrations::list))
        .route(
            "/integrations/{platform_key}",
            get(routes::integrations::get_one),
        )
        .route(
            "/integrations/{platform_key}/branding",
            get(routes::integrations::branding),
        )
        .route(
            "/profile",
            get(routes::client_settings::get_profile).put(routes::client_settings::put_profile),
        )
        .route(
            "/profile/syncSettings",
            get(routes::client_settings::get_profile_sync)
                .post(routes::client_settings::set_profile_sync),
        )
        .route(
            "/companies/{company_id}/syncSettings",
            get(routes::client_settings::get_company_sync)
                .post(routes::client_settings::set_company_sync),
        )
        .route(
            "/apiKeys",
            get(routes::api_keys::list).post(routes::api_keys::create),
        )
        .route("/apiKeys/{api_key_id}", delete(routes::api_keys::delete))
}

/// Middleware: refuses requests without an accepted key.
pub(crate) async fn require_api_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let candidates = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(crate::auth::candidates)
        .unwrap_or_default();
    let authorized = crate::auth::accepted(&state.inner.api_keys, state.store(), &candidates)
        .await
        .is_some();
    if authorized {
        next.run(request).await
    } else {
        ApiError::unauthorized().into_response()
    }
}
