//! The dashboard: server-rendered HTML at `/ui` for people, behind the API's keys (HTTP Basic,
//! so the browser asks for one).
//!
//! - `GET /ui`: companies (paged) with their connections and per-data-type sync status.
//! - `GET /ui/connections/{id}`: company info, balances, the daily payment volume and fees
//!   chart (SVG drawn on the server, last 30 or 90 days), links to the record tables, and the
//!   sync-now button (and the link URL while the connection waits for authorization).
//! - `GET /ui/connections/{id}/{table}`: payments, transactions, disputes, customers or
//!   products, a page at a time, with Codat's `query` and `orderBy`.
//! - `POST /ui/connections/{id}/sync` and `POST /ui/companies/{id}/links`: the two forms,
//!   protected against cross-site requests (see `auth`).
//!
//! Templates are minijinja (a runtime engine with HTML auto-escaping), compiled into the binary
//! from `templates/`; pages need no JavaScript and load no other resource.
//!
//! Reads go through the store a page at a time (never a whole data type); this module must
//! not depend on any platform crate.

mod auth;
mod chart;
mod html;
mod pages;
mod params;
mod tables;
mod webhooks;

use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

/// The dashboard's routes, all behind its Basic-auth check; merge into the server's router.
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/ui", get(pages::companies))
        .route("/ui/", get(pages::companies))
        .route("/ui/connections/{connection_id}", get(pages::connection))
        .route(
            "/ui/connections/{connection_id}/sync",
            post(pages::sync_now),
        )
        .route(
            "/ui/connections/{connection_id}/{table}",
            get(pages::records),
        )
        .route("/ui/companies/{company_id}/links", post(pages::create_link))
        .route("/ui/webhooks", get(webhooks::deliveries))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_viewer,
        ))
}
