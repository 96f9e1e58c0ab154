//! The HTTP server: a Codat-compatible API over the store (companies, connections, data status,
//! pull operations and every commerce read route), the link flow (link URL, OAuth callback) and
//! platform webhooks.
//!
//! - [`ServerConfig`]: settings from `COMMERCE_*` variables and `commerce.toml`; the settings
//!   platforms declare in their `PlatformInfo` are read and checked too, and passed through as
//!   [`PlatformSettings`] for the caller to build platforms.
//! - [`AppState`] + [`build_router`]: the axum router; [`serve`] runs it with the sync engine;
//!   [`serve_http`] runs only the HTTP side on a given listener.
//! - [`ClientWebhooks`]: Codat-style events to webhook consumers (`/webhooks`, and
//!   `COMMERCE_WEBHOOK_URL`), signed the Standard Webhooks way, kept in an outbox and retried;
//!   see `docs/webhooks.md`.
//! - Authentication as Codat: `Authorization: Basic <base64 of an API key>` (or of `KEY:`, as
//!   `curl -u` sends it) ([`ApiKeys`], [`authorization_header`]); keys from the configuration
//!   and keys made with `POST /apiKeys` (stored hashed, looked up per request).
//! - The rest of Codat's Platform API: replace/update company, integrations and branding,
//!   profile, sync settings (honoured by the sync engine), API keys; every answer on an
//!   operation shared with Codat has a status Codat documents for it (`docs/platform-api.md`).
//!
//! This crate sees platforms only through `commerce_model::platform::Platform` (registered by
//! the caller in a `commerce_sync::PlatformRegistry`); it must never depend on a `stripe-*`
//! crate.
//! - The dashboard: server-rendered HTML at `/ui` behind the same API keys (module `ui`,
//!   templates in `templates/`); see `docs/dashboard.md`.
//! - `GET /openapi.json`: the API description, built from one operation table (module `openapi`).
//! - One application layer (module `app`): every operation on companies and connections does its
//!   store writes, engine calls and client webhook in one place, for the API and the dashboard
//!   alike; `docs/architecture.md` ("The server's shape") gives the module layers.

mod app;
mod auth;
mod client_webhooks;
mod codat;
mod config;
mod edge;
mod error;
mod openapi;
mod pages;
mod router;
mod routes;
mod state;
mod text;
mod ui;

use std::future::Future;

use commerce_store::{Store, StoreConfig};
use commerce_sync::SyncEngine;
use secrecy::ExposeSecret;
use tokio::net::TcpListener;

pub use crate::app::{unlink_connection, UnlinkOutcome};
pub use crate::auth::{authorization_header, ApiKeys};
pub use crate::client_webhooks::{
    sign as sign_client_webhook, verify as verify_client_webhook, ClientWebhookConfig,
    ClientWebhooks, SignatureError, WebhookSecret, DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_FOR,
    DEFAULT_TIMEOUT, EVENT_TYPES, ID_HEADER, IMPLICIT_CONSUMER_ID, MAX_CONSUMERS, MIN_SECRET_BYTES,
    SECRET_PREFIX, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
pub use crate::config::{
    PlatformSettings, ServerConfig, DEFAULT_BIND, DEFAULT_CONFIG_FILE, DEFAULT_DATABASE_URL,
    GENERIC_SETTINGS, MIN_API_KEY_LEN,
};
pub use crate::edge::HttpLimits;
pub use crate::error::ServerError;
pub use crate::router::build_router;
pub use crate::state::{AppState, DEFAULT_LINK_STATE_TTL};
pub use crate::text::{MAX_COMPANY_DESCRIPTION_CHARS, MAX_COMPANY_NAME_CHARS};

/// Opens (and migrates) the store named by the configuration.
pub async fn open_store(config: &ServerConfig) -> Result<Store, ServerError> {
    let store = Store::connect_with(
        &StoreConfig::new(config.database_url.expose_secret()),
        config.encryption_keys.clone(),
    )
    .await?;
    Ok(store)
}

/// Runs the HTTP server on `config.bind` and the sync engine's workers and schedule, until
/// `shutdown` completes; then both stop gracefully (requests in flight finish, workers release
/// their datasets).
pub async fn serve<F>(
    config: &ServerConfig,
    engine: SyncEngine,
    shutdown: F,
) -> Result<(), ServerError>
where
    F: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|source| ServerError::Bind {
            address: config.bind,
            source,
        })?;
    // Client webhooks always run: consumers may be created through the API at any time.
    let hooks = ClientWebhooks::new(
        engine.store().clone(),
        config.client_webhooks.clone(),
        config.public_url.clone(),
    )?;
    let state = AppState::new(
        engine.clone(),
        config.api_keys.clone(),
        config.public_url.clone(),
    )
    .with_http_limits(config.http)
    .with_client_webhooks(hooks.clone());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let wait = |mut receiver: tokio::sync::watch::Receiver<bool>| async move {
        let _ = receiver.wait_for(|stopped| *stopped).await;
    };
    tracing::info!(bind = %config.bind, public_url = %config.public_url, "serving");
    let http = serve_http(listener, state, wait(stopped.clone()));
    let deliveries = {
        let engine = engine.clone();
        let stopped = wait(stopped.clone());
        async move {
            hooks.run(Some(engine), stopped).await;
        }
    };
    let purge = purge_link_states(
        engine.store().clone(),
        LINK_STATE_PURGE_INTERVAL,
        wait(stopped.clone()),
    );
    let sync = engine.run(wait(stopped));
    let (http, sync, (), ()) = tokio::join!(http, sync, deliveries, purge);
    http?;
    sync?;
    Ok(())
}

/// How often [`serve`] deletes expired link states.
pub const LINK_STATE_PURGE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Deletes expired link states now and then every `interval` until `stopped` completes
/// ([`serve`] runs it every [`LINK_STATE_PURGE_INTERVAL`]).
pub async fn purge_link_states(
    store: Store,
    interval: std::time::Duration,
    stopped: impl Future<Output = ()>,
) {
    let purge = async {
        let mut every = tokio::time::interval(interval);
        loop {
            every.tick().await;
            match store.purge_expired_link_states().await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "expired link states deleted"),
                Err(error) => tracing::warn!(error = %error, "purging expired link states failed"),
            }
        }
    };
    tokio::select! {
        () = purge => {}
        () = stopped => {}
    }
}

/// Runs only the HTTP side of `state` on `listener` until `shutdown` completes, within the
/// state's [`HttpLimits`] (connection cap, header, body and keep-alive timeouts).
pub async fn serve_http<F>(
    listener: TcpListener,
    state: AppState,
    shutdown: F,
) -> Result<(), ServerError>
where
    F: Future<Output = ()> + Send + 'static,
{
    let limits = state.http_limits();
    crate::edge::serve_connections(listener, build_router(state), limits, shutdown)
        .await
        .map_err(ServerError::Serve)
}

/// Completes on Ctrl-C (and on SIGTERM on Unix), for [`serve`]'s `shutdown`.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
