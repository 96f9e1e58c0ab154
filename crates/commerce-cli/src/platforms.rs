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
//!
//! Adding a platform means adding its builder here; nothing else in the binary names Stripe
//! except `demo` and `sandbox`, which start the fake Stripe.

use std::sync::Arc;

use anyhow::{anyhow, Context as _};
use commerce_model::platform::Platform;
use commerce_server::PlatformSettings;
use commerce_stripe::StripePlatform;
use commerce_sync::PlatformRegistry;
use secrecy::SecretString;
use stripe_client::{ClientConfig, StripeClient};
use stripe_connect::{Integration, Mode, Scope};

/// Options the configuration does not carry.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PlatformOptions {
    /// Requests per second to Stripe per integration; `None` keeps Stripe's documented limit of
    /// the key's mode (25 in test mode, 100 in live mode).
    pub(crate) rate_limit: Option<u32>,
}

/// Every enabled platform, registered by key and alias. Fails with one line naming the
/// setting at fault (never a secret).
pub(crate) fn registry(
    settings: &PlatformSettings,
    public_url: &str,
    options: PlatformOptions,
) -> anyhow::Result<PlatformRegistry> {
    let mut registry = PlatformRegistry::new();
    for mode in [Mode::Test, Mode::Live] {
        if let Some(platform) = stripe(mode, settings, public_url, options)? {
            registry.register(Arc::new(platform) as Arc<dyn Platform>);
        }
    }
    Ok(registry)
}

/// The names of a Stripe integration's settings.
struct Names {
    client_id: &'static str,
    secret_key: &'static str,
    webhook_secret: &'static str,
}

fn names(mode: Mode) -> Names {
    match mode {
        Mode::Live => Names {
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
    if platform_key == commerce_stripe::platform_key(Mode::Live) || platform_key == "exgd" {
        "STRIPE_LIVE_CLIENT_ID and STRIPE_LIVE_SECRET_KEY"
    } else {
        "STRIPE_TEST_CLIENT_ID and STRIPE_TEST_SECRET_KEY"
    }
}

fn stripe(
    mode: Mode,
    settings: &PlatformSettings,
    public_url: &str,
    options: PlatformOptions,
) -> anyhow::Result<Option<StripePlatform>> {
    let names = names(mode);
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
        Integration::builder(mode, client_id, secret_key.clone(), redirect_uri).scope(scope);
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
    if let Some(limit) = options.rate_limit {
        client = client.rate_limit(limit);
    }
    let client = client
        .build()
        .and_then(StripeClient::new)
        .with_context(|| names.secret_key)?;
    let platform = StripePlatform::new(integration, client).with_context(|| names.secret_key)?;
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
