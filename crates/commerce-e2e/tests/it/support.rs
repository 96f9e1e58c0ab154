//! The server's test support (`server_support`, included from `commerce-server`) plus a server
//! filled from `stripe-sandbox` through the real `StripePlatform`: the Stripe-specific part,
//! which lives here so that `commerce-server` never depends on a Stripe crate.

use std::sync::Arc;
use std::time::Duration;

use commerce_model::platform::Platform;
use commerce_stripe::StripePlatform;
use secrecy::{ExposeSecret, SecretString};
use stripe_client::{ClientConfig, RetryPolicy, StripeClient};
use stripe_connect::{Integration, Mode, Scope};
use stripe_sandbox::{RateLimits, Sandbox, SandboxConfig, SandboxHandle, SandboxInfo};

pub use crate::server_support::*;

/// Codat's integration key for Stripe in test mode, which the sandbox's test keys serve.
pub const STRIPE_TEST_KEY: &str = "yzth";

/// A `StripePlatform` (test mode, read-only) talking to a sandbox at `base`.
pub fn stripe_platform(
    base: &str,
    client_id: &str,
    key: &str,
    redirect: &str,
    webhook: &str,
) -> StripePlatform {
    let integration = Integration::builder(
        Mode::Test,
        client_id,
        SecretString::from(key.to_owned()),
        redirect,
    )
    .scope(Scope::ReadOnly)
    .connect_base(base)
    .build()
    .unwrap();
    let config = ClientConfig::builder(SecretString::from(key.to_owned()))
        .api_base(base)
        .rate_limit(1000)
        .endpoint_rate_limit(1000)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    StripePlatform::new(integration, StripeClient::new(config).unwrap())
        .unwrap()
        .with_webhook_secrets([SecretString::from(webhook.to_owned())])
        .unwrap()
}

/// A sandbox and a server whose engine has the sandbox's test-mode `StripePlatform`.
pub struct SandboxServer {
    pub sandbox: SandboxHandle,
    pub info: SandboxInfo,
    pub platform: Arc<StripePlatform>,
    pub server: TestServer,
}

/// Starts a sandbox (rate limits off, `size` objects per resource, seed 7, "now" at
/// `start_time`) and a server registered with a `StripePlatform` for it. With `webhooks` the
/// sandbox posts its signed events to the server's `/webhooks/stripe`.
pub async fn sandbox_server(size: u64, start_time: i64, webhooks: bool) -> SandboxServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = SandboxConfig::default();
    config.seed = 7;
    config.size = size;
    config.start_time = Some(start_time);
    config.rate_limits = RateLimits::unlimited();
    if webhooks {
        config.webhook_url = Some(format!("{base}/webhooks/stripe"));
    }
    let sandbox = Sandbox::start(config).await.unwrap();
    let info = sandbox.info();
    let platform = Arc::new(stripe_platform(
        sandbox.base_url(),
        &info.test.client_id,
        info.test.secret_key.expose_secret(),
        &format!("{base}/oauth/stripe/callback"),
        info.webhook_secret.expose_secret(),
    ));
    let server = TestServer::start_with(
        vec![platform.clone() as Arc<dyn Platform>],
        Options {
            listener: Some(listener),
            ..Options::default()
        },
    )
    .await;
    SandboxServer {
        sandbox,
        info,
        platform,
        server,
    }
}

/// A company linked to a sandbox account through the API and the browser flow.
pub struct SandboxLink {
    pub company: String,
    pub connection: String,
    /// The sandbox account (`acct_...`) the authorization approved.
    pub account: String,
}

impl SandboxServer {
    /// Creates `company_name` and a Stripe Test connection through the API, then follows the
    /// connection's `linkUrl` as a browser: our `/link/...`, the sandbox's `/oauth/authorize`
    /// (approving at once) and our callback, which must say the account is linked.
    pub async fn link(&self, company_name: &str) -> SandboxLink {
        let server = &self.server;
        let company = server.create_company(company_name, None).await;
        let connection = server.create_connection(&company, STRIPE_TEST_KEY).await;
        assert_eq!(connection["integrationKey"], STRIPE_TEST_KEY);
        assert_eq!(connection["sourceType"], "Commerce");
        let id = connection["id"].as_str().unwrap().to_owned();
        let response = browser()
            .get(connection["linkUrl"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        let status = response.status();
        let page = response.text().await.unwrap();
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Account linked"), "{page}");
        let stored = server
            .store
            .get_connection(id.parse().unwrap())
            .await
            .unwrap();
        let account = stored.external_account_id.clone().unwrap();
        assert!(self.info.test_accounts().contains(&account.as_str()));
        assert_eq!(stored.livemode, Some(false));
        SandboxLink {
            company,
            connection: id,
            account,
        }
    }

    /// A Stripe client acting for `account` at the sandbox (to read what Stripe reports).
    pub fn stripe_for(&self, account: &str) -> StripeClient {
        let config = ClientConfig::builder(self.info.test.secret_key.clone())
            .api_base(self.sandbox.base_url())
            .rate_limit(1000)
            .endpoint_rate_limit(1000)
            .build()
            .unwrap();
        StripeClient::new(config)
            .unwrap()
            .on_behalf_of(account)
            .unwrap()
    }
}
