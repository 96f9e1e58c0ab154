//! Stripe Connect OAuth for Standard accounts: how a merchant's Stripe account gets linked.
//!
//! - [`Integration`]: one per Stripe mode ([`IntegrationKind::Test`] = "Stripe Test",
//!   [`IntegrationKind::Live`] = "Stripe"), with the Connect client id, the platform secret key
//!   (checked against the mode when built), the redirect URI, the [`Scope`] and the Connect
//!   base URL.
//! - [`ConnectFlow`]: the authorize URL with a single-use, expiring [`StateBinding`]-bound
//!   state kept in a [`StateStore`], callback handling ([`Callback`]), token exchange with a
//!   `livemode` check, refresh and deauthorize. Built on the `oauth2` crate, over the
//!   workspace's `reqwest` through [`HttpClient`].
//! - [`webhook`]: `Stripe-Signature` verification, then parsing into `stripe_wire::Event`.
//!
//! Secrets (the secret key, tokens, authorization codes, webhook secrets) are
//! `secrecy::SecretString`s and appear in no `Debug` output, log line or error message.
//!
//! This crate depends on `stripe-wire` for Stripe's shapes and on no `commerce-*` crate; it
//! does not persist anything itself (a database-backed [`StateStore`] lives elsewhere).
//!
//! # A complete link flow
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use secrecy::SecretString;
//! use stripe_connect::{
//!     AuthorizeOptions, Callback, ConnectError, ConnectFlow, Integration, IntegrationKind,
//!     LinkOutcome, MemoryStateStore, Scope, StateBinding,
//! };
//!
//! # async fn run() -> Result<(), ConnectError> {
//! // Once, at start-up: a key of the wrong mode is refused here.
//! let integration = Integration::builder(
//!     IntegrationKind::Test,
//!     "ca_32D88BD1qLklliziD7gYQvctJIhWBSQ7",
//!     SecretString::from("sk_test_..."),
//!     "https://commerce.example.com/oauth/stripe/callback",
//! )
//! .scope(Scope::ReadWrite)
//! .build()?;
//! let flow = ConnectFlow::new(integration, Arc::new(MemoryStateStore::new()))?;
//!
//! // 1. The merchant opens the link for a connection: redirect them to Stripe.
//! let binding = StateBinding::new("company-1", "connection-1");
//! let redirect = flow.authorize(&binding, &AuthorizeOptions::default()).await?;
//! let _location = redirect.url().as_str(); // send a 302 to this
//!
//! // 2. Stripe redirects back to the redirect URI with `?code=...&state=...`.
//! let callback = Callback::from_query("code=ac_123&scope=read_write&state=...")?;
//! let link = flow.complete(callback, Some(&binding)).await?;
//! match link.outcome() {
//!     LinkOutcome::Connected(account) => {
//!         // Store `account.stripe_user_id()` (acct_...) against `link.binding()`, and
//!         // call the API with the platform key and `Stripe-Account: acct_...`.
//!         let _account_id = account.stripe_user_id();
//!     }
//!     LinkOutcome::Denied { error, .. } => {
//!         // `access_denied`: the merchant declined.
//!         let _code = error.as_str();
//!     }
//!     _ => {}
//! }
//!
//! // 3. Later, to unlink.
//! flow.deauthorize("acct_1032D82eZvKYlo2C").await?;
//! # Ok(())
//! # }
//! ```

mod callback;
mod error;
mod flow;
mod http;
mod integration;
mod state;
pub mod webhook;

pub use crate::callback::{AuthorizeErrorCode, Callback, CallbackOutcome};
pub use crate::error::{ConnectError, OAuthErrorCode, StateStoreError};
pub use crate::flow::{
    AuthorizeOptions, AuthorizeRedirect, ConnectFlow, ConnectedAccount, Deauthorization, Landing,
    Link, LinkOutcome,
};
pub use crate::http::HttpClient;
pub use crate::integration::{
    Integration, IntegrationBuilder, IntegrationKind, Scope, DEFAULT_CONNECT_BASE,
};
pub use crate::state::{
    Clock, IssuedState, MemoryStateStore, StateBinding, StateStore, SystemClock, TokioClock,
    DEFAULT_STATE_TTL,
};
