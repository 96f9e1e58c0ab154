//! Test server on 127.0.0.1 with a temporary SQLite database.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use commerce_model::platform::Platform;
use commerce_model::DataType;
use commerce_server::{
    authorization_header, ApiKeys, AppState, ClientWebhookConfig, ClientWebhooks, HttpLimits,
};
use commerce_store::{EncryptionKey, Store};
use commerce_sync::{PlatformRegistry, SyncConfig, SyncEngine};
use serde_json::{json, Value};

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

#[derive(Default)]
pub struct Options {
    pub link_state_ttl: Option<Duration>,
    /// Public URL override; `None` uses the listener's address.
    pub public_url: Option<String>,
    /// A listener bound beforehand (when platforms must know the server's URL).
    pub listener: Option<tokio::net::TcpListener>,
    /// The HTTP edge's limits; `None` uses the defaults.
    pub http_limits: Option<HttpLimits>,
    /// Client webhooks as configured; with them, their dispatcher and the watcher of the
    /// engine's events run for the life of the test's runtime.
    pub client_webhooks: Option<ClientWebhookConfig>,
}

impl TestServer {
    pub async fn start(platforms: Vec<Arc<dyn Platform>>) -> TestServer {
        Self::start_with(platforms, Options::default()).await
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
        let public_url = options.public_url.unwrap_or_else(|| base.clone());
        let mut state = AppState::new(engine.clone(), ApiKeys::new([API_KEY]), public_url.clone());
        if let Some(ttl) = options.link_state_ttl {
            state = state.with_link_state_ttl(ttl);
        }
        if let Some(limits) = options.http_limits {
            state = state.with_http_limits(limits);
        }
        if let Some(config) = options.client_webhooks {
            let hooks = ClientWebhooks::new(store.clone(), config, public_url).unwrap();
            state = state.with_client_webhooks(hooks.clone());
            let engine = engine.clone();
            tokio::spawn(async move {
                hooks.run(Some(engine), std::future::pending::<()>()).await;
            });
        }
        // The server's own accept loop, with its timeouts and connection cap.
        tokio::spawn(commerce_server::serve_http(
            listener,
            state,
            std::future::pending::<()>(),
        ));
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

    /// The default headers of [`TestServer::client`] (the API key), for other clients.
    pub fn client_headers(&self) -> reqwest::header::HeaderMap {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            authorization_header(API_KEY).parse().unwrap(),
        );
        headers
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

/// The list and single-record schema of each data type.
pub fn schema_names(data_type: DataType) -> (&'static str, &'static str) {
    match data_type {
        DataType::CompanyInfo => ("CompanyInfo", "CompanyInfo"),
        DataType::Customers => ("Customers", "Customer"),
        DataType::Disputes => ("Disputes", "Dispute"),
        DataType::Locations => ("Locations", "Location"),
        DataType::Orders => ("Orders", "Order"),
        DataType::PaymentMethods => ("PaymentMethods", "PaymentMethod"),
        DataType::Payments => ("Payments", "Payment"),
        DataType::ProductCategories => ("ProductCategories", "ProductCategory"),
        DataType::Products => ("Products", "Product"),
        DataType::TaxComponents => ("TaxComponents", "TaxComponent"),
        DataType::Transactions => ("Transactions", "Transaction"),
        other => panic!("unknown data type {other}"),
    }
}

/// A Python virtual environment named `name` with `packages` installed from PyPI, created on
/// first use under `tmp_dir` (a test passes `env!("CARGO_TARGET_TMPDIR")`, so it lands in
/// `target/tmp/python/`) and reused while its package list stays the same; returns its `python`.
pub fn python_venv(tmp_dir: &std::path::Path, name: &str, packages: &[&str]) -> PathBuf {
    let dir = tmp_dir.join("python").join(name);
    let python = dir.join("bin").join("python");
    let marker = dir.join("installed.txt");
    let wanted = packages.join("\n");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return python;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let run = |command: &mut std::process::Command, what: &str| {
        let output = command
            .output()
            .unwrap_or_else(|error| panic!("{what}: {error}"));
        assert!(
            output.status.success(),
            "{what} failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(
        std::process::Command::new("python3")
            .args(["-m", "venv"])
            .arg(&dir),
        "python3 -m venv (Debian: apt-get install python3-venv)",
    );
    run(
        std::process::Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(packages),
        "pip install",
    );
    std::fs::write(&marker, wanted).unwrap();
    python
}

/// A server walked through once: a [`crate::linked::FakePlatform`] (`fake-test`, Codat key
/// `fktt`, every data type) serving one customer (`cus_1`, "Ann") and the company info of
/// `company_name`, with a company and a connection linked through the browser flow and synced.
pub struct SyncedServer {
    pub server: TestServer,
    pub company: String,
    pub connection: String,
    /// The first dataset of the company's pull history.
    pub dataset: String,
}

impl SyncedServer {
    pub async fn start(company_name: &str) -> SyncedServer {
        use commerce_model::platform::Record;
        use commerce_model::{CompanyInfo, Customer};

        let platform = crate::linked::FakePlatform::start("fake-test", "fktt", DataType::ALL).await;
        platform.set_records(
            DataType::Customers,
            vec![Record::new(&Customer {
                id: "cus_1".into(),
                customer_name: Some("Ann".into()),
                ..Default::default()
            })
            .unwrap()],
        );
        platform.set_records(
            DataType::CompanyInfo,
            vec![Record::new(&CompanyInfo {
                company_name: Some(company_name.into()),
                ..Default::default()
            })
            .unwrap()],
        );
        let server = TestServer::start(vec![platform]).await;
        let (company, connection) = linked_connection(&server, "fake-test", true).await;
        let (_, history) = server
            .get(&format!("/companies/{company}/data/history"))
            .await;
        let dataset = history["results"][0]["id"].as_str().unwrap().to_owned();
        SyncedServer {
            server,
            company,
            connection,
            dataset,
        }
    }
}
