//! Stripe Apps OAuth end to end against `stripe-sandbox`: linking through the app's install link
//! with the real redirects, a sync long enough for several 2-second access tokens to expire (with
//! every log line captured at trace level and searched for tokens), an uninstalled app ending the
//! connection `Deauthorized` (in the engine, and through the server with its signed
//! `connection.disconnected` client webhook), and one connection's credentials shared by 8 tasks
//! across 20 token expiries on PostgreSQL.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use commerce_model::platform::{LinkCallback, LinkRequest, Platform, PlatformError};
use commerce_model::DataType;
use commerce_store::{NewCompany, Store};
use commerce_stripe::StripePlatform;
use futures::StreamExt as _;
use secrecy::SecretString;
use serde_json::Value;
use stripe_client::{ClientConfig, RetryPolicy, StripeClient};
use stripe_connect::{Integration, Mode, Scope};

use crate::server_support::{browser, Options, TestServer};
use crate::stripe::{
    all_complete, assert_same, sandbox, snapshot, supported_statuses, StripeEnv, STRIPE_TEST,
};
use crate::sync_support::{Kind, TestDb};

/// A "Stripe Test" platform on `env` that links through the sandbox app's install link, sending
/// at most `rate` requests per second.
fn app_platform(env: &StripeEnv, redirect: &str, rate: u32) -> Arc<StripePlatform> {
    let base = env.sandbox.base_url();
    let integration = Integration::builder(
        Mode::Test,
        &env.client_id,
        SecretString::from(env.key.clone()),
        redirect,
    )
    .scope(Scope::ReadOnly)
    .connect_base(base)
    .build()
    .unwrap();
    let config = ClientConfig::builder(SecretString::from(env.key.clone()))
        .api_base(base)
        .rate_limit(rate)
        .endpoint_rate_limit(rate)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_backoff(Duration::from_millis(10), Duration::from_millis(50)),
        )
        .build()
        .unwrap();
    let install_url = env.sandbox.info().test.app_install_url;
    Arc::new(
        StripePlatform::new(integration, StripeClient::new(config).unwrap())
            .unwrap()
            .with_app_install_url(&install_url)
            .unwrap(),
    )
}

/// The sandbox's OAuth counters (`/_sandbox/info` `oauth`).
async fn oauth_counters(env: &StripeEnv) -> Value {
    let info: Value = reqwest::get(format!("{}/_sandbox/info", env.sandbox.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    info["oauth"].clone()
}

fn counter(counters: &Value, name: &str) -> u64 {
    counters[name]
        .as_u64()
        .unwrap_or_else(|| panic!("no {name} in {counters}"))
}

/// Every log line, at trace level, kept in memory.
#[derive(Clone, Default)]
struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLogs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Where `text` holds something shaped like a sandbox key or token: `prefix` followed by at
/// least 16 letters or digits (the sandbox's are 40; masked ones show `*`s instead).
fn token_shaped(text: &str, prefix: &str) -> Option<String> {
    text.match_indices(prefix).find_map(|(at, _)| {
        let rest = &text[at + prefix.len()..];
        let run = rest.chars().take_while(char::is_ascii_alphanumeric).count();
        (run >= 16).then(|| text[at..at + prefix.len() + run.min(24)].to_owned())
    })
}

/// The trace-capturing test runs alone among this file's refreshing tests: its subscriber is
/// the test thread's default, and a refresh callsite first hit on another test's worker threads
/// could otherwise be logged there instead.
static CAPTURE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
async fn apps_oauth_link_and_a_sync_through_several_token_expiries() {
    let _alone = CAPTURE.lock().await;
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The test's runtime is single-threaded: the server, engine and sandbox tasks all log here.
    let _logging = tracing::subscriber::set_default(subscriber);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let redirect = format!("{base}/oauth/stripe/callback");
    let env = sandbox(150, |config| {
        config.access_ttl = Duration::from_secs(2);
        config.redirect_uris = vec![redirect.clone()];
    })
    .await;
    // 8 requests a second: the sync takes several seconds whatever the machine's speed, so
    // several 2-second tokens expire during it. (Not much fewer: a pull resumed after a refresh
    // starts again from its last committed page, and the products' first page reads the price
    // lists beside it, so a token must last for a few requests of each running data type.)
    let platform = app_platform(&env, &redirect, 8);
    let server = TestServer::start_with(
        vec![platform.clone() as Arc<dyn Platform>],
        Options {
            listener: Some(listener),
            ..Options::default()
        },
    )
    .await;

    // Link as a browser: our link page, the app's install link (approving at once), our callback.
    let company = server.create_company("App Merchant", None).await;
    let connection = server.create_connection(&company, STRIPE_TEST).await;
    let id = connection["id"].as_str().unwrap().to_owned();
    let link_url = connection["linkUrl"].as_str().unwrap();
    let response = browser().get(link_url).send().await.unwrap();
    let page = response.text().await.unwrap();
    assert!(page.contains("Account linked"), "{page}");
    let connection_id = id.parse().unwrap();
    let stored = server
        .store
        .linked_account(connection_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.account.external_id, env.account());
    assert_eq!(
        stored
            .account
            .metadata
            .get(commerce_stripe::LINK_METHOD_METADATA)
            .map(String::as_str),
        Some(commerce_stripe::LINK_METHOD_APP)
    );
    assert!(stored.account.access_expires_at.is_some());

    server.engine.run_until_idle().await.unwrap();

    let data_status: Vec<String> = logs
        .text()
        .lines()
        .filter(|line| {
            line.contains("refresh")
                || line.contains("AuthError")
                || line.contains("access expired")
        })
        .map(|line| line.chars().take(400).collect())
        .collect();
    let data_status = data_status.join("\n");
    assert_eq!(
        supported_statuses(&server.store, connection_id).await,
        all_complete(),
        "{data_status}"
    );
    let expected = env.expected_all(env.account()).await;
    assert_same(
        &snapshot(&server.store, connection_id).await,
        &expected,
        "apps oauth sync",
    );
    let counters = oauth_counters(&env).await;
    assert!(
        counter(&counters, "app_refreshes") >= 2,
        "the sync should have outlived several tokens: {counters}"
    );
    assert_eq!(counter(&counters, "invalid_grants"), 0, "{counters}");
    assert_eq!(counter(&counters, "early_app_refreshes"), 0, "{counters}");

    // The records are readable through the API.
    let (status, customers) = server
        .get(&format!(
            "/companies/{company}/connections/{id}/data/commerce-customers?pageSize=1"
        ))
        .await;
    assert_eq!(status, 200, "{customers}");
    assert_eq!(
        customers["totalResults"],
        expected[&DataType::Customers].len()
    );
    let (_, connection) = server
        .get(&format!("/companies/{company}/connections/{id}"))
        .await;
    assert_eq!(connection["status"], "Linked");

    // No key or token in any log line, at trace level, through the link and every refresh.
    let text = logs.text();
    assert!(
        text.contains("credentials refreshed"),
        "no refresh was logged"
    );
    for prefix in ["sk_test_", "rt_", "ac_"] {
        assert_eq!(
            token_shaped(&text, prefix),
            None,
            "a {prefix} token in the logs"
        );
    }
    let latest = server
        .store
        .linked_account(connection_id)
        .await
        .unwrap()
        .unwrap();
    use secrecy::ExposeSecret as _;
    for secret in [
        latest
            .account
            .access_token
            .as_ref()
            .unwrap()
            .expose_secret(),
        latest
            .account
            .refresh_token
            .as_ref()
            .unwrap()
            .expose_secret(),
        env.key.as_str(),
    ] {
        assert!(!text.contains(secret), "a token in the logs");
    }
}

#[tokio::test]
async fn an_uninstalled_app_deauthorizes_the_connection() {
    let env = sandbox(10, |config| config.access_ttl = Duration::from_secs(1)).await;
    let db = TestDb::new(Kind::Sqlite).await;
    let store = db.store().await;
    let platform = app_platform(&env, "http://127.0.0.1:9/oauth/stripe/callback", 1000);
    let connection_id = install(&store, &platform).await;
    env.sandbox.deauthorize(env.account()).unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let engine = env.engine(store.clone(), platform.clone());
    engine
        .queue(connection_id, DataType::Customers)
        .await
        .unwrap();
    engine.run_until_idle().await.unwrap();
    let connection = store.get_connection(connection_id).await.unwrap();
    assert_eq!(
        connection.status,
        commerce_store::ConnectionStatus::Deauthorized
    );
    let message = connection.last_error.unwrap_or_default();
    assert!(message.contains("link"), "{message}");
    assert!(!message.contains("rt_"), "{message}");
    let counters = oauth_counters(&env).await;
    // One refused refresh: never retried forever.
    assert_eq!(counter(&counters, "invalid_grants"), 1, "{counters}");
}

/// Installs the sandbox app for the first test account through the install link and stores the
/// linked account on a new connection.
async fn install(store: &Store, platform: &Arc<StripePlatform>) -> uuid::Uuid {
    let company = store
        .create_company(&NewCompany::named("App Merchant"))
        .await
        .unwrap();
    let connection = store
        .create_connection(company.id, STRIPE_TEST)
        .await
        .unwrap();
    let redirect = "http://127.0.0.1:9/oauth/stripe/callback";
    let start = platform
        .begin_link(LinkRequest {
            state: "state-1".to_owned(),
            redirect_uri: redirect.to_owned(),
            params: BTreeMap::new(),
        })
        .await
        .unwrap();
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(start.authorize_url.as_str())
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, query) = location.split_once('?').unwrap();
    let params = url_pairs(query);
    assert_eq!(params["state"], "state-1");
    let account = platform
        .complete_link(LinkCallback {
            params,
            redirect_uri: redirect.to_owned(),
        })
        .await
        .unwrap();
    store
        .link_connection(connection.id, &account)
        .await
        .unwrap();
    connection.id
}

fn url_pairs(query: &str) -> BTreeMap<String, String> {
    reqwest::Url::parse(&format!("http://x/?{query}"))
        .unwrap()
        .query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// 8 tasks in one process use one connection across 20 token expiries, refreshing through the
/// engine (one refresh per connection at a time, through PostgreSQL).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_tasks_share_one_connection_across_twenty_expiries_on_postgres() {
    let _alone = CAPTURE.lock().await;
    let env = sandbox(10, |config| config.access_ttl = Duration::from_secs(1)).await;
    let db = TestDb::new(Kind::Postgres).await;
    let store = db.store().await;
    let platform = app_platform(&env, "http://127.0.0.1:9/oauth/stripe/callback", 1000);
    let connection_id = install(&store, &platform).await;
    let first_version = store
        .linked_account(connection_id)
        .await
        .unwrap()
        .unwrap()
        .credentials_version;
    let engine = env.engine(store.clone(), platform.clone());
    let base = env.sandbox.base_url().to_owned();
    let mut tasks = Vec::new();
    for task in 0..8 {
        let (engine, store, platform, base) = (
            engine.clone(),
            store.clone(),
            platform.clone(),
            base.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let owner = format!("task-{task}");
            let mut reads = 0_u64;
            loop {
                let info: Value = reqwest::get(format!("{base}/_sandbox/info"))
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if info["oauth"]["app_refreshes"].as_u64().unwrap() >= 20 {
                    return reads;
                }
                let mut stored = store.linked_account(connection_id).await.unwrap().unwrap();
                if platform.needs_refresh(&stored.account, chrono::Utc::now()) {
                    stored = engine
                        .refresh_credentials(connection_id, platform.as_ref(), &stored, &owner)
                        .await
                        .unwrap()
                        .unwrap();
                }
                let batch = platform
                    .pull(&stored.account, DataType::CompanyInfo, None)
                    .next()
                    .await
                    .unwrap();
                match batch {
                    Ok(_) => reads += 1,
                    Err(PlatformError::AccessExpired { .. }) => {
                        engine
                            .refresh_credentials(connection_id, platform.as_ref(), &stored, &owner)
                            .await
                            .unwrap()
                            .unwrap();
                    }
                    Err(other) => panic!("{owner}: {other}"),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    let mut reads = 0;
    for task in tasks {
        reads += task.await.unwrap();
    }
    assert!(reads > 0);
    let counters = oauth_counters(&env).await;
    let refreshes = counter(&counters, "app_refreshes");
    assert!(refreshes >= 20, "{counters}");
    assert_eq!(counter(&counters, "invalid_grants"), 0, "{counters}");
    // One refresh per expiry: none while the token had more than half its life left...
    assert_eq!(counter(&counters, "early_app_refreshes"), 0, "{counters}");
    // ...and every pair Stripe answered was stored exactly once (no pair lost, none twice).
    let last_version = store
        .linked_account(connection_id)
        .await
        .unwrap()
        .unwrap()
        .credentials_version;
    assert_eq!(
        u64::try_from(last_version - first_version).unwrap(),
        refreshes,
        "{counters}"
    );
}

/// The `stripe_app_refresher` example, built next to this test binary (`cargo test` builds
/// examples); built on demand when missing.
fn refresher_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe.parent().unwrap().parent().unwrap();
    let binary = target.join("examples").join(format!(
        "stripe_app_refresher{}",
        std::env::consts::EXE_SUFFIX
    ));
    if !binary.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = std::process::Command::new(cargo)
            .args([
                "build",
                "-p",
                "commerce-e2e",
                "--example",
                "stripe_app_refresher",
            ])
            .status()
            .unwrap();
        assert!(
            status.success(),
            "building the stripe_app_refresher example failed"
        );
    }
    binary
}

/// Two processes of 4 tasks each use one connection across 20 token expiries, refreshing
/// through one PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_one_connection_across_twenty_expiries_on_postgres() {
    let _alone = CAPTURE.lock().await;
    let env = sandbox(10, |config| config.access_ttl = Duration::from_secs(1)).await;
    let db = TestDb::new(Kind::Postgres).await;
    let store = db.store().await;
    let platform = app_platform(&env, "http://127.0.0.1:9/oauth/stripe/callback", 1000);
    let connection_id = install(&store, &platform).await;
    let first_version = store
        .linked_account(connection_id)
        .await
        .unwrap()
        .unwrap()
        .credentials_version;
    let binary = refresher_binary();
    let spawn = || {
        std::process::Command::new(&binary)
            .env("COMMERCE_SYNC_DB_URL", &db.url)
            .env("COMMERCE_ENCRYPTION_KEY", db.key_base64())
            .env("REFRESH_CONNECTION", connection_id.to_string())
            .env("REFRESH_TASKS", "4")
            .env("REFRESH_TARGET", "20")
            .env("STRIPE_API_BASE", env.sandbox.base_url())
            .env("STRIPE_CLIENT_ID", &env.client_id)
            .env("STRIPE_SECRET_KEY", &env.key)
            .env(
                "STRIPE_APP_INSTALL_URL",
                env.sandbox.info().test.app_install_url,
            )
            .env_remove("RUST_LOG")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children = [spawn(), spawn()];
    let outputs = tokio::task::spawn_blocking(move || {
        children.map(|child| child.wait_with_output().unwrap())
    })
    .await
    .unwrap();
    for output in &outputs {
        assert!(
            output.status.success(),
            "a process failed: {:?}",
            output.status
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let reads: u64 = stdout
            .trim()
            .strip_prefix("reads ")
            .unwrap()
            .parse()
            .unwrap();
        assert!(reads > 0, "{stdout}");
    }
    let counters = oauth_counters(&env).await;
    let refreshes = counter(&counters, "app_refreshes");
    assert!(refreshes >= 20, "{counters}");
    assert_eq!(counter(&counters, "invalid_grants"), 0, "{counters}");
    assert_eq!(counter(&counters, "early_app_refreshes"), 0, "{counters}");
    let last_version = store
        .linked_account(connection_id)
        .await
        .unwrap()
        .unwrap()
        .credentials_version;
    assert_eq!(
        u64::try_from(last_version - first_version).unwrap(),
        refreshes,
        "{counters}"
    );
}

/// The client webhooks' signing secret in [`an_uninstalled_app_is_announced_as_disconnected`].
const CLIENT_WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// What a client-webhook receiver on 127.0.0.1 got: the headers and the body of each request,
/// answered 200.
struct Received {
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
}

async fn receive(
    axum::extract::State(sent): axum::extract::State<tokio::sync::mpsc::UnboundedSender<Received>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::http::StatusCode {
    let _ = sent.send(Received { headers, body });
    axum::http::StatusCode::OK
}

/// Starts a receiver; returns its URL and what it receives.
async fn webhook_receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<Received>) {
    let (sent, received) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(sent);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// The next delivery of `event_type`, skipping others; fails after 20 s without one.
async fn next_of(
    received: &mut tokio::sync::mpsc::UnboundedReceiver<Received>,
    event_type: &str,
) -> Received {
    loop {
        let delivery = tokio::time::timeout(Duration::from_secs(20), received.recv())
            .await
            .unwrap_or_else(|_| panic!("no {event_type} webhook within 20 s"))
            .unwrap();
        let body: Value = serde_json::from_slice(&delivery.body).unwrap();
        if body["eventType"] == event_type {
            return delivery;
        }
    }
}

/// Through the real server, with client webhooks on: a merchant links through the app's install
/// link, then uninstalls the app at Stripe. The next sync's refresh gets `invalid_grant`: the
/// connection ends `Deauthorized`, telling the merchant to link again, and the client hears
/// Codat's `connection.disconnected`, signed and without any token. The refused refresh is not
/// tried again, not even by the next sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uninstalled_app_is_announced_as_disconnected() {
    let (hook_url, mut received) = webhook_receiver().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let redirect = format!("{base}/oauth/stripe/callback");
    let env = sandbox(10, |config| {
        config.access_ttl = Duration::from_secs(1);
        config.redirect_uris = vec![redirect.clone()];
    })
    .await;
    let platform = app_platform(&env, &redirect, 1000);
    let secret = commerce_server::WebhookSecret::parse(CLIENT_WEBHOOK_SECRET).unwrap();
    let server = TestServer::start_with(
        vec![platform.clone() as Arc<dyn Platform>],
        Options {
            listener: Some(listener),
            client_webhooks: Some(
                commerce_server::ClientWebhookConfig::new()
                    .with_receiver(hook_url.parse().unwrap(), secret.clone())
                    .with_backoff(Duration::from_millis(20), Duration::from_millis(100))
                    .with_poll_interval(Duration::from_millis(50)),
            ),
            ..Options::default()
        },
    )
    .await;

    // Linked through the install link, as a browser.
    let company = server.create_company("Uninstalling Merchant", None).await;
    let connection = server.create_connection(&company, STRIPE_TEST).await;
    let id = connection["id"].as_str().unwrap().to_owned();
    let page = browser()
        .get(connection["linkUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Account linked"), "{page}");
    let connected = next_of(&mut received, "connection.connected").await;
    let connected: Value = serde_json::from_slice(&connected.body).unwrap();
    assert_eq!(connected["connectionId"], id.as_str());
    let connection_id: uuid::Uuid = id.parse().unwrap();
    let linked = server
        .store
        .linked_account(connection_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        linked
            .account
            .metadata
            .get(commerce_stripe::LINK_METHOD_METADATA)
            .map(String::as_str),
        Some(commerce_stripe::LINK_METHOD_APP)
    );

    // The merchant uninstalls the app; the access token expires; a sync is asked for.
    env.sandbox.deauthorize(env.account()).unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, body) = server
        .post(&format!("/companies/{company}/data/all"), Value::Null)
        .await;
    assert_eq!(status, 204, "{body}");
    server.engine.run_until_idle().await.unwrap();

    // The client hears it, signed as Standard Webhooks says.
    let delivery = next_of(&mut received, "connection.disconnected").await;
    commerce_server::verify_client_webhook(&secret, &delivery.headers, &delivery.body)
        .unwrap_or_else(|error| panic!("bad signature: {error}"));
    let text = String::from_utf8(delivery.body.to_vec()).unwrap();
    let event: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(event["companyId"], company.as_str(), "{event}");
    assert_eq!(event["connectionId"], id.as_str(), "{event}");
    let announced = &event["payload"]["connection"];
    assert_eq!(announced["id"], id.as_str(), "{event}");
    assert_eq!(announced["status"], "Deauthorized", "{event}");
    let message = announced["dataConnectionErrors"][0]["errorMessage"]
        .as_str()
        .unwrap_or_else(|| panic!("no message in {event}"));
    assert!(message.contains("link"), "{message}");
    assert!(message.contains("again"), "{message}");

    // The API says the same.
    let (_, shown) = server
        .get(&format!("/companies/{company}/connections/{id}"))
        .await;
    assert_eq!(shown["status"], "Deauthorized", "{shown}");
    assert_eq!(
        shown["dataConnectionErrors"][0]["errorMessage"], message,
        "{shown}"
    );

    // Stripe refused one refresh; the next sync does not try again.
    assert_eq!(
        counter(&oauth_counters(&env).await, "invalid_grants"),
        1,
        "{}",
        oauth_counters(&env).await
    );
    let (status, body) = server
        .post(&format!("/companies/{company}/data/all"), Value::Null)
        .await;
    assert_eq!(status, 204, "{body}");
    server.engine.run_until_idle().await.unwrap();
    let counters = oauth_counters(&env).await;
    assert_eq!(counter(&counters, "invalid_grants"), 1, "{counters}");

    // No key or token in the webhook, nor in the message.
    use secrecy::ExposeSecret as _;
    for prefix in ["sk_test_", "rt_", "ac_"] {
        assert_eq!(
            token_shaped(&text, prefix),
            None,
            "a {prefix} token: {text}"
        );
    }
    for secret in [
        linked
            .account
            .access_token
            .as_ref()
            .unwrap()
            .expose_secret(),
        linked
            .account
            .refresh_token
            .as_ref()
            .unwrap()
            .expose_secret(),
        env.key.as_str(),
    ] {
        assert!(!text.contains(secret), "a token in the webhook");
    }
}
