//! [`StripeClient`]: authenticated GETs against the Stripe API with the shared request budget,
//! retries, typed errors and one `tracing` span per request; list endpoints as streams of pages.
//!
//! Generic over the response type (`T: DeserializeOwned`): this module knows no Stripe resource.

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, TryStreamExt};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use secrecy::ExposeSecret as _;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::time::Instant;
use tracing::{field, Instrument};
use url::Url;

use stripe_wire::{ApiErrorBody, HasId, List};

use crate::config::{ClientConfig, Mode, RetryPolicy, SecretKey, STRIPE_VERSION};
use crate::error::{ErrorResponse, StripeError};
use crate::limiter::{fingerprint, BudgetConfig, LimitHit, RequestBudget};
use crate::list::{ListParams, Page};
use crate::rate::BudgetScope;
use crate::retry;

/// A Stripe API client for one platform key.
///
/// Cloning is cheap, and every clone (including those made by [`StripeClient::on_behalf_of`])
/// shares one HTTP connection pool, one concurrency cap and the rate budgets (one per Stripe
/// account, or one per key: [`crate::BudgetScope`]), so the whole process stays within them;
/// with a [`crate::SharedBudget`], so do all processes sharing it.
#[derive(Clone)]
pub struct StripeClient {
    inner: Arc<Inner>,
    stripe_account: Option<Arc<str>>,
    /// The account's own key (an OAuth access token) when the client acts with it instead of
    /// the platform key and `Stripe-Account` ([`StripeClient::with_account_key`]).
    account_key: Option<Arc<AccountKey>>,
}

/// An account's own bearer key: the header to send, and the secret to scrub from messages.
struct AccountKey {
    authorization: HeaderValue,
    secret: secrecy::SecretString,
}

struct Inner {
    http: reqwest::Client,
    authorization: HeaderValue,
    key: SecretKey,
    api_base: Url,
    budget: RequestBudget,
    retry: RetryPolicy,
    rate_limit_patience: Duration,
}

/// A successful response body and what identifies it.
struct SuccessResponse {
    status: u16,
    body: Bytes,
    request_id: Option<String>,
}

/// What one attempt produced.
enum AttemptOutcome {
    Success(SuccessResponse),
    Failed {
        response: ErrorResponse,
        should_retry: bool,
        /// The budget a rate limit answer names (`Stripe-Rate-Limited-Reason`).
        limit_hit: LimitHit,
    },
    NoResponse {
        error: reqwest::Error,
        request_id: Option<String>,
    },
}

impl AttemptOutcome {
    fn status(&self) -> Option<u16> {
        match self {
            AttemptOutcome::Success(response) => Some(response.status),
            AttemptOutcome::Failed { response, .. } => Some(response.status),
            AttemptOutcome::NoResponse { .. } => None,
        }
    }

    fn request_id(&self) -> Option<&str> {
        match self {
            AttemptOutcome::Success(response) => response.request_id.as_deref(),
            AttemptOutcome::Failed { response, .. } => response.request_id.as_deref(),
            AttemptOutcome::NoResponse { request_id, .. } => request_id.as_deref(),
        }
    }

    fn log(&self) {
        match self {
            AttemptOutcome::Success(response) => {
                tracing::debug!(status = response.status, "stripe response");
            }
            AttemptOutcome::Failed {
                response,
                should_retry,
                ..
            } => {
                let code = response
                    .api_error
                    .as_ref()
                    .and_then(|error| error.code.as_deref());
                tracing::debug!(
                    status = response.status,
                    code,
                    should_retry,
                    "stripe error response"
                );
            }
            AttemptOutcome::NoResponse { error, .. } => {
                tracing::debug!(
                    timeout = error.is_timeout(),
                    connect = error.is_connect(),
                    "stripe request got no response"
                );
            }
        }
    }
}

impl fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeClient")
            .field("mode", &self.inner.key.mode())
            .field("api_base", &self.inner.api_base.as_str())
            .field("stripe_account", &self.stripe_account.as_deref())
            .field(
                "account_key",
                &self.account_key.as_ref().map(|_| "[REDACTED]"),
            )
            .finish_non_exhaustive()
    }
}

impl StripeClient {
    /// Builds a client. Fails only if the HTTP client cannot be built (e.g. no TLS backend).
    pub fn new(config: ClientConfig) -> Result<Self, StripeError> {
        let mut authorization =
            HeaderValue::from_str(&format!("Bearer {}", config.key.expose_secret())).map_err(
                |_| StripeError::InvalidSecretKey {
                    reason: "not usable in an http header",
                },
            )?;
        authorization.set_sensitive(true);
        let mut default_headers = HeaderMap::new();
        default_headers.insert("stripe-version", HeaderValue::from_static(STRIPE_VERSION));
        let user_agent =
            HeaderValue::from_str(&config.user_agent).map_err(|_| StripeError::InvalidConfig {
                field: "user_agent",
                reason: "not a valid header value".to_owned(),
            })?;
        default_headers.insert(USER_AGENT, user_agent);
        let http = reqwest::Client::builder()
            .default_headers(default_headers)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| StripeError::InvalidConfig {
                field: "http_client",
                reason: error.to_string(),
            })?;
        let mode = config.key.mode();
        let budget = RequestBudget::new(BudgetConfig {
            rate: config.rate_limit,
            endpoint_rate: config.endpoint_rate_limit,
            max_concurrency: config.max_concurrency,
            scope: config.budget_scope,
            namespace: match config.budget_scope {
                BudgetScope::Account => format!("stripe:{mode}"),
                BudgetScope::PlatformKey => {
                    format!("stripe:{mode}:{}", fingerprint(config.key.expose_secret()))
                }
            },
            shared: config.shared_budget,
        });
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                authorization,
                key: config.key,
                api_base: config.api_base,
                budget,
                retry: config.retry,
                rate_limit_patience: config.rate_limit_patience,
            }),
            stripe_account: None,
            account_key: None,
        })
    }

    /// Test or live, from the key.
    pub fn mode(&self) -> Mode {
        self.inner.key.mode()
    }

    /// The API base URL.
    pub fn api_base(&self) -> &Url {
        &self.inner.api_base
    }

    /// The connected account this client acts for (sent as `Stripe-Account`), if any.
    pub fn stripe_account(&self) -> Option<&str> {
        self.stripe_account.as_deref()
    }

    /// A clone that acts on behalf of a connected account: every request carries
    /// `Stripe-Account: <account_id>`. The id must look like `acct_...`. The clone shares this
    /// client's rate limiter and concurrency cap.
    pub fn on_behalf_of(&self, account_id: &str) -> Result<Self, StripeError> {
        let well_formed = account_id.strip_prefix("acct_").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
        });
        if !well_formed {
            return Err(StripeError::InvalidConfig {
                field: "stripe_account",
                reason: format!("expected an account id like acct_..., got {account_id:?}"),
            });
        }
        Ok(Self {
            inner: Arc::clone(&self.inner),
            stripe_account: Some(Arc::from(account_id)),
            account_key: None,
        })
    }

    /// A clone that acts for `account_id` with that account's own bearer key (a Stripe Apps
    /// OAuth access token) instead of the platform key: requests carry `Authorization: Bearer
    /// <key>` and no `Stripe-Account` header. The clone shares this client's connection pool,
    /// concurrency cap and rate budgets (counted against `account_id`).
    ///
    /// A `401` then means the account's key no longer works: `api_key_expired` is
    /// [`StripeError::InvalidApiKey`] with that code (refresh the token), any other `401` is
    /// [`StripeError::AccountAccessRevoked`] (the merchant revoked the access). Error messages
    /// never contain the key.
    pub fn with_account_key(
        &self,
        account_id: &str,
        key: &secrecy::SecretString,
    ) -> Result<Self, StripeError> {
        let mut client = self.on_behalf_of(account_id)?;
        let secret = key.expose_secret().trim();
        if secret.is_empty() {
            return Err(StripeError::InvalidSecretKey {
                reason: "the account key is empty",
            });
        }
        let mut authorization =
            HeaderValue::from_str(&format!("Bearer {secret}")).map_err(|_| {
                StripeError::InvalidSecretKey {
                    reason: "the account key is not usable in an http header",
                }
            })?;
        authorization.set_sensitive(true);
        client.account_key = Some(Arc::new(AccountKey {
            authorization,
            secret: secrecy::SecretString::from(secret.to_owned()),
        }));
        Ok(client)
    }

    /// A clone that reads a merchant's account with the merchant's own secret (`sk_`) or
    /// restricted (`rk_`) key, pasted by the merchant, instead of the platform key and without
    /// `Stripe-Account` (the key names the account). `account_id` (`acct_...`) names the rate
    /// budget and the account in errors; `None` before the account is known (the first
    /// `GET /v1/account`). Errors are those of [`StripeClient::with_account_key`].
    ///
    /// The key must be of this client's mode (a test key for a test client).
    pub fn with_merchant_key(
        &self,
        key: SecretKey,
        account_id: Option<&str>,
    ) -> Result<Self, StripeError> {
        if key.mode() != self.inner.key.mode() {
            return Err(StripeError::InvalidConfig {
                field: "merchant_key",
                reason: format!(
                    "a {} key cannot be used by a {} client",
                    key.mode(),
                    self.inner.key.mode()
                ),
            });
        }
        let mut client = match account_id {
            Some(account_id) => self.on_behalf_of(account_id)?,
            None => self.as_platform(),
        };
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", key.expose_secret()))
            .map_err(|_| StripeError::InvalidSecretKey {
            reason: "not usable in an http header",
        })?;
        authorization.set_sensitive(true);
        client.account_key = Some(Arc::new(AccountKey {
            authorization,
            secret: secrecy::SecretString::from(key.expose_secret().to_owned()),
        }));
        Ok(client)
    }

    /// A clone that acts as the platform itself (no `Stripe-Account`).
    pub fn as_platform(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            stripe_account: None,
            account_key: None,
        }
    }

    /// GETs one object, e.g. `get::<Account>("/v1/account", &[])` or
    /// `get::<Charge>("/v1/charges/ch_1", &[("expand[]", "customer")])`.
    ///
    /// `path` starts with `/` and is appended to the API base URL; `query` pairs are
    /// form-encoded.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, StripeError> {
        let response = self.get_bytes(path, query).await?;
        decode(&response)
    }

    /// GETs one page of a list endpoint.
    pub async fn list_page<T: DeserializeOwned + HasId>(
        &self,
        path: &str,
        params: &ListParams,
    ) -> Result<Page<T>, StripeError> {
        let response = self.get_bytes(path, &params.to_query()).await?;
        let list: List<T> = decode(&response)?;
        let cursor = list
            .data
            .last()
            .map(|object| object.id().to_owned())
            .or_else(|| params.cursor().map(str::to_owned));
        Ok(Page {
            data: list.data,
            has_more: list.has_more,
            cursor,
        })
    }

    /// Every page of a list endpoint, from `params`' cursor (or the newest object) to the end,
    /// following `starting_after` with the same filters on every page.
    ///
    /// After each page, [`Page::cursor`] is where to resume: pass it to
    /// [`ListParams::starting_after`] to continue after that page in a later run. The stream
    /// ends after a page with `has_more: false` or no objects, and after the first error.
    pub fn list<T>(
        &self,
        path: &str,
        params: ListParams,
    ) -> impl Stream<Item = Result<Page<T>, StripeError>> + Send + 'static
    where
        T: DeserializeOwned + HasId + Send + 'static,
    {
        struct State {
            client: StripeClient,
            path: String,
            params: ListParams,
            done: bool,
        }
        let state = State {
            client: self.clone(),
            path: path.to_owned(),
            params,
            done: false,
        };
        futures::stream::try_unfold(state, |mut state| async move {
            if state.done {
                return Ok(None);
            }
            let page: Page<T> = state.client.list_page(&state.path, &state.params).await?;
            let previous_cursor = state.params.cursor();
            if page.has_more && !page.data.is_empty() && page.cursor.as_deref() == previous_cursor {
                return Err(StripeError::PagingStalled {
                    path: state.path.clone(),
                    cursor: page.cursor.unwrap_or_default(),
                });
            }
            state.done = !page.has_more || page.data.is_empty();
            state.params = state.params.with_cursor(page.cursor.clone());
            Ok(Some((page, state)))
        })
    }

    /// Every object of a list endpoint, one by one (the pages of [`StripeClient::list`],
    /// flattened). Use [`StripeClient::list`] when you need the resume cursor.
    pub fn list_objects<T>(
        &self,
        path: &str,
        params: ListParams,
    ) -> impl Stream<Item = Result<T, StripeError>> + Send + 'static
    where
        T: DeserializeOwned + HasId + Send + 'static,
    {
        self.list::<T>(path, params)
            .map_ok(|page| futures::stream::iter(page.data.into_iter().map(Ok)))
            .try_flatten()
    }

    /// Sends a GET with retries and returns the successful body.
    async fn get_bytes<Q: Serialize + ?Sized>(
        &self,
        path: &str,
        query: &Q,
    ) -> Result<SuccessResponse, StripeError> {
        let url = self.url(path, query)?;
        let span = tracing::info_span!(
            "stripe_request",
            method = "GET",
            path = %path,
            stripe_account = self.stripe_account.as_deref().unwrap_or("-"),
            attempts = field::Empty,
            status = field::Empty,
            request_id = field::Empty,
            latency_ms = field::Empty,
        );
        self.send_with_retries(url, path, span.clone())
            .instrument(span)
            .await
    }

    async fn send_with_retries(
        &self,
        url: Url,
        path: &str,
        span: tracing::Span,
    ) -> Result<SuccessResponse, StripeError> {
        let policy = &self.inner.retry;
        let started = Instant::now();
        let mut attempt: u32 = 0;
        // Attempts counted against the retry policy: retries of rate limited requests within
        // the patience are not.
        let mut policy_attempt: u32 = 0;
        loop {
            attempt += 1;
            policy_attempt += 1;
            let attempt_span = tracing::debug_span!(
                "stripe_attempt",
                attempt,
                status = field::Empty,
                request_id = field::Empty,
                latency_ms = field::Empty,
            );
            let (outcome, patience_left) = async {
                let grant = self
                    .inner
                    .budget
                    .acquire(self.stripe_account.as_deref(), path)
                    .await;
                let attempt_started = Instant::now();
                let outcome = self.send_once(url.clone()).await;
                let mut patience_left = None;
                match &outcome {
                    AttemptOutcome::Success(_) => grant.succeeded(),
                    AttemptOutcome::Failed {
                        response,
                        limit_hit,
                        ..
                    } if response.is_rate_limit() => {
                        grant.rate_limited(*limit_hit);
                        // Keep retrying while the budget saw a success (or this request
                        // started) within the patience.
                        let since = grant
                            .last_success()
                            .map_or(started, |success| success.max(started));
                        patience_left = (since + self.inner.rate_limit_patience)
                            .checked_duration_since(Instant::now());
                    }
                    _ => {}
                }
                let current = tracing::Span::current();
                current.record("latency_ms", latency_millis(attempt_started.elapsed()));
                if let Some(status) = outcome.status() {
                    current.record("status", status);
                }
                if let Some(request_id) = outcome.request_id() {
                    current.record("request_id", request_id);
                }
                outcome.log();
                (outcome, patience_left)
            }
            .instrument(attempt_span)
            .await;
            let (retryable, retry_after) = match &outcome {
                AttemptOutcome::Success(_) => (false, None),
                AttemptOutcome::Failed {
                    response,
                    should_retry,
                    ..
                } => (*should_retry, response.retry_after),
                AttemptOutcome::NoResponse { .. } => (true, None),
            };
            if let Some(left) = patience_left.filter(|_| retryable) {
                // Rate limited: the budget shrank; retry once it allows (and no sooner than
                // `Retry-After`), as long as the patience lasts.
                let delay = retry_after.unwrap_or(Duration::ZERO);
                if delay <= left {
                    policy_attempt -= 1;
                    tracing::debug!(
                        attempt,
                        delay_ms = latency_millis(delay),
                        "rate limited; retrying within the budget"
                    );
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }
            if retryable && policy_attempt < policy.max_attempts {
                let delay = retry::retry_delay(policy, policy_attempt, retry_after);
                if started.elapsed() + delay <= policy.max_elapsed {
                    tracing::info!(
                        attempt,
                        delay_ms = latency_millis(delay),
                        "retrying stripe request"
                    );
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }
            span.record("attempts", attempt);
            span.record("latency_ms", latency_millis(started.elapsed()));
            if let Some(status) = outcome.status() {
                span.record("status", status);
            }
            if let Some(request_id) = outcome.request_id() {
                span.record("request_id", request_id);
            }
            return match outcome {
                AttemptOutcome::Success(response) => Ok(response),
                AttemptOutcome::Failed { response, .. } => Err(match &self.account_key {
                    Some(account_key) => response.into_account_key_error(
                        self.stripe_account.as_deref().unwrap_or_default(),
                        attempt,
                        account_key.secret.expose_secret(),
                    ),
                    None => response.into_error(
                        self.stripe_account.as_deref(),
                        attempt,
                        self.inner.key.expose_secret(),
                    ),
                }),
                AttemptOutcome::NoResponse { error, request_id } => {
                    if error.is_timeout() {
                        Err(StripeError::Timeout {
                            attempts: attempt,
                            request_id,
                            source: error.without_url(),
                        })
                    } else {
                        Err(StripeError::Transport {
                            attempts: attempt,
                            request_id,
                            source: error.without_url(),
                        })
                    }
                }
            };
        }
    }

    async fn send_once(&self, url: Url) -> AttemptOutcome {
        let mut request = self.inner.http.get(url);
        match &self.account_key {
            // The account's own key names the account: no `Stripe-Account` header.
            Some(account_key) => {
                request = request.header(AUTHORIZATION, account_key.authorization.clone());
            }
            None => {
                request = request.header(AUTHORIZATION, self.inner.authorization.clone());
                if let Some(account) = &self.stripe_account {
                    request = request.header("stripe-account", account.as_ref());
                }
            }
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                return AttemptOutcome::NoResponse {
                    error,
                    request_id: None,
                }
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers();
        let header_text = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header_text("request-id");
        let should_retry = retry::parse_should_retry(header_text("stripe-should-retry").as_deref());
        let retry_after = retry::parse_retry_after(header_text("retry-after").as_deref());
        let limit_hit = LimitHit::from_reason(header_text("stripe-rate-limited-reason").as_deref());
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(error) => return AttemptOutcome::NoResponse { error, request_id },
        };
        if (200..300).contains(&status) {
            return AttemptOutcome::Success(SuccessResponse {
                status,
                body,
                request_id,
            });
        }
        let api_error = serde_json::from_slice::<ApiErrorBody>(&body)
            .ok()
            .map(|body| body.error);
        let error_code = api_error.as_ref().and_then(|error| error.code.as_deref());
        let should_retry = retry::should_retry_response(status, should_retry, error_code);
        AttemptOutcome::Failed {
            response: ErrorResponse {
                status,
                api_error,
                content_type,
                retry_after,
                request_id,
            },
            should_retry,
            limit_hit,
        }
    }

    fn url<Q: Serialize + ?Sized>(&self, path: &str, query: &Q) -> Result<Url, StripeError> {
        if !path.starts_with('/') || path.contains(['?', '#']) {
            return Err(StripeError::InvalidConfig {
                field: "path",
                reason: format!("expected an absolute path without query, got {path:?}"),
            });
        }
        let base = self.inner.api_base.as_str().trim_end_matches('/');
        let mut url =
            Url::parse(&format!("{base}{path}")).map_err(|error| StripeError::InvalidConfig {
                field: "path",
                reason: error.to_string(),
            })?;
        let encoded =
            serde_urlencoded::to_string(query).map_err(|error| StripeError::InvalidConfig {
                field: "query",
                reason: error.to_string(),
            })?;
        if !encoded.is_empty() {
            url.set_query(Some(&encoded));
        }
        Ok(url)
    }
}

fn latency_millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Decodes a successful body, naming the JSON path on failure.
fn decode<T: DeserializeOwned>(response: &SuccessResponse) -> Result<T, StripeError> {
    let decode_error = |path: String, source: serde_json::Error| StripeError::Decode {
        status: response.status,
        path,
        source,
        request_id: response.request_id.clone(),
    };
    let mut deserializer = serde_json::Deserializer::from_slice(&response.body);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| decode_error(error.path().to_string(), error.into_inner()))?;
    deserializer
        .end()
        .map_err(|error| decode_error(".".to_owned(), error))?;
    Ok(value)
}
