//! Stripe Connect OAuth for Standard accounts, and Stripe webhook signatures.
//!
//! - [`authorize_url`] / [`AuthorizeUrl`]: where to send a merchant to connect their Stripe
//!   account. Pure: it needs the Connect client id, the redirect URI and a `state` you choose
//!   and keep; no secret key, store or runtime.
//! - [`Callback`]: parses the redirect Stripe sends back (`code` or `error`, and your `state`
//!   to check).
//! - [`OAuthClient`] (feature `oauth`, on by default): exchanges the code for the account's
//!   `stripe_user_id` and tokens, refreshes a token and deauthorizes an account, over
//!   `reqwest`, checking test or live mode. [`parse_token_response`] and
//!   [`parse_deauthorize_response`] read those answers without I/O, for any other HTTP stack.
//! - Stripe Apps OAuth: [`app_install_url`] (the install link with your `state`),
//!   [`parse_app_token_response`] (`/v1/oauth/token` answers, expiring access tokens and
//!   rotating refresh tokens) and [`AppOAuthClient`] (feature `oauth`: code exchange and refresh
//!   with HTTP Basic).
//! - [`Integration`]: your platform's Connect settings for one mode (client id, secret key,
//!   redirect URI, scope, Connect host), checked when built (a key of the wrong mode is refused).
//! - [`webhook`] (feature `webhooks`, on by default): `Stripe-Signature` verification, then
//!   parsing into `stripe_wire::Event`. With `default-features = false, features =
//!   ["webhooks"]` the dependency tree has no HTTP client, OAuth crate or async runtime.
//!
//! Secrets (the secret key, tokens, authorization codes, webhook secrets) are
//! `secrecy::SecretString`s and appear in no `Debug` output, log line or error message.
//! Nothing is stored: keeping the `state` and the tokens is the caller's job.
//!
//! # Linking an account
//!
//! ```no_run
//! # #[cfg(feature = "oauth")]
//! # async fn run() -> Result<(), stripe_connect::ConnectError> {
//! use stripe_connect::{Callback, CallbackOutcome, Integration, Mode, OAuthClient, Scope};
//!
//! let settings = Integration::builder(
//!     Mode::Test,
//!     "ca_32D88BD1qLklliziD7gYQvctJIhWBSQ7",
//!     "sk_test_...", // or a secrecy::SecretString
//!     "https://example.com/oauth/callback",
//! )
//! .scope(Scope::ReadOnly)
//! .build()?;
//!
//! // 1. Redirect the merchant to Stripe with a state you generate and keep (e.g. in the session).
//! let state = "an-unguessable-value";
//! let _location = settings.authorize_url(state);
//!
//! // 2. Stripe redirects back to the redirect URI with `?code=...&state=...`.
//! let callback = Callback::from_query("code=ac_123&scope=read_only&state=an-unguessable-value")?;
//! assert_eq!(callback.state(), state); // compare with the state you kept
//! let client = OAuthClient::new(settings)?;
//! if let CallbackOutcome::Authorized { code, .. } = callback.outcome() {
//!     let account = client.exchange_code(code).await?;
//!     // Call the API with your secret key and `Stripe-Account: acct_...`.
//!     let _account_id = account.stripe_user_id();
//! }
//!
//! // 3. Later, to unlink.
//! client.deauthorize("acct_1032D82eZvKYlo2C").await?;
//! # Ok(())
//! # }
//! ```

mod apps;
#[cfg(feature = "oauth")]
mod apps_client;
mod authorize;
mod callback;
#[cfg(feature = "oauth")]
mod client;
mod error;
mod integration;
mod token;
#[cfg(feature = "webhooks")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhooks")))]
pub mod webhook;

pub use crate::apps::{
    app_install_url, parse_app_token_response, AppTokens, DEFAULT_APP_ACCESS_TTL,
};
#[cfg(feature = "oauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
pub use crate::apps_client::{AppOAuthClient, DEFAULT_API_BASE};
pub use crate::authorize::{authorize_url, AuthorizeUrl, Landing};
pub use crate::callback::{AuthorizeErrorCode, Callback, CallbackOutcome};
#[cfg(feature = "oauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
pub use crate::client::OAuthClient;
pub use crate::error::{ConnectError, OAuthErrorCode};
pub use crate::integration::{Integration, IntegrationBuilder, Mode, Scope, DEFAULT_CONNECT_BASE};
pub use crate::token::{
    parse_deauthorize_response, parse_token_response, ConnectedAccount, Deauthorization,
};
/// The secret type every secret of this crate is held in (re-exported from `secrecy`).
pub use secrecy::{ExposeSecret, SecretString};

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
