//! The HTTP server: the accept loop (so a fault can drop a connection without answering),
//! the per-request middleware (Request-Id, request log, rate limit, fault injection) and the
//! route table. Handlers live in `api`, `oauth` and `control`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State as Extract};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

use crate::bearer::bearer_key;
use crate::error::ApiFailure;
use crate::faults::Fault;
use crate::mode::key_mode;
use crate::state::{endpoint_name, lock, RequestRecord, State};

/// Marks a response whose connection must be closed without sending it.
#[derive(Debug, Clone, Copy)]
struct DropConnection;

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/v1/account", get(crate::api::account))
        .route("/v1/oauth/token", post(crate::apps::token))
        .route("/apps/oauth/authorize", get(crate::apps::authorize))
        .route(
            "/apps/oauth/authorize/decision",
            post(crate::apps::decision),
        )
        .route("/v1/balance", get(crate::api::balance))
        .route("/v1/{resource}", get(crate::api::list))
        .route("/v1/{resource}/{id}", get(crate::api::retrieve))
        .route("/oauth/authorize", get(crate::oauth::authorize))
        .route("/oauth/authorize/decision", post(crate::oauth::decision))
        .route("/oauth/token", post(crate::oauth::token))
        .route("/oauth/deauthorize", post(crate::oauth::deauthorize))
        .route("/_sandbox/info", get(crate::control::info))
        .route(
            "/_sandbox/requests",
            get(crate::control::requests).delete(crate::control::clear_requests),
        )
        .route(
            "/_sandbox/clock/advance",
            post(crate::control::advance_clock),
        )
        .route("/_sandbox/activity", post(crate::control::activity))
        .route(
            "/_sandbox/faults",
            post(crate::control::add_fault).delete(crate::control::clear_faults),
        )
        .route("/_sandbox/deauthorize", post(crate::control::deauthorize))
        .route(
            "/_sandbox/restricted_keys",
            post(crate::merchant_keys::create),
        )
        .fallback(unknown_route)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::merchant_keys::check_permissions,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
}

async fn unknown_route(request: Request) -> ApiFailure {
    ApiFailure::new(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        None,
        format!(
            "Unrecognized request URL ({}: {}).",
            request.method(),
            request.uri().path()
        ),
    )
}

async fn track(Extract(state): Extract<Arc<State>>, request: Request, next: Next) -> Response {
    let request_id = state.next_request_id();
    let path = request.uri().path().to_owned();
    let version = request.headers().get("stripe-version").cloned();
    if path.starts_with("/_sandbox") {
        let mut response = next.run(request).await;
        stamp(&mut response, &request_id, version);
        return response;
    }
    let method = request.method().to_string();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let account = request
        .headers()
        .get("stripe-account")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let key = bearer_key(request.headers());
    let endpoint = endpoint_name(&method, &path);
    let received_at_ms = chrono::Utc::now().timestamp_millis();

    let admitted = match key.as_deref() {
        Some(key) => state.admit(key, key_mode(key), account.as_deref(), &endpoint),
        None => Ok(()),
    };
    let mut fault = None;
    let mut response = if let Err(reason) = admitted {
        let mut failure = ApiFailure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "invalid_request_error",
            Some("rate_limit"),
            "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.",
        );
        failure.should_retry = Some(true);
        let mut response = failure.into_response();
        response.headers_mut().insert(
            "stripe-rate-limited-reason",
            HeaderValue::from_static(reason.header_value()),
        );
        response
    } else {
        fault = lock(&state.faults)
            .ok()
            .and_then(|mut faults| faults.decide(&path, account.as_deref()));
        match fault {
            Some(Fault::ServerError) => {
                let mut failure = ApiFailure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "api_error",
                    None,
                    "An unknown error occurred (injected by the sandbox).",
                );
                failure.should_retry = Some(true);
                failure.into_response()
            }
            Some(Fault::DropConnection) => {
                let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
                response.extensions_mut().insert(DropConnection);
                response
            }
            Some(Fault::Slow { millis }) => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                next.run(request).await
            }
            Some(Fault::TruncatedBody) => truncate(next.run(request).await).await,
            None => next.run(request).await,
        }
    };
    let latency = state.config.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency.delay(rand::random::<f64>())).await;
    }
    let dropped = response.extensions().get::<DropConnection>().is_some();
    state.record(
        RequestRecord {
            request_id: request_id.clone(),
            method,
            path,
            query,
            account,
            status: (!dropped).then(|| response.status().as_u16()),
            fault,
            received_at_ms,
        },
        &endpoint,
    );
    stamp(&mut response, &request_id, version);
    response
}

fn stamp(response: &mut Response, request_id: &str, version: Option<HeaderValue>) {
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("request-id", value);
    }
    if let Some(version) = version {
        response.headers_mut().insert("stripe-version", version);
    }
}

/// Sends the headers and half of the body, then fails the body so the connection closes.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let half: Bytes = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert("content-length", HeaderValue::from(bytes.len()));
    // The pause lets the headers and the first half reach the client before the failure.
    let first = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(half) });
    let failure = futures::stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err::<Bytes, std::io::Error>(std::io::Error::other("body truncated by the sandbox"))
    });
    Response::from_parts(
        parts,
        Body::from_stream(futures::StreamExt::chain(first, failure)),
    )
}

/// Serves `router` on `listener` until `shutdown` turns true, then lets open connections finish.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let connections = Arc::new(tokio::sync::Semaphore::new(0));
    let mut open = 0u32;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                open += 1;
                let router = router.clone();
                let shutdown = shutdown.clone();
                let done = connections.clone();
                tokio::spawn(async move {
                    serve_connection(stream, router, shutdown).await;
                    done.add_permits(1);
                });
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    // Wait (bounded) for open connections to finish their current request.
    let wait_all = async {
        for _ in 0..open {
            if let Ok(permit) = connections.acquire().await {
                permit.forget();
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), wait_all).await;
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let drop_signal = Arc::new(Notify::new());
    let signal = drop_signal.clone();
    let service =
        hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let router = router.clone();
            let signal = signal.clone();
            async move {
                let response = match router.oneshot(request.map(Body::new)).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                if response.extensions().get::<DropConnection>().is_some() {
                    signal.notify_one();
                    // Never answer: the connection task drops the connection instead.
                    std::future::pending::<()>().await;
                }
                Ok::<_, Infallible>(response)
            }
        });
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    if *shutdown.borrow() {
        return;
    }
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = drop_signal.notified() => {}
        _ = shutdown.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}
