//! The one place where platforms are wired in.
//!
//! Each kind of platform the binary ships is a [`PlatformFactory`]: it says what its
//! integrations declare ([`PlatformInfo`]: keys, name, data types, callback segment, settings)
//! and builds the enabled ones from the settings the server read for it. [`shipped`] lists them
//! (today Stripe, test and live); [`registry_with`] builds a registry from any list, so tests can
//! add platforms of their own beside the shipped ones through the same code.
//!
//! Stripe ([`StripeFactory`]):
//! - "Stripe Test" (`stripe-test`, Codat `yzth`) when `STRIPE_TEST_CLIENT_ID` and
//!   `STRIPE_TEST_SECRET_KEY` are set; "Stripe" (`stripe`, live, Codat `exgd`) when
//!   `STRIPE_LIVE_CLIENT_ID` and `STRIPE_LIVE_SECRET_KEY` are set.
//! - `STRIPE_TEST_APP_INSTALL_URL` / `STRIPE_LIVE_APP_INSTALL_URL`: set, that integration links
//!   merchants through Stripe Apps OAuth (the app's install link; the client id and secret key
//!   are the app's `ca_` id and its owner's key) instead of Connect OAuth.
//! - `STRIPE_API_BASE` and `STRIPE_CONNECT_BASE` point both at another host (the sandbox);
//!   `STRIPE_SCOPE` (`read_only`, the default, or `read_write`) is the OAuth scope asked for.
//! - Webhook signing secrets: `STRIPE_TEST_WEBHOOK_SECRET` / `STRIPE_LIVE_WEBHOOK_SECRET`, or
//!   `STRIPE_WEBHOOK_SECRET` for a mode without its own.
//! - The OAuth redirect URI is `{public_url}/oauth/stripe/callback` (the callback segment
//!   `commerce_stripe::platform_info` declares); OAuth states are kept in the store's
//!   link-state table.
//! - Rate budgets: `STRIPE_TEST_RATE_LIMIT`, `STRIPE_LIVE_RATE_LIMIT`,
//!   `STRIPE_ENDPOINT_RATE_LIMIT`, `STRIPE_MAX_CONCURRENCY`, `STRIPE_RATE_LIMIT_SCOPE` and
//!   `STRIPE_RATE_LIMIT_PATIENCE_SECS` (declared by `commerce_stripe::platform_info`, parsed
//!   into a [`RateSettings`] and validated here at start). On PostgreSQL the budgets are shared
//!   by every process on the database ([`commerce_store::SharedRateBudgets`]); on SQLite they
//!   stay in this process.
//!
//! Adding a platform to the binary means one factory and one line in [`shipped`]; nothing else
//! in the binary names Stripe except `demo`, `link` (its `--integration` choices) and `sandbox`,
//! which start or talk to the fake Stripe.

use std::sync::Arc;

use anyhow::{anyhow, Context as _};
use commerce_model::platform::{Platform, PlatformInfo};
use commerce_server::PlatformSettings;
use commerce_store::Store;
use commerce_stripe::{SharedBudgetAdapter, StripePlatform};
use commerce_sync::PlatformRegistry;
use secrecy::SecretString;
use stripe_client::{ClientConfig, RateSettings, StripeClient};
use stripe_connect::{Integration, Mode, Scope};

/// Options the configuration does not carry.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlatformOptions {
    /// Requests per second to Stripe per budget and per endpoint, overriding the settings
    /// (the demo's unlimited sandbox); `None` keeps the settings.
    pub rate_limit: Option<u32>,
}

/// What a factory builds its platforms from.
#[derive(Clone, Copy)]
pub struct BuildContext<'a> {
    /// The platform settings the server read (only those the factories declared).
    pub settings: &'a PlatformSettings,
    /// The server's public base URL, without trailing slash.
    pub public_url: &'a str,
    /// The store (OAuth states live there).
    pub store: &'a Store,
    /// Options the configuration does not carry.
    pub options: PlatformOptions,
}

/// A kind of platform the binary (or a test) can wire in.
pub trait PlatformFactory: Send + Sync {
    /// What each of its integrations declares, enabled or not (the server reads and checks the
    /// settings declared here).
    fn infos(&self) -> Vec<PlatformInfo>;

    /// Builds the integrations whose required settings are set. Fails with one line naming the
    /// setting at fault (never a secret).
    fn build(&self, context: &BuildContext<'_>) -> anyhow::Result<Vec<Arc<dyn Platform>>>;
}

/// The platforms the `commerce` binary ships. The one registry line per platform.
pub fn shipped() -> Vec<Arc<dyn PlatformFactory>> {
    vec![Arc::new(StripeFactory)]
}

/// Every integration the factories declare (for `ServerConfig::load`/`from_sources`).
pub fn declared(factories: &[Arc<dyn PlatformFactory>]) -> Vec<PlatformInfo> {
    factories
        .iter()
        .flat_map(|factory| factory.infos())
        .collect()
}

/// Every enabled platform of the shipped factories, registered by key, Codat key and alias.
pub fn registry(context: &BuildContext<'_>) -> anyhow::Result<PlatformRegistry> {
    registry_with(&shipped(), context)
}

/// Every enabled platform of `factories`, registered by key, Codat key and alias.
pub fn registry_with(
    factories: &[Arc<dyn PlatformFactory>],
    context: &BuildContext<'_>,
) -> anyhow::Result<PlatformRegistry> {
    let mut registry = PlatformRegistry::new();
    for factory in factories {
        for platform in factory.build(context)? {
            registry.register(platform);
        }
    }
    Ok(registry)
}

/// The Stripe rate budget settings, validated: one error listing every problem
/// (`ServerError::InvalidConfig`, printed one line per problem).
pub fn rate_settings(settings: &PlatformSettings) -> anyhow::Result<RateSettings> {
    RateSettings::from_lookup(|name| settings.value(name)).map_err(|problems| {
        anyhow::Error::new(commerce_server::ServerError::InvalidConfig { problems })
    })
}

/// The settings an integration needs, for error messages ("set X and Y"); `key` may be any
/// key the integration answers to.
pub fn required_settings(infos: &[PlatformInfo], key: &str) -> String {
    infos
        .iter()
        .find(|info| info.answers_to(key))
        .map(PlatformInfo::required_settings)
        .unwrap_or_else(|| format!("the settings of a platform registered as {key:?}"))
}

/// Stripe, test and live.
#[derive(Debug, Clone, Copy, Default)]
pub struct StripeFactory;

impl PlatformFactory for StripeFactory {
    fn infos(&self) -> Vec<PlatformInfo> {
        [Mode::Test, Mode::Live]
            .into_iter()
            .map(commerce_stripe::platform_info)
            .collect()
    }

    fn build(&self, context: &BuildContext<'_>) -> anyhow::Result<Vec<Arc<dyn Platform>>> {
        let mut platforms = Vec::new();
        for mode in [Mode::Test, Mode::Live] {
            if let Some(platform) = stripe(mode, context)? {
                platforms.push(Arc::new(platform) as Arc<dyn Platform>);
            }
        }
        Ok(platforms)
    }
}

fn stripe(mode: Mode, context: &BuildContext<'_>) -> anyhow::Result<Option<StripePlatform>> {
    let settings = context.settings;
    let rate = rate_settings(settings)?;
    let info = commerce_stripe::platform_info(mode);
    let names = commerce_stripe::setting_names(mode);
    if !settings.enabled(&info) {
        return Ok(None);
    }
    let (Some(client_id), Some(secret_key)) = (
        settings.value(names.client_id),
        settings.secret(names.secret_key),
    ) else {
        return Ok(None);
    };
    let scope = match settings
        .value(commerce_stripe::SCOPE_SETTING)
        .unwrap_or("read_only")
    {
        "read_only" => Scope::ReadOnly,
        "read_write" => Scope::ReadWrite,
        other => {
            return Err(anyhow!(
                "{} {other:?} is neither read_only nor read_write",
                commerce_stripe::SCOPE_SETTING
            ))
        }
    };
    let redirect_uri = format!(
        "{}/oauth/{}/callback",
        context.public_url.trim_end_matches('/'),
        info.callback_segment
    );
    let mut integration =
        Integration::builder(mode, client_id, secret_key.clone(), redirect_uri).scope(scope);
    if let Some(base) = settings.value(commerce_stripe::CONNECT_BASE_SETTING) {
        integration = integration.connect_base(base);
    }
    let integration = integration
        .build()
        .with_context(|| format!("{} / {}", names.client_id, names.secret_key))?;
    let mut client = ClientConfig::builder(secret_key.clone());
    if let Some(base) = settings.value(commerce_stripe::API_BASE_SETTING) {
        client = client.api_base(base);
    }
    client = client.rate_settings(&rate);
    if let Some(limit) = context.options.rate_limit {
        client = client.rate_limit(limit).endpoint_rate_limit(limit);
    }
    let shared_budget = context.store.shared_rate_budgets();
    let shared = shared_budget.is_some();
    if let Some(budgets) = shared_budget {
        client = client.shared_budget(Arc::new(SharedBudgetAdapter::new(Arc::new(budgets))));
    }
    let client = client
        .build()
        .and_then(StripeClient::new)
        .with_context(|| names.secret_key)?;
    let mut shown: Vec<(String, String)> = rate
        .describe()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    shown.push((
        "rate budgets".to_owned(),
        if shared {
            "shared by every process on this database".to_owned()
        } else {
            "in this process".to_owned()
        },
    ));
    let api_key_linking = settings.value(commerce_stripe::API_KEY_LINKING_SETTING) == Some("true");
    let mut platform = StripePlatform::new(integration, client)
        .with_context(|| names.secret_key)?
        .with_settings(shown)
        .with_api_key_linking(api_key_linking);
    if let Some(install_url) = settings.value(names.app_install_url) {
        platform = platform
            .with_app_install_url(install_url)
            .with_context(|| names.app_install_url)?;
    }
    let secrets: Vec<SecretString> = settings
        .secret(names.webhook_secret)
        .or_else(|| settings.secret(commerce_stripe::WEBHOOK_SECRET_SETTING))
        .cloned()
        .into_iter()
        .collect();
    let platform = platform
        .with_webhook_secrets(secrets)
        .with_context(|| names.webhook_secret)?;
    Ok(Some(platform))
}
