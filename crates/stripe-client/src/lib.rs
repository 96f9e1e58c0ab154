//! HTTP client for the Stripe API: a validated secret key with its mode, the pinned
//! `Stripe-Version`, `Stripe-Account` for connected accounts, single-object GETs, list endpoints
//! as streams of pages with a resume cursor, a client-side rate limiter and concurrency cap
//! shared by all clones, retries with backoff, typed errors and `tracing` spans.
//!
//! It only reads: every request is a `GET` (single objects and list pages); it creates,
//! changes and deletes nothing in Stripe.
//!
//! Typed lists ([`StripeClient::list_all`]) take the path and the allowed filters from the
//! resource type ([`wire::Listable`]); [`StripeClient::list`] takes any path, for endpoints
//! without a type here. The Stripe types are re-exported as [`wire`] (the `stripe-wire`
//! crate), the key type as [`SecretString`], and the stream traits as [`TryStreamExt`] and
//! [`StreamExt`], so no other crate is needed to use the client (besides an async runtime).
//! It depends on no `commerce-*` crate.
//!
//! # Example: every customer of a connected account
//!
//! ```no_run
//! use stripe_client::wire::Customer;
//! use stripe_client::{ClientConfig, ListParams, StripeClient, TryStreamExt};
//!
//! # async fn run() -> Result<(), stripe_client::StripeError> {
//! let config = ClientConfig::builder("sk_test_platformkey")
//!     .api_base_from_env() // STRIPE_API_BASE, e.g. a local fake of Stripe
//!     .build()?;
//! let platform = StripeClient::new(config)?;
//! let merchant = platform.on_behalf_of("acct_1Merchant")?;
//!
//! let params = ListParams::new().created_gte(1_700_000_000).filter("email", "a@example.com");
//! let mut pages = merchant.list_all::<Customer>(params);
//! while let Some(page) = pages.try_next().await? {
//!     for customer in &page.data {
//!         tracing::info!(id = %customer.id, email = ?customer.email);
//!     }
//!     // Store `page.cursor` to resume after this page with `ListParams::starting_after`.
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Behaviour
//!
//! - Rate: budgets per Stripe account (or per platform key, [`BudgetScope`]): by default 25
//!   requests/s for test keys and 100/s for live keys (Stripe's documented global limits), and
//!   25/s per endpoint within each, evenly spaced; at most [`DEFAULT_MAX_CONCURRENCY`] requests
//!   in flight. All shared by every clone of a client, and with a [`SharedBudget`] by every
//!   process using the same store. A 429 shrinks the budget `Stripe-Rate-Limited-Reason` names
//!   (the account's global one when absent); successes grow it back to its setting.
//!   [`RateSettings`] reads the settings by name (`STRIPE_TEST_RATE_LIMIT`...).
//! - Retries: 429, 409 `lock_timeout`, 5xx, timeouts and transport errors, with exponential
//!   backoff and full jitter within [`RetryPolicy`]'s attempts and total time; a rate limit
//!   429 is also retried beyond them, once its budget allows, while some request of its budget
//!   succeeded within the patience ([`ClientConfigBuilder::rate_limit_patience`], 10 minutes);
//!   `Stripe-Should-Retry` overrides the status and `Retry-After` sets a minimum delay.
//! - Errors: [`StripeError`], with [`StripeError::request_id`], [`StripeError::is_retryable`]
//!   and [`StripeError::is_access_revoked`].
//! - Tracing: one `stripe_request` span per request with `method`, `path`, `stripe_account`,
//!   `attempt`, `status`, `request_id` and `latency_ms`. The key is never logged.

mod client;
mod config;
mod error;
mod limiter;
mod list;
mod rate;
mod retry;
mod typed;

pub use crate::client::StripeClient;
pub use crate::config::{
    ClientConfig, ClientConfigBuilder, Mode, RetryPolicy, SecretKey, API_BASE_ENV,
    DEFAULT_API_BASE, DEFAULT_MAX_CONCURRENCY, STRIPE_VERSION,
};
pub use crate::error::StripeError;
pub use crate::list::{CreatedRange, ListParams, Page, MAX_PAGE_SIZE};
pub use crate::rate::{
    BudgetScope, RateSettings, SharedBudget, SharedBudgetError, DEFAULT_ENDPOINT_RATE_LIMIT,
    DEFAULT_RATE_LIMIT_PATIENCE, MAX_RATE_LIMIT, MIN_RATE_LIMIT,
};
pub use crate::typed::{ObjectStream, PageStream};
/// The stream traits the list streams are used with (re-exported from `futures`).
pub use futures::{Stream, StreamExt, TryStreamExt};
/// The secret type the key is given in (re-exported from `secrecy`).
pub use secrecy::{ExposeSecret, SecretString};
/// The Stripe types this client returns (the `stripe-wire` crate).
pub use stripe_wire as wire;

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
