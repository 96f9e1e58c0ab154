//! The one place where platforms are wired in: builds a [`PlatformRegistry`] holding a
//! [`StripePlatform`] for each Stripe integration enabled in the configuration.
//!
//! - "Stripe Test" (`stripe-test`) when `STRIPE_TEST_CLIENT_ID` and `STRIPE_TEST_SECRET_KEY`
//!   are set; "Stripe" (`stripe`, live) when `STRIPE_LIVE_CLIENT_ID` and
//!   `STRIPE_LIVE_SECRET_KEY` are set.
//! - `STRIPE_API_BASE` and `STRIPE_CONNECT_BASE` point both at another host (the sandbox);
//!   `STRIPE_SCOPE` (`read_only`, the default, or `read_write`) is the OAuth scope asked for.
//! - Webhook signing secrets: `STRIPE_TEST_WEBHOOK_SECRET` / `STRIPE_LIVE_WEBHOOK_SECRET`, or
//!   `STRIPE_WEBHOOK_SECRET` for a mode without its own.
//! - The OAuth redirect URI is `{public_url}/oauth/stripe/callback`; OAuth states are kept in
//!   the store's link-state table.
//! - Rate budgets: `STRIPE_TEST_RATE_LIMIT`, `STRIPE_LIVE_RATE_LIMIT`,
//!   `STRIPE_ENDPOINT_RATE_LIMIT`, `STRIPE_MAX_CONCURRENCY`, `STRIPE_RATE_LIMIT_SCOPE` and
//!   `STRIPE_RATE_LIMIT_PATIENCE_SECS` ([`RateSettings`], validated here at start). On
//!   PostgreSQL the budgets are shared by every process on the database
//!   ([`commerce_store::SharedRateBudgets`]); on SQLite they stay in this process.
//!
//! Adding a platform means adding its builder here; nothing else in the binary names Stripe
//! except `demo` and `sandbox`, which start the fake Stripe.

use std::sync::Arc;

use anyhow::{anyhow, Context as _};
use commerce_model::platform::{LinkStateStore, Platform};
use commerce_server::PlatformSettings;
use commerce_store::Store;
use commerce_stripe::{SharedBudgetAdapter, StripePlatform};
use commerce_sync::PlatformRegistry;
use secrecy::SecretString;
use stripe_client::{ClientConfig, RateSettings, StripeClient};
use stripe_connect::{Integration, IntegrationKind, Scope};

/// Options the configuration does not carry.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PlatformOptions {
    /// Requests per second to Stripe per budget and per endpoint, overriding the settings
    /// (the demo's unlimited sandbox); `None` keeps the settings.
    pub(crate) rate_limit: Option<u32>,
}

/// Every enabled platform, registered by key and alias. Fails with one line naming the
/// setting at fault (never a secret).
pub(crate) fn registry(
    settings: &PlatformSettings,
    public_url: &str,
    store: &Store,
    options: PlatformOptions,
) -> anyhow::Result<PlatformRegistry> {
    let link_states: Arc<dyn LinkStateStore> = Arc::new(store.clone());
    let rate = rate_settings(settings)?;
    let shared_budget = store.shared_rate_budgets().map(|budgets| {
        Arc::new(SharedBudgetAdapter::new(Arc::new(budgets)))
            as Arc<dyn stripe_client::SharedBudget>
    });
    let mut registry = PlatformRegistry::new();
    for kind in [IntegrationKind::Test, IntegrationKind::Live] {
        let budget = Budget {
            rate: &rate,
            shared: shared_budget.clone(),
            options,
        };
        if let Some(platform) = stripe(kind, settings, public_url, &link_states, budget)? {
            registry.register(Arc::new(platform) as Arc<dyn Platform>);
        }
    }
    Ok(registry)
}

/// The Stripe rate budget settings, validated: one error listing every problem.
pub(crate) fn rate_settings(settings: &PlatformSettings) -> anyhow::Result<RateSettings> {
    RateSettings::from_lookup(|name| settings.value(name))
        .map_err(|problems| anyhow!(crate::config::ConfigProblems(problems)))
}

/// How an integration's client spends its requests.
struct Budget<'a> {
    rate: &'a RateSettings,
    shared: Option<Arc<dyn stripe_client::SharedBudget>>,
    options: PlatformOptions,
}

/// The names of a Stripe integration's settings.
struct Names {
    client_id: &'static str,
    secret_key: &'static str,
    webhook_secret: &'static str,
}

fn names(kind: IntegrationKind) -> Names {
    match kind {
        IntegrationKind::Live => Names {
            client_id: "STRIPE_LIVE_CLIENT_ID",
            secret_key: "STRIPE_LIVE_SECRET_KEY",
            webhook_secret: "STRIPE_LIVE_WEBHOOK_SECRET",
        },
        _ => Names {
            client_id: "STRIPE_TEST_CLIENT_ID",
            secret_key: "STRIPE_TEST_SECRET_KEY",
            webhook_secret: "STRIPE_TEST_WEBHOOK_SECRET",
        },
    }
}

/// The settings an integration needs, for error messages (`stripe-test` or `stripe`).
pub(crate) fn required_settings(platform_key: &str) -> &'static str {
    if platform_key == IntegrationKind::Live.platform_key() || platform_key == "exgd" {
        "STRIPE_LIVE_CLIENT_ID and STRIPE_LIVE_SECRET_KEY"
    } else {
        "STRIPE_TEST_CLIENT_ID and STRIPE_TEST_SECRET_KEY"
    }
}

fn stripe(
    kind: IntegrationKind,
    settings: &PlatformSettings,
    public_url: &str,
    link_states: &Arc<dyn LinkStateStore>,
    budget: Budget<'_>,
) -> anyhow::Result<Option<StripePlatform>> {
    let names = names(kind);
    if !settings.enabled(names.client_id, names.secret_key) {
        return Ok(None);
    }
    let (Some(client_id), Some(secret_key)) = (
        settings.value(names.client_id),
        settings.secret(names.secret_key),
    ) else {
        return Ok(None);
    };
    let scope = match settings.value("STRIPE_SCOPE").unwrap_or("read_only") {
        "read_only" => Scope::ReadOnly,
        "read_write" => Scope::ReadWrite,
        other => {
            return Err(anyhow!(
                "STRIPE_SCOPE {other:?} is neither read_only nor read_write"
            ))
        }
    };
    let redirect_uri = format!("{}/oauth/stripe/callback", public_url.trim_end_matches('/'));
    let mut integration =
        Integration::builder(kind, client_id, secret_key.clone(), redirect_uri).scope(scope);
    if let Some(base) = settings.value("STRIPE_CONNECT_BASE") {
        integration = integration.connect_base(base);
    }
    let integration = integration
        .build()
        .with_context(|| format!("{} / {}", names.client_id, names.secret_key))?;
    let mut client = ClientConfig::builder(secret_key.clone());
    if let Some(base) = settings.value("STRIPE_API_BASE") {
        client = client.api_base(base);
    }
    client = client.rate_settings(budget.rate);
    if let Some(limit) = budget.options.rate_limit {
        client = client.rate_limit(limit).endpoint_rate_limit(limit);
    }
    let shared_budget = budget.shared.is_some();
    if let Some(shared) = budget.shared {
        client = client.shared_budget(shared);
    }
    let client = client
        .build()
        .and_then(StripeClient::new)
        .with_context(|| names.secret_key)?;
    let mut shown: Vec<(String, String)> = budget
        .rate
        .describe()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    shown.push((
        "rate budgets".to_owned(),
        if shared_budget {
            "shared by every process on this database".to_owned()
        } else {
            "in this process".to_owned()
        },
    ));
    let platform = StripePlatform::new(integration, client, Arc::clone(link_states))
        .with_context(|| names.secret_key)?
        .with_settings(shown);
    let secrets: Vec<SecretString> = settings
        .secret(names.webhook_secret)
        .or_else(|| settings.secret("STRIPE_WEBHOOK_SECRET"))
        .cloned()
        .into_iter()
        .collect();
    let platform = platform
        .with_webhook_secrets(secrets)
        .with_context(|| names.webhook_secret)?;
    Ok(Some(platform))
}
