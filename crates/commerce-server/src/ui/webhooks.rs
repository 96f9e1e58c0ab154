//! `GET /ui/webhooks`: client webhook events, newest first, with their delivery state and every
//! attempt (status code, error, duration). Part of the client webhooks feature
//! (`crate::client_webhooks`); reads only the store's outbox.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::state::AppState;
use crate::ui::html::{message_page, render};

const EVENTS_PER_PAGE: u64 = 25;

#[derive(Debug, Deserialize)]
pub(crate) struct Params {
    page: Option<String>,
}

#[derive(Serialize)]
struct AttemptView {
    attempt: u32,
    time: String,
    status_code: Option<u16>,
    error: Option<String>,
    duration_ms: u128,
}

#[derive(Serialize)]
struct EventView {
    id: String,
    event_type: String,
    company_id: String,
    connection_href: Option<String>,
    status: &'static str,
    tone: &'static str,
    created: String,
    next_attempt: Option<String>,
    attempts: Vec<AttemptView>,
}

#[derive(Serialize)]
struct Pager {
    page: u64,
    pages: u64,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Serialize)]
struct WebhooksPage {
    title: &'static str,
    configured: bool,
    url: Option<String>,
    total: u64,
    events: Vec<EventView>,
    pager: Pager,
}

fn time(time: chrono::DateTime<chrono::Utc>) -> String {
    time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The receiver URL without credentials or query (which may carry a token).
fn shown_url(url: &url::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

fn failure(error: &commerce_store::StoreError) -> Response {
    tracing::error!(%error, "dashboard could not read the webhook outbox");
    message_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The webhook deliveries could not be read. Try again; if it keeps happening, see the server's log.",
        Some(("/ui", "Back to the dashboard")),
    )
}

pub(crate) async fn deliveries(
    State(state): State<AppState>,
    crate::ui::params::Params(params): crate::ui::params::Params<Params>,
) -> Response {
    let page = params
        .page
        .as_deref()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .filter(|page| *page >= 1)
        .unwrap_or(1);
    let store = state.store();
    let filter = commerce_store::ClientEventFilter::default();
    let (events, total) = match store
        .list_client_events(&filter, (page - 1) * EVENTS_PER_PAGE, EVENTS_PER_PAGE)
        .await
    {
        Ok(found) => found,
        Err(error) => return failure(&error),
    };
    let mut views = Vec::with_capacity(events.len());
    for event in &events {
        let attempts = match store.list_delivery_attempts(event.id).await {
            Ok(attempts) => attempts,
            Err(error) => return failure(&error),
        };
        let status = event.status.as_str();
        views.push(EventView {
            id: event.id.to_string(),
            event_type: event.event_type.clone(),
            company_id: event.company_id.to_string(),
            connection_href: event
                .connection_id
                .filter(|_| event.event_type != "connection.deleted")
                .map(|id| format!("/ui/connections/{id}")),
            status,
            tone: match event.status {
                commerce_store::DeliveryStatus::Delivered => "ok",
                commerce_store::DeliveryStatus::Failed => "error",
                _ => "running",
            },
            created: time(event.created),
            next_attempt: event
                .next_attempt_at
                .filter(|_| event.status == commerce_store::DeliveryStatus::Pending)
                .map(time),
            attempts: attempts
                .iter()
                .map(|attempt| AttemptView {
                    attempt: attempt.attempt,
                    time: time(attempt.attempted_at),
                    status_code: attempt.status_code,
                    error: attempt.error.clone(),
                    duration_ms: attempt.duration.as_millis(),
                })
                .collect(),
        });
    }
    let pages = total.div_ceil(EVENTS_PER_PAGE).max(1);
    let hooks = state.client_webhooks();
    render(
        StatusCode::OK,
        "webhooks.html",
        WebhooksPage {
            title: "Webhook deliveries",
            configured: hooks.is_some(),
            url: hooks.map(|hooks| shown_url(&hooks.config().url)),
            total,
            events: views,
            pager: Pager {
                page,
                pages,
                prev: (page > 1).then(|| format!("/ui/webhooks?page={}", page - 1)),
                next: (page < pages).then(|| format!("/ui/webhooks?page={}", page + 1)),
            },
        },
    )
}
