//! The HTTP edge: the accept loop with its connection cap and timeouts, and the request-body
//! guard every route goes through.
//!
//! - **Connections** are served by hyper's HTTP/1 connection, one task each, at most
//!   [`HttpLimits::max_connections`] at a time: when the cap is reached the server stops
//!   accepting (new connections wait in the kernel's backlog) until one closes. Each request
//!   carries the peer's address as `axum::extract::ConnectInfo<SocketAddr>`.
//! - **Header read timeout**: a connection that has not sent a complete request head within
//!   [`HttpLimits::header_read_timeout`] of the server starting to wait for one is closed
//!   (hyper's timer; it also runs while a kept-alive connection waits for its next request).
//! - **Idle keep-alive timeout**: a connection with no traffic either way for
//!   [`HttpLimits::keep_alive_timeout`] is closed once its current exchange, if any, is done.
//! - **Request bodies** are read whole before a handler runs, within
//!   [`HttpLimits::body_timeout`] from the end of the head (else `408`) and up to
//!   [`HttpLimits::max_body_bytes`] (else `413`), both in Codat's `ErrorMessage` shape and on
//!   every route, the platform webhook route included.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::BytesMut;
use futures::StreamExt as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt as _;

use crate::error::ApiError;

// ---------------------------------------------------------------------------------------------
// Settings (`COMMERCE_*` generic settings of the HTTP edge, declared in `config.rs`).

/// Limits of the HTTP edge. [`HttpLimits::default`] gives the safe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpLimits {
    /// `COMMERCE_HEADER_READ_TIMEOUT_SECS` (default 10): time to send a complete request head.
    pub header_read_timeout: Duration,
    /// `COMMERCE_BODY_TIMEOUT_SECS` (default 30): time to send the whole request body.
    pub body_timeout: Duration,
    /// `COMMERCE_KEEP_ALIVE_TIMEOUT_SECS` (default 5): a connection without traffic for this
    /// long is closed.
    pub keep_alive_timeout: Duration,
    /// `COMMERCE_MAX_CONNECTIONS` (default 1024): connections served at once.
    pub max_connections: usize,
    /// `COMMERCE_MAX_BODY_BYTES` (default 1 MiB): the largest request body.
    pub max_body_bytes: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_read_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            keep_alive_timeout: Duration::from_secs(5),
            max_connections: 1024,
            max_body_bytes: 1024 * 1024,
        }
    }
}

impl HttpLimits {
    /// Replaces the header read timeout.
    pub fn with_header_read_timeout(self, timeout: Duration) -> Self {
        HttpLimits {
            header_read_timeout: timeout,
            ..self
        }
    }

    /// Replaces the request body timeout.
    pub fn with_body_timeout(self, timeout: Duration) -> Self {
        HttpLimits {
            body_timeout: timeout,
            ..self
        }
    }

    /// Replaces the idle keep-alive timeout.
    pub fn with_keep_alive_timeout(self, timeout: Duration) -> Self {
        HttpLimits {
            keep_alive_timeout: timeout,
            ..self
        }
    }

    /// Replaces the cap on concurrent connections (at least 1).
    pub fn with_max_connections(self, max: usize) -> Self {
        HttpLimits {
            max_connections: max.max(1),
            ..self
        }
    }

    /// Replaces the largest request body accepted.
    pub fn with_max_body_bytes(self, max: usize) -> Self {
        HttpLimits {
            max_body_bytes: max,
            ..self
        }
    }

    /// Reads the edge settings from validated-as-text `settings`, adding one line per problem.
    pub(crate) fn from_settings(
        settings: &BTreeMap<String, String>,
        problems: &mut Vec<String>,
    ) -> HttpLimits {
        let defaults = HttpLimits::default();
        let mut number = |name: &str, default: u64, min: u64, max: u64| -> u64 {
            match settings.get(name).map(|text| text.trim()) {
                None => default,
                Some(text) => match text.parse::<u64>() {
                    Ok(value) if (min..=max).contains(&value) => value,
                    _ => {
                        problems.push(format!(
                            "{name} {text:?} must be a whole number from {min} to {max}"
                        ));
                        default
                    }
                },
            }
        };
        let secs = |value: u64| Duration::from_secs(value);
        HttpLimits {
            header_read_timeout: secs(number(
                "COMMERCE_HEADER_READ_TIMEOUT_SECS",
                defaults.header_read_timeout.as_secs(),
                1,
                3600,
            )),
            body_timeout: secs(number(
                "COMMERCE_BODY_TIMEOUT_SECS",
                defaults.body_timeout.as_secs(),
                1,
                3600,
            )),
            keep_alive_timeout: secs(number(
                "COMMERCE_KEEP_ALIVE_TIMEOUT_SECS",
                defaults.keep_alive_timeout.as_secs(),
                1,
                3600,
            )),
            max_connections: usize::try_from(number(
                "COMMERCE_MAX_CONNECTIONS",
                defaults.max_connections as u64,
                1,
                1_000_000,
            ))
            .unwrap_or(defaults.max_connections),
            max_body_bytes: usize::try_from(number(
                "COMMERCE_MAX_BODY_BYTES",
                defaults.max_body_bytes as u64,
                1024,
                1024 * 1024 * 1024,
            ))
            .unwrap_or(defaults.max_body_bytes),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The request-body guard.

/// Reads the request body whole, within the limits, before the handler runs.
pub(crate) async fn guard_body(limits: HttpLimits, request: Request, next: Next) -> Response {
    let too_large = || {
        let mut response = ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The request body is larger than the limit of {} bytes",
                limits.max_body_bytes
            ),
        )
        .into_response();
        close_after(&mut response);
        response
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limits.max_body_bytes as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    let read = async {
        let mut buffer = BytesMut::new();
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| BodyFailure::Unreadable)?;
            if buffer.len() + chunk.len() > limits.max_body_bytes {
                return Err(BodyFailure::TooLarge);
            }
            buffer.extend_from_slice(&chunk);
        }
        Ok(buffer.freeze())
    };
    let body = match tokio::time::timeout(limits.body_timeout, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(BodyFailure::TooLarge)) => return too_large(),
        Ok(Err(BodyFailure::Unreadable)) => {
            let mut response =
                ApiError::bad_request("The request body could not be read").into_response();
            close_after(&mut response);
            return response;
        }
        Err(_) => {
            let mut response = ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "The request body was not received within {} seconds",
                    limits.body_timeout.as_secs()
                ),
            )
            .into_response();
            close_after(&mut response);
            return response;
        }
    };
    next.run(Request::from_parts(parts, Body::from(body))).await
}

enum BodyFailure {
    TooLarge,
    Unreadable,
}

/// The rest of a refused body is not read: the connection closes after the answer.
fn close_after(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
}

// ---------------------------------------------------------------------------------------------
// The accept loop.

/// Serves `router` on `listener` within `limits` until `shutdown` completes; then stops
/// accepting, lets every connection finish its current exchange, and returns.
pub(crate) async fn serve_connections<F>(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    shutdown: F,
) -> io::Result<()>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (closing, closed) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // E.g. out of file descriptors: wait a little instead of spinning.
                    tracing::warn!(error = %error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let router = router.clone();
        let closed = closed.clone();
        tokio::spawn(async move {
            serve_connection(stream, peer, router, limits, closed).await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = closing.send(true);
    // Every connection holds a permit until it ends.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
    Ok(())
}

async fn serve_connection(
    stream: TcpStream,
    peer: std::net::SocketAddr,
    router: Router,
    limits: HttpLimits,
    mut closed: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let started = Instant::now();
    let activity = Arc::new(AtomicU64::new(0));
    let io = TokioIo::new(ActivityIo {
        inner: stream,
        started,
        activity: activity.clone(),
    });
    let service =
        hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let router = router.clone();
            let mut request = request.map(Body::new);
            // As `axum::serve` with `into_make_service_with_connect_info` gives it.
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            async move {
                let response = router
                    .oneshot(request)
                    .await
                    .unwrap_or_else(|never: Infallible| match never {});
                Ok::<_, Infallible>(response)
            }
        });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    let mut shutting_down = false;
    loop {
        let last = started + Duration::from_millis(activity.load(Ordering::Relaxed));
        let idle_deadline = last + limits.keep_alive_timeout;
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(error = %error, "connection ended with an error");
                }
                return;
            }
            changed = closed.changed(), if !shutting_down => {
                if changed.is_err() || *closed.borrow() {
                    shutting_down = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
            () = tokio::time::sleep_until(idle_deadline), if !shutting_down => {
                let now_last = started + Duration::from_millis(activity.load(Ordering::Relaxed));
                if now_last + limits.keep_alive_timeout <= Instant::now() {
                    // Closes at once when idle, or after the exchange in progress.
                    shutting_down = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// A TCP stream that records when bytes last moved either way (milliseconds since `started`).
struct ActivityIo {
    inner: TcpStream,
    started: Instant,
    activity: Arc<AtomicU64>,
}

impl ActivityIo {
    fn touch(&self) {
        let elapsed = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.activity.store(elapsed, Ordering::Relaxed);
    }
}

impl AsyncRead for ActivityIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.touch();
        }
        result
    }
}

impl AsyncWrite for ActivityIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(result, Poll::Ready(Ok(written)) if written > 0) {
            self.touch();
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, data);
        if matches!(result, Poll::Ready(Ok(written)) if written > 0) {
            self.touch();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
