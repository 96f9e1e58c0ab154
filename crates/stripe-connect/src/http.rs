//! The HTTP transport: a small wrapper over the workspace's `reqwest` client that implements
//! `oauth2`'s [`oauth2::AsyncHttpClient`], so `oauth2` runs without its own HTTP feature and
//! the workspace keeps a single `reqwest`.
//!
//! Only this module and [`crate::flow`] do network I/O; nothing here knows about Stripe.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use oauth2::{HttpClientError, HttpRequest, HttpResponse};

use crate::error::ConnectError;

/// An HTTP client for the Connect endpoints, backed by a `reqwest::Client`.
///
/// Cloning is cheap (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
}

impl HttpClient {
    /// A client with a 10 s connect timeout and a 30 s request timeout.
    pub fn new() -> Result<Self, ConnectError> {
        let inner = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|error| ConnectError::Http {
                source: Box::new(error),
            })?;
        Ok(Self { inner })
    }

    /// Wraps an existing `reqwest::Client` (to share its pool, proxy or timeouts).
    pub fn from_reqwest(inner: reqwest::Client) -> Self {
        Self { inner }
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for HttpClient {
    type Error = HttpClientError<reqwest::Error>;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request = reqwest::Request::try_from(request).map_err(Box::new)?;
            let response = self.inner.execute(request).await.map_err(Box::new)?;
            let mut builder = oauth2::http::Response::builder()
                .status(response.status())
                .version(response.version());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let body = response.bytes().await.map_err(Box::new)?;
            builder.body(body.to_vec()).map_err(HttpClientError::Http)
        })
    }
}
