//! [`StripePlatform`]: Stripe as a `commerce_model` [`Platform`] — linking through Connect OAuth
//! (`stripe-connect`'s authorize URL and [`OAuthClient`]; the OAuth `state` is the server's,
//! kept in its link-state store), pulling a connected account's data through `stripe-client` under
//! `Stripe-Account` and mapping it with this crate's mapping functions, and reading Connect
//! webhooks.
//!
//! One value per integration: "Stripe Test" (key `stripe-test`, Codat alias `yzth`) or "Stripe"
//! (key `stripe`, alias `exgd`). The sync engine, server and CLI hold it as `Arc<dyn Platform>`.
//!
//! Pulls (see `pull` for the details):
//! - a full pull pages every list with `limit=100` and resumes from any batch's cursor; a long
//!   list (all but products) is split into `created` segments paged at once (`segments`);
//! - after a complete full pull, the cursor reads changes: `/v1/events` for customers, disputes,
//!   payments and products, new balance transactions for transactions, a fresh read of the
//!   account and balance for company info; a cursor older than Stripe keeps events (30 days)
//!   starts a full pull again.
//!
//! This module must not be used by `commerce-model`, `-store`, `-sync` or `-server`: they see it
//! only as `dyn Platform`.

pub mod api_key;
mod app_oauth;
mod changes;
mod cursor;
mod errors;
mod price_walk;
mod pull;
mod rate_budget;
mod segments;
mod webhook;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use commerce_model::platform::{
    Batch, CredentialsLink, Cursor, LinkCallback, LinkRequest, LinkStart, LinkedAccount, Platform,
    PlatformError, PlatformInfo, PlatformKey, SettingKind, SettingSpec, WebhookOutcome,
    WebhookRequest,
};
use commerce_model::DataType;
use futures::stream::BoxStream;
use secrecy::{ExposeSecret, SecretString};
use stripe_client::{RateSettings, StripeClient};
use stripe_connect::webhook::WebhookEndpoint;
use stripe_connect::{
    AppOAuthClient, AuthorizeUrl, Callback, CallbackOutcome, Integration, Mode, OAuthClient,
};

pub use crate::platform::app_oauth::{ACCESS_TTL_METADATA, LINK_METHOD_APP, LINK_METHOD_METADATA};
pub use crate::platform::rate_budget::SharedBudgetAdapter;
pub use crate::platform::segments::DEFAULT_BACKFILL_SEGMENTS;
pub use crate::platform::webhook::{StripeWebhook, WebhookChanges};

/// Where [`StripePlatform`] reads "now" from: cursor ages and webhook signature tolerance.
/// Tests set a clock that runs ahead.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// This project's platform key for a Stripe mode: `stripe-test` or `stripe`.
pub fn platform_key(mode: Mode) -> &'static str {
    match mode {
        Mode::Test => "stripe-test",
        Mode::Live => "stripe",
    }
}

/// Codat's name of the integration for a Stripe mode: "Stripe Test" or "Stripe".
pub fn display_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Test => "Stripe Test",
        Mode::Live => "Stripe",
    }
}

/// The data types Stripe supplies, in the order a first sync pulls them.
pub const SUPPORTED_DATA_TYPES: [DataType; 6] = [
    DataType::CompanyInfo,
    DataType::Customers,
    DataType::Disputes,
    DataType::Payments,
    DataType::Products,
    DataType::Transactions,
];

/// How long Stripe keeps events: an incremental cursor last read longer ago than this (less a
/// safety margin of one hour) starts a full pull instead.
pub const EVENT_RETENTION_SECS: i64 = 30 * 24 * 60 * 60;

/// Codat's integration key of "Stripe Test".
pub const CODAT_KEY_TEST: &str = "yzth";
/// Codat's integration key of "Stripe" (live).
pub const CODAT_KEY_LIVE: &str = "exgd";
/// The path segment of Stripe's OAuth callback (`/oauth/stripe/callback`), shared by both
/// integrations (one redirect URI registered with Stripe serves test and live mode).
pub const CALLBACK_SEGMENT: &str = "stripe";

/// The settings of a Stripe integration, by mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StripeSettingNames {
    /// The Connect client id (`ca_...`).
    pub client_id: &'static str,
    /// The platform's secret key (`sk_...`).
    pub secret_key: &'static str,
    /// The webhook signing secret of this mode's endpoint (`whsec_...`).
    pub webhook_secret: &'static str,
    /// The Stripe App's OAuth install link of this mode; set, the integration links through
    /// Stripe Apps OAuth instead of Connect OAuth.
    pub app_install_url: &'static str,
}

/// The settings of [`Mode::Test`] or [`Mode::Live`].
pub fn setting_names(mode: Mode) -> StripeSettingNames {
    match mode {
        Mode::Live => StripeSettingNames {
            client_id: "STRIPE_LIVE_CLIENT_ID",
            secret_key: "STRIPE_LIVE_SECRET_KEY",
            webhook_secret: "STRIPE_LIVE_WEBHOOK_SECRET",
            app_install_url: "STRIPE_LIVE_APP_INSTALL_URL",
        },
        _ => StripeSettingNames {
            client_id: "STRIPE_TEST_CLIENT_ID",
            secret_key: "STRIPE_TEST_SECRET_KEY",
            webhook_secret: "STRIPE_TEST_WEBHOOK_SECRET",
            app_install_url: "STRIPE_TEST_APP_INSTALL_URL",
        },
    }
}

/// The signing secret used by a mode without its own (`STRIPE_WEBHOOK_SECRET`).
pub const WEBHOOK_SECRET_SETTING: &str = "STRIPE_WEBHOOK_SECRET";
/// Another API host for both modes (e.g. the sandbox).
pub const API_BASE_SETTING: &str = "STRIPE_API_BASE";
/// Another Connect OAuth host for both modes.
pub const CONNECT_BASE_SETTING: &str = "STRIPE_CONNECT_BASE";
/// The OAuth scope asked for: `read_only` (default) or `read_write`.
pub const SCOPE_SETTING: &str = "STRIPE_SCOPE";
/// `true`: the link page offers a form to paste an API key beside the OAuth button (the
/// `PUT .../authorization` route takes keys either way).
pub const API_KEY_LINKING_SETTING: &str = "STRIPE_API_KEY_LINKING";

/// What a Stripe integration says about itself: key (`stripe-test` / `stripe`), Codat key
/// (`yzth` / `exgd`), name, data types, callback segment and settings.
pub fn platform_info(mode: Mode) -> PlatformInfo {
    let names = setting_names(mode);
    let codat_key = if mode.is_live() {
        CODAT_KEY_LIVE
    } else {
        CODAT_KEY_TEST
    };
    PlatformInfo::new(
        PlatformKey::from_static(platform_key(mode)),
        PlatformKey::from_static(codat_key),
        display_name(mode),
        CALLBACK_SEGMENT,
    )
    .supports(&SUPPORTED_DATA_TYPES)
    .settings(&[
        SettingSpec::new(
            names.client_id,
            "Connect (or Stripe App) client id (ca_...) of this mode",
        )
        .required(),
        SettingSpec::new(
            names.secret_key,
            "the platform's secret key (sk_...) of this mode",
        )
        .secret()
        .required(),
        SettingSpec::new(
            names.webhook_secret,
            "signing secret (whsec_...) of this mode's Connect webhook endpoint",
        )
        .secret(),
        SettingSpec::new(
            names.app_install_url,
            "the Stripe App's OAuth install link of this mode; set, merchants link through Stripe Apps OAuth instead of Connect OAuth",
        ),
        // Not `HttpUrl`: install links may carry a query string. `with_app_install_url`
        // checks it at start.
        SettingSpec::new(
            WEBHOOK_SECRET_SETTING,
            "webhook signing secret for a mode without its own",
        )
        .secret(),
        SettingSpec::new(
            API_BASE_SETTING,
            "another Stripe API host (e.g. stripe-sandbox)",
        )
        .kind(SettingKind::HttpUrl),
        SettingSpec::new(
            CONNECT_BASE_SETTING,
            "another Connect OAuth host (e.g. stripe-sandbox)",
        )
        .kind(SettingKind::HttpUrl),
        SettingSpec::new(
            SCOPE_SETTING,
            "OAuth scope: read_only (default) or read_write",
        )
        .kind(SettingKind::OneOf(&["read_only", "read_write"])),
        SettingSpec::new(
            API_KEY_LINKING_SETTING,
            "true: the link page offers pasting a restricted API key beside the OAuth button (default false)",
        )
        .kind(SettingKind::OneOf(&["true", "false"])),
        // Rate budgets (parsed and range-checked by `stripe_client::RateSettings`).
        SettingSpec::new(
            RateSettings::TEST_RATE_LIMIT,
            "requests/s of each test-mode budget, 1 to 1000000 (default 25)",
        )
        .kind(SettingKind::PositiveInteger),
        SettingSpec::new(
            RateSettings::LIVE_RATE_LIMIT,
            "requests/s of each live-mode budget, 1 to 1000000 (default 100)",
        )
        .kind(SettingKind::PositiveInteger),
        SettingSpec::new(
            RateSettings::ENDPOINT_RATE_LIMIT,
            "requests/s of each endpoint within a budget, 1 to 1000000 (default 25)",
        )
        .kind(SettingKind::PositiveInteger),
        SettingSpec::new(
            RateSettings::MAX_CONCURRENCY,
            "Stripe requests in flight per process and mode, 1 to 10000 (default 10)",
        )
        .kind(SettingKind::PositiveInteger),
        SettingSpec::new(
            RateSettings::SCOPE,
            "what a rate budget counts: account (default) or platform",
        )
        .kind(SettingKind::OneOf(&["account", "platform"])),
        SettingSpec::new(
            RateSettings::PATIENCE_SECS,
            "seconds rate-limited requests are retried without any success (default 600)",
        )
        .kind(SettingKind::PositiveInteger),
    ])
    .credentials_link(CredentialsLink {
        fields: api_key::FIELDS.to_vec(),
        on_link_page: false,
    })
}

/// The metadata key of [`LinkedAccount::metadata`] holding the account's publishable key.
pub const PUBLISHABLE_KEY_METADATA: &str = "stripe_publishable_key";

/// How many products' prices are read per product at once: products changed in an incremental
/// pull, and products a resumed full pull cannot take from its price walk (the client's own rate
/// limiter and concurrency cap still apply).
const PRICE_CONCURRENCY: usize = 8;

/// Stripe (test or live) as a commerce platform.
///
/// Build it with [`StripePlatform::new`], then optionally
/// [`StripePlatform::with_webhook_secrets`] (to accept webhooks), [`StripePlatform::with_clock`]
/// and [`StripePlatform::with_connect_http_client`].
pub struct StripePlatform {
    mode: Mode,
    info: PlatformInfo,
    oauth: OAuthClient,
    /// Stripe Apps OAuth token calls (`{api_base}/v1/oauth/token`): used to refresh the tokens
    /// of accounts linked through the app, whatever links new ones.
    app_oauth: AppOAuthClient,
    /// The app's install link: set, new links go through Stripe Apps OAuth.
    app_install_url: Option<String>,
    client: StripeClient,
    webhooks: Vec<WebhookEndpoint>,
    clock: Arc<dyn Clock>,
    settings: Vec<(String, String)>,
    backfill_segments: usize,
}

impl std::fmt::Debug for StripePlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripePlatform")
            .field("key", &self.info.key)
            .field("oauth", &self.oauth)
            .field("webhook_secrets", &self.webhooks.len())
            .finish_non_exhaustive()
    }
}

impl StripePlatform {
    /// A platform for `integration` (the Connect settings of one mode), pulling with `client`.
    ///
    /// `client` must be built with the integration's secret key (same mode) and the API base
    /// to talk to; it is used as the platform client, with `Stripe-Account` set per pull.
    /// Fails with [`PlatformError::Internal`] when the client's key mode is not the
    /// integration's.
    pub fn new(integration: Integration, client: StripeClient) -> Result<Self, PlatformError> {
        let mode = integration.mode();
        let client_live = client.mode() == stripe_client::Mode::Live;
        if client_live != mode.is_live() {
            return Err(PlatformError::Internal {
                message: format!(
                    "the stripe client uses a {} key but the {} integration needs a {mode} key",
                    client.mode(),
                    display_name(mode),
                ),
                source: None,
            });
        }
        let app_oauth = AppOAuthClient::new(
            mode,
            SecretString::from(integration.secret_key().expose_secret().to_owned()),
            client.api_base().as_str(),
        )
        .map_err(errors::from_connect)?;
        let oauth = OAuthClient::new(integration).map_err(errors::from_connect)?;
        Ok(Self {
            mode,
            info: platform_info(mode),
            oauth,
            app_oauth,
            app_install_url: None,
            client: client.as_platform(),
            webhooks: Vec::new(),
            clock: Arc::new(SystemClock),
            settings: Vec::new(),
            backfill_segments: DEFAULT_BACKFILL_SEGMENTS,
        })
    }

    /// Accepts webhooks signed with any of `secrets` (`whsec_...`; several while rotating).
    /// Without any, [`Platform::handle_webhook`] answers [`PlatformError::Unsupported`].
    pub fn with_webhook_secrets(
        mut self,
        secrets: impl IntoIterator<Item = SecretString>,
    ) -> Result<Self, PlatformError> {
        for secret in secrets {
            self.webhooks
                .push(WebhookEndpoint::new(secret).map_err(errors::from_connect)?);
        }
        Ok(self)
    }

    /// The settings [`Platform::settings_in_use`] shows operators (e.g. the client's rate budgets,
    /// from `stripe_client::RateSettings::describe`); never secrets.
    pub fn with_settings(mut self, settings: Vec<(String, String)>) -> Self {
        self.settings = settings;
        self
    }

    /// Splits a long list's full pull into at most `segments` `created` ranges paged at once
    /// (default [`DEFAULT_BACKFILL_SEGMENTS`]; 1 pages every list as one sequence). See the
    /// crate's `segments` module docs: bounds from the account's creation time and the first
    /// page, kept in the cursor, each segment resumed on its own.
    pub fn with_backfill_segments(mut self, segments: usize) -> Self {
        self.backfill_segments = segments.max(1);
        self
    }

    /// Offers the paste-a-key form on the link page (`STRIPE_API_KEY_LINKING=true`); linking
    /// with a key through the API works either way.
    pub fn with_api_key_linking(mut self, on_link_page: bool) -> Self {
        if let Some(link) = self.info.credentials_link.as_mut() {
            link.on_link_page = on_link_page;
        }
        self
    }

    /// Uses `clock` for "now": cursor ages and webhook signature tolerance.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sends OAuth requests (token exchange, refresh, deauthorize) through `http`.
    pub fn with_connect_http_client(mut self, http: reqwest::Client) -> Self {
        self.oauth = self.oauth.with_http_client(http.clone());
        self.app_oauth = self.app_oauth.with_http_client(http);
        self
    }

    /// Links new accounts through Stripe Apps OAuth: the merchant installs the app from
    /// `install_url` (the app's OAuth install link of this mode, from its "External test" tab),
    /// the code is exchanged at `{api_base}/v1/oauth/token`, and the account's expiring access
    /// token is refreshed as it runs out. The integration's client id is the app's. Accounts
    /// linked earlier through Connect keep working as before.
    pub fn with_app_install_url(mut self, install_url: &str) -> Result<Self, PlatformError> {
        // Checked now, so a bad link fails at start rather than at the first link.
        stripe_connect::app_install_url(
            install_url,
            self.oauth.integration().client_id(),
            self.oauth.integration().redirect_uri().as_str(),
            "check",
        )
        .map_err(errors::from_connect)?;
        self.app_install_url = Some(install_url.trim().to_owned());
        Ok(self)
    }

    /// How new accounts are linked: `connect` (Connect OAuth) or `app` (Stripe Apps OAuth).
    pub fn link_method(&self) -> &'static str {
        if self.app_install_url.is_some() {
            "app"
        } else {
            "connect"
        }
    }

    /// Test or live.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The Connect OAuth client (code exchange, refresh, deauthorize).
    pub fn oauth_client(&self) -> &OAuthClient {
        &self.oauth
    }

    /// The platform API client.
    pub fn client(&self) -> &StripeClient {
        &self.client
    }

    /// Now, in unix seconds, by the platform's clock.
    fn now(&self) -> i64 {
        unix_seconds(self.clock.now())
    }
}

fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Stripe's authorize URL for `request`, built by `stripe-connect` with the server's `state` and
/// the request's redirect URI (the integration's when the request has none).
fn authorize_url(
    integration: &Integration,
    request: &LinkRequest,
) -> Result<url::Url, PlatformError> {
    let redirect_uri = if request.redirect_uri.is_empty() {
        integration.redirect_uri().as_str()
    } else {
        request.redirect_uri.as_str()
    };
    AuthorizeUrl::new(
        integration.client_id(),
        redirect_uri,
        request.state.as_str(),
    )
    .scope(integration.scope())
    .connect_base(integration.connect_base().as_str())
    .build()
    .map_err(errors::from_connect)
}

#[async_trait]
impl Platform for StripePlatform {
    fn info(&self) -> &PlatformInfo {
        &self.info
    }

    fn settings_in_use(&self) -> Vec<(String, String)> {
        let mut settings = self.settings.clone();
        settings.push((
            "link method".to_owned(),
            match self.link_method() {
                "app" => "Stripe Apps OAuth (install link)".to_owned(),
                _ => "Connect OAuth".to_owned(),
            },
        ));
        settings
    }

    fn needs_refresh(&self, account: &LinkedAccount, now: chrono::DateTime<chrono::Utc>) -> bool {
        app_oauth::needs_refresh(account, now)
    }

    /// Stripe Apps OAuth accounts: a new token pair from the stored refresh token (which stops
    /// working). `invalid_grant` (the app was uninstalled, or the token was already used) is
    /// [`PlatformError::RelinkNeeded`]. Connect accounts' tokens do not expire: unsupported.
    async fn refresh_credentials(
        &self,
        account: &LinkedAccount,
    ) -> Result<LinkedAccount, PlatformError> {
        app_oauth::refresh(&self.app_oauth, account).await
    }

    /// Stripe's authorize URL carrying the server's `state` (which the server saved bound to the
    /// company and connection) and the redirect URI.
    async fn begin_link(&self, request: LinkRequest) -> Result<LinkStart, PlatformError> {
        if request.state.is_empty() {
            return Err(PlatformError::Internal {
                message: "a link request needs a state".to_owned(),
                source: None,
            });
        }
        if let Some(install_url) = &self.app_install_url {
            return Ok(LinkStart {
                authorize_url: app_oauth::install_url(
                    install_url,
                    self.oauth.integration(),
                    &request,
                )?
                .into(),
            });
        }
        Ok(LinkStart {
            authorize_url: authorize_url(self.oauth.integration(), &request)?.into(),
        })
    }

    /// Reads the callback (a `code`, or an `error` such as `access_denied`), exchanges the code
    /// with the integration's secret key and checks the token's `livemode` against the
    /// integration. Declines and refusals are [`PlatformError::LinkFailed`] with a reason to
    /// show the merchant.
    async fn complete_link(&self, callback: LinkCallback) -> Result<LinkedAccount, PlatformError> {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(callback.params.iter())
            .finish();
        let parsed = Callback::from_query(&query).map_err(errors::from_connect)?;
        let code = match parsed.into_parts().1 {
            CallbackOutcome::Authorized { code, .. } => code,
            CallbackOutcome::Denied { error, description } => {
                let reason = if error == stripe_connect::AuthorizeErrorCode::AccessDenied {
                    "the merchant declined to connect their Stripe account".to_owned()
                } else {
                    format!(
                        "stripe refused the authorization request: {error}{}",
                        description
                            .map(|description| format!(" ({description})"))
                            .unwrap_or_default()
                    )
                };
                return Err(PlatformError::LinkFailed { reason });
            }
            _ => {
                return Err(PlatformError::LinkFailed {
                    reason: "the callback is neither an authorization nor a refusal".to_owned(),
                })
            }
        };
        if self.app_install_url.is_some() {
            let tokens = self
                .app_oauth
                .exchange_code(&code)
                .await
                .map_err(errors::from_connect)?;
            return Ok(app_oauth::linked_account(&tokens, chrono::Utc::now()));
        }
        let account = self
            .oauth
            .exchange_code(&code)
            .await
            .map_err(errors::from_connect)?;
        let mut metadata = BTreeMap::new();
        if let Some(key) = account.stripe_publishable_key() {
            metadata.insert(PUBLISHABLE_KEY_METADATA.to_owned(), key.to_owned());
        }
        let mut linked = LinkedAccount::new(account.stripe_user_id(), account.livemode());
        linked.scope = account.scope().map(str::to_owned);
        linked.access_token = Some(SecretString::from(
            account.access_token().expose_secret().to_owned(),
        ));
        linked.refresh_token = account
            .refresh_token()
            .map(|token| SecretString::from(token.expose_secret().to_owned()));
        linked.metadata = metadata;
        Ok(linked)
    }

    /// Deauthorizes the account; an account already disconnected is fine. An account linked
    /// with a pasted key has no grant to revoke (only the merchant can roll the key), and one
    /// linked through Stripe Apps OAuth is only forgotten here (the merchant uninstalls the app
    /// from their Dashboard): nothing is sent for either.
    async fn unlink(&self, account: &LinkedAccount) -> Result<(), PlatformError> {
        if api_key::is_api_key_account(account) || app_oauth::is_app_account(account) {
            return Ok(());
        }
        self.oauth
            .deauthorize(&account.external_id)
            .await
            .map(|_| ())
            .map_err(errors::from_connect)
    }

    /// Links with a restricted (`rk_`) or secret (`sk_`) key of the merchant's account, of
    /// this integration's mode, checked by reading `GET /v1/account` with it.
    async fn link_with_credentials(
        &self,
        credentials: &BTreeMap<String, SecretString>,
    ) -> Result<LinkedAccount, PlatformError> {
        api_key::link(self.mode, &self.client, credentials).await
    }

    fn unlink_revokes(&self, account: &LinkedAccount) -> bool {
        !api_key::is_api_key_account(account)
    }

    fn pull<'a>(
        &'a self,
        account: &'a LinkedAccount,
        data_type: DataType,
        cursor: Option<Cursor>,
    ) -> BoxStream<'a, Result<Batch, PlatformError>> {
        pull::pull(self, account, data_type, cursor)
    }

    async fn handle_webhook(
        &self,
        request: WebhookRequest,
    ) -> Result<WebhookOutcome, PlatformError> {
        self.interpret_webhook(&request)
            .map(|webhook| webhook.outcome)
    }
}
