//! A second platform through the same door: Quokka (`commerce-testplatform`, against its fake
//! server) beside Stripe Test (against `stripe-sandbox`) in one server, configured and registered
//! by the code the `commerce` binary uses (`ServerConfig::from_sources` with the declared
//! settings, `commerce_cli::platforms::registry_with`). Through the API and the browser
//! redirects: create, link (with the client's `shop` link parameter), sync, read; then expired
//! access tokens refreshed through the credential-refresh hook, with rotating refresh tokens
//! and never two refreshes of one connection at once.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context as _;
use commerce_cli::platforms::{self, BuildContext, PlatformFactory, PlatformOptions};
use commerce_model::platform::{Platform, PlatformInfo};
use commerce_server::{authorization_header, serve_http, AppState, PlatformSettings, ServerConfig};
use commerce_sync::{SyncConfig, SyncEngine};
use commerce_testplatform::fake::FakeQuokka;
use commerce_testplatform::QuokkaPlatform;
use secrecy::ExposeSecret as _;
use serde_json::{json, Value};
use stripe_sandbox::{RateLimits, Sandbox, SandboxConfig};

use crate::support::{browser, TempDir};

/// Quokka's factory: what a contributor adds beside the shipped ones (here, in a test).
struct QuokkaFactory;

impl PlatformFactory for QuokkaFactory {
    fn infos(&self) -> Vec<PlatformInfo> {
        vec![commerce_testplatform::platform_info()]
    }

    fn build(&self, context: &BuildContext<'_>) -> anyhow::Result<Vec<Arc<dyn Platform>>> {
        let settings: &PlatformSettings = context.settings;
        if !settings.enabled(&commerce_testplatform::platform_info()) {
            return Ok(Vec::new());
        }
        let (Some(id), Some(secret), Some(base)) = (
            settings.value(commerce_testplatform::CLIENT_ID_SETTING),
            settings.secret(commerce_testplatform::CLIENT_SECRET_SETTING),
            settings.value(commerce_testplatform::BASE_URL_SETTING),
        ) else {
            return Ok(Vec::new());
        };
        let platform = QuokkaPlatform::new(id, secret.clone(), base)
            .context(commerce_testplatform::BASE_URL_SETTING)?;
        Ok(vec![Arc::new(platform)])
    }
}

const API_KEY: &str = "e2e-api-key-0123456789";
const ENCRYPTION_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

struct Setup {
    base: String,
    client: reqwest::Client,
    engine: SyncEngine,
    quokka: FakeQuokka,
    _dir: TempDir,
}

impl Setup {
    async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Creates a connection and follows its link URL (plus `query`) as a browser; returns the
    /// connection JSON and the final page.
    async fn link(&self, company: &str, key: &str, query: &str) -> (Value, u16, String) {
        let (status, connection) = self
            .post(
                &format!("/companies/{company}/connections"),
                json!({ "platformKey": key }),
            )
            .await;
        assert_eq!(status, 200, "{connection}");
        let url = format!("{}{query}", connection["linkUrl"].as_str().unwrap());
        let response = browser().get(url).send().await.unwrap();
        let status = response.status().as_u16();
        (connection, status, response.text().await.unwrap())
    }
}

async fn setup() -> Setup {
    let dir = TempDir::new();
    let mut sandbox_config = SandboxConfig::default();
    sandbox_config.seed = 7;
    sandbox_config.size = 4;
    sandbox_config.rate_limits = RateLimits::unlimited();
    let sandbox = Sandbox::start(sandbox_config).await.unwrap();
    let info = sandbox.info();
    let quokka = FakeQuokka::start("quokka-client", "quokka-secret-value")
        .await
        .unwrap();
    quokka.add_shop("cafe", 3, 4, &["eur", "jpy", "isk", "kwd"]);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let env: BTreeMap<String, String> = [
        ("COMMERCE_API_KEYS", API_KEY.to_owned()),
        ("COMMERCE_ENCRYPTION_KEY", ENCRYPTION_KEY.to_owned()),
        (
            "COMMERCE_DATABASE_URL",
            format!("sqlite://{}", dir.0.join("commerce.db").display()),
        ),
        ("COMMERCE_PUBLIC_URL", base.clone()),
        ("STRIPE_TEST_CLIENT_ID", info.test.client_id.clone()),
        (
            "STRIPE_TEST_SECRET_KEY",
            info.test.secret_key.expose_secret().to_owned(),
        ),
        ("STRIPE_API_BASE", sandbox.base_url().to_owned()),
        ("STRIPE_CONNECT_BASE", sandbox.base_url().to_owned()),
        ("QUOKKA_CLIENT_ID", "quokka-client".to_owned()),
        ("QUOKKA_CLIENT_SECRET", "quokka-secret-value".to_owned()),
        ("QUOKKA_BASE_URL", quokka.base_url()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect();

    // The shipped platforms plus Quokka: the one registry line.
    let mut factories = platforms::shipped();
    factories.push(Arc::new(QuokkaFactory));
    let config = ServerConfig::from_sources(env, None, &platforms::declared(&factories)).unwrap();
    assert!(!format!("{config:?}").contains("quokka-secret-value"));
    let store = commerce_server::open_store(&config).await.unwrap();
    let registry = platforms::registry_with(
        &factories,
        &BuildContext {
            settings: &config.platforms,
            public_url: &config.public_url,
            store: &store,
            options: PlatformOptions::default(),
        },
    )
    .unwrap();
    assert!(registry.get("quokka").is_some() && registry.get("stripe-test").is_some());
    let engine = SyncEngine::new(store, registry, SyncConfig::default());
    let state = AppState::new(engine.clone(), config.api_keys.clone(), &config.public_url);
    tokio::spawn(serve_http(listener, state, std::future::pending()));
    // The sandbox lives as long as the runtime.
    tokio::spawn(async move {
        let _sandbox = sandbox;
        std::future::pending::<()>().await;
    });

    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        authorization_header(API_KEY).parse().unwrap(),
    );
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    Setup {
        base,
        client,
        engine,
        quokka,
        _dir: dir,
    }
}

#[tokio::test]
async fn a_second_platform_links_syncs_and_refreshes_beside_stripe() {
    let setup = setup().await;
    let (status, company) = setup
        .post("/companies", json!({ "name": "Two platforms" }))
        .await;
    assert_eq!(status, 200, "{company}");
    let company = company["id"].as_str().unwrap().to_owned();

    // Quokka needs its `shop` link parameter.
    let (connection, status, page) = setup.link(&company, "qokk", "").await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("shop"), "{page}");
    assert_eq!(connection["integrationKey"], "qokk");
    assert_eq!(connection["platformName"], "Quokka");
    let quokka_id = connection["id"].as_str().unwrap().to_owned();
    let response = browser()
        .get(format!(
            "{}?shop=cafe",
            connection["linkUrl"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    let page = response.text().await.unwrap();
    assert!(page.contains("Account linked"), "{page}");

    // Stripe Test beside it, through its own callback.
    let (stripe, status, page) = setup.link(&company, "yzth", "").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Account linked"), "{page}");
    let stripe_id = stripe["id"].as_str().unwrap().to_owned();

    let (_, quokka) = setup
        .get(&format!("/companies/{company}/connections/{quokka_id}"))
        .await;
    assert_eq!(quokka["status"], "Linked", "{quokka}");
    let stored = setup
        .engine
        .store()
        .linked_account(quokka_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.account.external_id, "shop_cafe");
    assert_eq!(stored.account.metadata["quokka_shop"], "cafe");

    setup.engine.run_until_idle().await.unwrap();
    let (_, statuses) = setup.get(&format!("/companies/{company}/dataStatus")).await;
    assert_eq!(
        statuses["commerce-payments"]["currentStatus"], "Complete",
        "{statuses}"
    );

    // Quokka's records, amounts by the model's currency table (ISK has no minor unit in ISO).
    let data = format!("/companies/{company}/connections/{quokka_id}/data");
    let (status, payments) = setup
        .get(&format!("{data}/commerce-payments?orderBy=id"))
        .await;
    assert_eq!(status, 200, "{payments}");
    assert_eq!(payments["totalResults"], 4, "{payments}");
    let amounts: Vec<(String, String)> = payments["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|payment| {
            (
                payment["currency"].as_str().unwrap().to_owned(),
                payment["amount"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        amounts,
        [
            ("EUR".to_owned(), "10.5".to_owned()),
            ("JPY".to_owned(), "1150".to_owned()),
            ("ISK".to_owned(), "1250".to_owned()),
            ("KWD".to_owned(), "1.35".to_owned()),
        ]
    );
    let (_, customers) = setup.get(&format!("{data}/commerce-customers")).await;
    assert_eq!(customers["totalResults"], 3, "{customers}");
    // Stripe's records next to them.
    let (status, stripe_customers) = setup
        .get(&format!(
            "/companies/{company}/connections/{stripe_id}/data/commerce-customers"
        ))
        .await;
    assert_eq!(status, 200);
    assert!(stripe_customers["totalResults"].as_u64().unwrap() > 0);

    // Access expires at Quokka: the next sync refreshes through the hook and goes on.
    setup.quokka.expire_access_tokens();
    let (status, _) = setup
        .post(&format!("/companies/{company}/data/all"), json!({}))
        .await;
    assert_eq!(status, 204);
    setup.engine.run_until_idle().await.unwrap();
    assert!(setup.quokka.expired_answers() >= 1);
    assert!(setup.quokka.refreshes() >= 1);
    // Short-lived tokens from now on: refreshed before use as well.
    setup.quokka.set_access_ttl(30);
    setup.quokka.expire_access_tokens();
    let (status, _) = setup
        .post(&format!("/companies/{company}/data/all"), json!({}))
        .await;
    assert_eq!(status, 204);
    setup.engine.run_until_idle().await.unwrap();
    assert_eq!(setup.quokka.rejected_refreshes(), 0);
    let (_, statuses) = setup.get(&format!("/companies/{company}/dataStatus")).await;
    for key in ["commerce-customers", "commerce-payments"] {
        assert_eq!(statuses[key]["currentStatus"], "Complete", "{statuses}");
    }
    let (_, quokka) = setup
        .get(&format!("/companies/{company}/connections/{quokka_id}"))
        .await;
    assert_eq!(quokka["status"], "Linked", "{quokka}");
    // The stored refresh token is the one Quokka will accept next (each rotation persisted).
    let stored = setup
        .engine
        .store()
        .linked_account(quokka_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let refresh = stored.account.refresh_token.as_ref().unwrap();
    assert!(setup
        .quokka
        .is_current_refresh_token("cafe", refresh.expose_secret()));

    // Two refreshes of one connection at once: one calls Quokka, the other takes its result.
    let before = setup.quokka.refreshes();
    let platform = setup.engine.registry().get("quokka").unwrap();
    let id = quokka_id.parse().unwrap();
    let (first, second) = tokio::join!(
        setup
            .engine
            .refresh_credentials(id, platform.as_ref(), &stored, "process-a"),
        setup
            .engine
            .refresh_credentials(id, platform.as_ref(), &stored, "process-b"),
    );
    let (first, second) = (first.unwrap().unwrap(), second.unwrap().unwrap());
    assert_eq!(setup.quokka.refreshes(), before + 1);
    assert_eq!(setup.quokka.rejected_refreshes(), 0);
    assert_eq!(first.credentials_version, second.credentials_version);
    assert_eq!(
        first.account.access_token.as_ref().unwrap().expose_secret(),
        second
            .account
            .access_token
            .as_ref()
            .unwrap()
            .expose_secret()
    );
}
