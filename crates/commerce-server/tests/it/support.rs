//! Test server on 127.0.0.1 with a temporary SQLite database.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use commerce_model::platform::{MemoryLinkStateStore, Platform};
use commerce_server::{authorization_header, build_router, ApiKeys, AppState};
use commerce_store::{EncryptionKey, Store};
use commerce_stripe::StripePlatform;
use commerce_sync::{PlatformRegistry, SyncConfig, SyncEngine};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use stripe_client::{ClientConfig, RetryPolicy, StripeClient};
use stripe_connect::{Integration, IntegrationKind, Scope};
use stripe_sandbox::{RateLimits, Sandbox, SandboxConfig, SandboxHandle, SandboxInfo};

pub const API_KEY: &str = "test-api-key-0123456789";

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!("commerce-server-it-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub engine: SyncEngine,
    _dir: TempDir,
}

pub struct Options {
    pub link_state_ttl: Option<Duration>,
    /// Public URL override; `None` uses the listener's address.
    pub public_url: Option<String>,
    /// A listener bound beforehand (when platforms must know the server's URL).
    pub listener: Option<tokio::net::TcpListener>,
}

impl TestServer {
    pub async fn start(platforms: Vec<Arc<dyn Platform>>) -> TestServer {
        Self::start_with(
            platforms,
            Options {
                link_state_ttl: None,
                public_url: None,
                listener: None,
            },
        )
        .await
    }

    pub async fn start_with(platforms: Vec<Arc<dyn Platform>>, options: Options) -> TestServer {
        let dir = TempDir::new();
        let url = format!("sqlite://{}", dir.0.join("commerce.db").display());
        let store = Store::connect(&url, EncryptionKey::generate())
            .await
            .unwrap();
        let mut registry = PlatformRegistry::new();
        for platform in platforms {
            registry.register(platform);
        }
        let engine = SyncEngine::new(store.clone(), registry, SyncConfig::default());
        let listener = match options.listener {
            Some(listener) => listener,
            None => tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        };
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut state = AppState::new(
            engine.clone(),
            ApiKeys::new([API_KEY]),
            options.public_url.unwrap_or_else(|| base.clone()),
        );
        if let Some(ttl) = options.link_state_ttl {
            state = state.with_link_state_ttl(ttl);
        }
        let router = build_router(state);
        tokio::spawn(async move { axum::serve(listener, router).await });
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            authorization_header(API_KEY).parse().unwrap(),
        );
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestServer {
            base,
            client,
            store,
            engine,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        status_json(response).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        status_json(response).await
    }

    pub async fn create_company(&self, name: &str, redirect: Option<&str>) -> String {
        let mut body = json!({ "name": name });
        if let Some(redirect) = redirect {
            body["redirect"] = json!(redirect);
        }
        let (status, company) = self.post("/companies", body).await;
        assert_eq!(status, 200, "{company}");
        company["id"].as_str().unwrap().to_owned()
    }

    pub async fn create_connection(&self, company: &str, key: &str) -> Value {
        let (status, connection) = self
            .post(
                &format!("/companies/{company}/connections"),
                json!({ "platformKey": key }),
            )
            .await;
        assert_eq!(status, 200, "{connection}");
        connection
    }
}

pub async fn status_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// A client that follows redirects (like a merchant's browser) and sends no API key.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(10))
        .build()
        .unwrap()
}

pub fn shared(path: &str) -> Option<PathBuf> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")).join(path);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: ../shared not found");
        None
    }
}

/// Creates a company and a connection on `key` and links it through the browser flow; runs the
/// initial sync when `sync` is set. Returns `(company id, connection id)`.
pub async fn linked_connection(server: &TestServer, key: &str, sync: bool) -> (String, String) {
    let company = server.create_company("Linked Co", None).await;
    let connection = server.create_connection(&company, key).await;
    let response = browser()
        .get(connection["linkUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    if sync {
        server.engine.run_until_idle().await.unwrap();
    }
    (company, connection["id"].as_str().unwrap().to_owned())
}

// ---------------------------------------------------------------------------------------
// A server filled from `stripe-sandbox` through the real `StripePlatform`.

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
        IntegrationKind::Test,
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
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    StripePlatform::new(
        integration,
        StripeClient::new(config).unwrap(),
        Arc::new(MemoryLinkStateStore::default()),
    )
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
            link_state_ttl: None,
            public_url: None,
            listener: Some(listener),
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
            .build()
            .unwrap();
        StripeClient::new(config)
            .unwrap()
            .on_behalf_of(account)
            .unwrap()
    }
}
