//! Client webhooks end to end over loopback HTTP: a receiver on 127.0.0.1 records what it gets
//! and answers as each test scripts it (a status, or never).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use commerce_model::platform::Record;
use commerce_model::{Customer, DataType};
use commerce_server::{
    authorization_header, build_router, ApiKeys, AppState, ClientWebhookConfig, ClientWebhooks,
    WebhookSecret,
};
use commerce_store::{EncryptionKey, Store};
use commerce_sync::{PlatformRegistry, SyncConfig, SyncEngine};
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};

use crate::fake::{sign, FakePlatform, ACCOUNT};
use crate::support::{browser, status_json, TempDir, API_KEY};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SUPPORTED: &[DataType] = &[DataType::CompanyInfo, DataType::Customers];

/// How the receiver answers one request.
#[derive(Clone, Copy, Debug)]
enum Reply {
    Status(u16),
    /// Holds the request open and never answers.
    Hang,
}

pub(crate) struct Received {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn event_type(&self) -> String {
        self.json()["eventType"].as_str().unwrap().to_owned()
    }
}

#[derive(Clone)]
struct ReceiverState {
    script: Arc<Mutex<VecDeque<Reply>>>,
    default: Arc<Mutex<Reply>>,
    sent: mpsc::UnboundedSender<Received>,
}

struct Receiver {
    url: String,
    state: ReceiverState,
    received: mpsc::UnboundedReceiver<Received>,
}

async fn receive(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let reply = state
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(*state.default.lock().unwrap());
    let _ = state.sent.send(Received { headers, body });
    match reply {
        Reply::Status(code) => StatusCode::from_u16(code).unwrap(),
        Reply::Hang => std::future::pending().await,
    }
}

impl Receiver {
    async fn start(script: &[Reply], default: Reply) -> Receiver {
        let (sent, received) = mpsc::unbounded_channel();
        let state = ReceiverState {
            script: Arc::new(Mutex::new(script.iter().copied().collect())),
            default: Arc::new(Mutex::new(default)),
            sent,
        };
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver {
            url,
            state,
            received,
        }
    }

    fn set_default(&self, reply: Reply) {
        *self.state.default.lock().unwrap() = reply;
    }

    async fn next(&mut self) -> Received {
        tokio::time::timeout(Duration::from_secs(20), self.received.recv())
            .await
            .expect("no webhook arrived within 20 s")
            .unwrap()
    }

    /// The next request of `event_type`, skipping others.
    async fn next_of(&mut self, event_type: &str) -> Received {
        loop {
            let received = self.next().await;
            if received.event_type() == event_type {
                return received;
            }
        }
    }
}

fn config(url: &str) -> ClientWebhookConfig {
    quick().with_receiver(url.parse().unwrap(), WebhookSecret::parse(SECRET).unwrap())
}

/// Short retries and polls, no implicit consumer.
fn quick() -> ClientWebhookConfig {
    ClientWebhookConfig::new()
        .with_backoff(Duration::from_millis(20), Duration::from_millis(100))
        .with_timeout(Duration::from_secs(30))
        .with_poll_interval(Duration::from_millis(50))
}

struct Hooked {
    base: String,
    client: reqwest::Client,
    store: Store,
    engine: SyncEngine,
    stop: watch::Sender<bool>,
    dispatcher: tokio::task::JoinHandle<()>,
    db_url: String,
    _dir: Arc<TempDir>,
}

impl Hooked {
    /// A server with client webhooks as `config` says, its dispatcher and watcher running.
    async fn start(platform: Arc<FakePlatform>, config: ClientWebhookConfig) -> Hooked {
        let dir = Arc::new(TempDir::new());
        let db_url = format!("sqlite://{}", dir.0.join("commerce.db").display());
        Self::start_on(platform, config, dir, db_url).await
    }

    async fn start_on(
        platform: Arc<FakePlatform>,
        config: ClientWebhookConfig,
        dir: Arc<TempDir>,
        db_url: String,
    ) -> Hooked {
        let store = Store::connect(&db_url, EncryptionKey::from_base64(KEY).unwrap())
            .await
            .unwrap();
        let registry = PlatformRegistry::new().with(platform);
        let engine = SyncEngine::new(store.clone(), registry, SyncConfig::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let hooks = ClientWebhooks::new(store.clone(), config, base.clone()).unwrap();
        let state = AppState::new(engine.clone(), ApiKeys::new([API_KEY]), base.clone())
            .with_client_webhooks(hooks.clone());
        tokio::spawn(async move { axum::serve(listener, build_router(state)).await });
        let (stop, stopped) = watch::channel(false);
        let dispatcher = {
            let engine = engine.clone();
            tokio::spawn(async move {
                let mut stopped = stopped;
                hooks
                    .run(Some(engine), async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    })
                    .await;
            })
        };
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            authorization_header(API_KEY).parse().unwrap(),
        );
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap();
        Hooked {
            base,
            client,
            store,
            engine,
            stop,
            dispatcher,
            db_url,
            _dir: dir,
        }
    }

    /// Stops the dispatcher and watcher (like a process exit) and waits for them.
    async fn stop(self) -> (Arc<TempDir>, String) {
        self.stop.send(true).unwrap();
        self.dispatcher.await.unwrap();
        self.store.close().await;
        (self._dir, self.db_url)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        status_json(response).await
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        status_json(request.send().await.unwrap()).await
    }

    /// A company (one event: `company.created`); returns its id.
    async fn company(&self) -> String {
        let (status, company) = self
            .send(
                reqwest::Method::POST,
                "/companies",
                Some(json!({"name": "Hooked Ltd"})),
            )
            .await;
        assert_eq!(status, 200, "{company}");
        company["id"].as_str().unwrap().to_owned()
    }

    /// A company and a `PendingAuth` connection; returns their ids and the link URL.
    async fn connection(&self) -> (String, String, String) {
        let (status, company) = self
            .send(
                reqwest::Method::POST,
                "/companies",
                Some(json!({"name": "Hooked Ltd"})),
            )
            .await;
        assert_eq!(status, 200, "{company}");
        let company = company["id"].as_str().unwrap().to_owned();
        let (status, connection) = self
            .send(
                reqwest::Method::POST,
                &format!("/companies/{company}/connections"),
                Some(json!({"platformKey": "fake-test"})),
            )
            .await;
        assert_eq!(status, 200, "{connection}");
        (
            company,
            connection["id"].as_str().unwrap().to_owned(),
            connection["linkUrl"].as_str().unwrap().to_owned(),
        )
    }

    /// The id of the event's one delivery.
    async fn delivery_of(&self, event_id: &str) -> String {
        let (status, page) = self
            .get(&format!("/webhooks/deliveries?eventId={event_id}"))
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["totalResults"], 1, "{page}");
        page["results"][0]["id"].as_str().unwrap().to_owned()
    }

    /// Waits until the event's delivery is no longer `Pending`; returns its API view.
    async fn settled(&self, event_id: &str) -> Value {
        let delivery = self.delivery_of(event_id).await;
        for _ in 0..400 {
            let (status, event) = self.get(&format!("/webhooks/deliveries/{delivery}")).await;
            assert_eq!(status, 200, "{event}");
            if event["status"] != "Pending" {
                return event;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("event {event_id} still pending");
    }
}

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn customer(id: &str, name: &str) -> Record {
    Record::new(&Customer {
        id: id.into(),
        customer_name: Some(name.into()),
        ..Default::default()
    })
    .unwrap()
}

/// Checks a delivery with the `standardwebhooks` crate, as a receiver in Rust would: it verifies
/// with `secret`, and not once the body is changed.
pub(crate) fn check_signed_with(received: &Received, secret: &str) {
    let webhook = standardwebhooks::Webhook::new(secret).unwrap();
    webhook
        .verify(&received.body, &received.headers)
        .unwrap_or_else(|error| panic!("bad signature {:?}: {error}", received.headers));
    let mut tampered = received.body.to_vec();
    tampered.push(b' ');
    assert!(webhook.verify(&tampered, &received.headers).is_err());
    let signature = received.headers["webhook-signature"].to_str().unwrap();
    assert!(signature.starts_with("v1,"), "{signature}");
    assert_eq!(
        received.headers["content-type"].to_str().unwrap(),
        "application/json"
    );
    let json = received.json();
    assert_eq!(
        received.headers["webhook-id"].to_str().unwrap(),
        json["id"].as_str().unwrap(),
        "webhook-id is the event id"
    );
    let timestamp: i64 = received.headers["webhook-timestamp"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
}

fn check_signature(received: &Received) {
    check_signed_with(received, SECRET);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_is_signed_and_delivered() {
    let mut receiver = Receiver::start(&[], Reply::Status(200)).await;
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    platform.set_records(DataType::Customers, vec![customer("cus_1", "Ann")]);
    let server = Hooked::start(platform.clone(), config(&receiver.url)).await;
    let (company, connection, link) = server.connection().await;

    let company_created = receiver.next_of("company.created").await;
    check_signature(&company_created);
    let company_created = company_created.json();
    assert_eq!(company_created["companyId"], company.as_str());
    assert_eq!(company_created["payload"]["id"], company.as_str());
    assert_eq!(company_created["payload"]["name"], "Hooked Ltd");
    assert!(company_created.get("connectionId").is_none());
    let created = receiver.next_of("connection.created").await;
    check_signature(&created);
    let event = created.json();
    assert_eq!(event["eventType"], "connection.created");
    assert_eq!(event["companyId"], company.as_str());
    assert_eq!(event["connectionId"], connection.as_str());
    assert!(uuid::Uuid::parse_str(event["id"].as_str().unwrap()).is_ok());
    assert!(event["generatedDate"].as_str().unwrap().ends_with('Z'));
    assert_eq!(event["payload"]["referenceCompany"]["id"], company.as_str());
    assert_eq!(event["payload"]["referenceCompany"]["name"], "Hooked Ltd");
    assert_eq!(event["payload"]["connection"]["id"], connection.as_str());
    assert_eq!(event["payload"]["connection"]["status"], "PendingAuth");
    assert_eq!(event["payload"]["connection"]["linkUrl"], link.as_str());

    // Linking: connection.connected; the initial sync: read.completed with changed records.
    let response = browser().get(&link).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let connected = receiver.next_of("connection.connected").await;
    check_signature(&connected);
    assert_eq!(
        connected.json()["payload"]["connection"]["status"],
        "Linked"
    );
    server.engine.run_until_idle().await.unwrap();
    let read = receiver.next_of("read.completed").await;
    check_signature(&read);
    let read = read.json();
    assert_eq!(read["connectionId"], connection.as_str());
    let types = read["payload"]["dataTypes"].as_array().unwrap();
    assert_eq!(types.len(), DataType::ALL.len(), "{read}");
    let of = |types: &[Value], key: &str| -> Value {
        types
            .iter()
            .find(|t| t["dataType"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("{key} missing"))
    };
    let customers = of(types, "commerce-customers");
    assert_eq!(customers["status"], "Complete");
    assert_eq!(customers["recordsModified"], true);
    assert_eq!(customers["connectionId"], connection.as_str());
    assert_eq!(of(types, "commerce-payments")["status"], "NotSupported");
    assert_eq!(of(types, "commerce-payments")["recordsModified"], false);

    // The same data again: nothing modified. Then a changed name: modified.
    let (status, _) = server
        .send(
            reqwest::Method::POST,
            &format!(
                "/companies/{company}/data/queue/commerce-customers?connectionId={connection}"
            ),
            None,
        )
        .await;
    assert_eq!(status, 200);
    server.engine.run_until_idle().await.unwrap();
    let again = receiver.next_of("read.completed").await.json();
    let types = again["payload"]["dataTypes"].as_array().unwrap().clone();
    assert_eq!(types.len(), 1);
    assert_eq!(of(&types, "commerce-customers")["recordsModified"], false);
    platform.set_records(DataType::Customers, vec![customer("cus_1", "Bea")]);
    server
        .send(
            reqwest::Method::POST,
            &format!(
                "/companies/{company}/data/queue/commerce-customers?connectionId={connection}"
            ),
            None,
        )
        .await;
    server.engine.run_until_idle().await.unwrap();
    let changed = receiver.next_of("read.completed").await.json();
    assert_eq!(changed["payload"]["dataTypes"][0]["recordsModified"], true);

    // Unlinked by the client: connection.disconnected; deleted: connection.deleted.
    let (status, _) = server
        .send(
            reqwest::Method::PATCH,
            &format!("/companies/{company}/connections/{connection}"),
            Some(json!({"status": "Unlinked"})),
        )
        .await;
    assert_eq!(status, 200);
    let disconnected = receiver.next_of("connection.disconnected").await.json();
    assert_eq!(disconnected["payload"]["connection"]["status"], "Unlinked");
    let (status, _) = server
        .send(
            reqwest::Method::DELETE,
            &format!("/companies/{company}/connections/{connection}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let deleted = receiver.next_of("connection.deleted").await;
    check_signature(&deleted);
    assert_eq!(deleted.json()["connectionId"], connection.as_str());

    // Every delivery is visible in the API, each with its one successful attempt.
    let deleted_id = deleted.json()["id"].as_str().unwrap().to_owned();
    let shown = server.settled(&deleted_id).await;
    assert_eq!(shown["status"], "Delivered");
    assert_eq!(shown["eventType"], "connection.deleted");
    assert_eq!(
        shown["event"],
        deleted.json(),
        "the API shows the body as sent"
    );
    assert_eq!(shown["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(shown["attempts"][0]["statusCode"], 200);
    assert_eq!(shown["attempts"][0]["attempt"], 1);
    assert!(shown["attempts"][0]["durationMs"].is_u64());
    let (status, page) = server
        .get(&format!(
            "/webhooks/deliveries?companyId={company}&pageSize=100"
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    let kinds: Vec<&str> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "connection.deleted",
            "connection.disconnected",
            "read.completed",
            "read.completed",
            "read.completed",
            "connection.connected",
            "connection.created",
            "company.created",
        ],
        "newest first"
    );
    // The dashboard shows the same: each event with its attempts.
    let page = server
        .client
        .get(format!("{}/ui/webhooks", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Webhook deliveries</h1>"), "{html}");
    assert!(html.contains(&deleted_id), "the page shows event ids");
    assert!(html.contains("connection.deleted") && html.contains("read.completed"));
    assert!(html.contains("HTTP 200"));
    assert!(html.contains(&receiver.url.replace("/hook", "")));
    let (status, _) = server.get("/webhooks/deliveries?status=Sideways").await;
    assert_eq!(status, 400);
    let (status, _) = server
        .get(&format!("/webhooks/deliveries/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(status, 404);
    let (status, _) = server.get("/webhooks/deliveries?eventId=nope").await;
    assert_eq!(status, 400);
    let (status, _) = status_json(
        reqwest::Client::new()
            .get(format!("{}/webhooks/deliveries", server.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401, "deliveries need the API key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deauthorization_and_company_deletion_are_announced() {
    let mut receiver = Receiver::start(&[], Reply::Status(204)).await;
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = Hooked::start(platform, config(&receiver.url)).await;
    let (company, connection, link) = server.connection().await;
    browser().get(&link).send().await.unwrap();
    receiver.next_of("connection.connected").await;

    let body =
        json!({"id": "evt_deauth", "type": "account.deauthorized", "account": ACCOUNT}).to_string();
    let timestamp = chrono::Utc::now().timestamp();
    let response = reqwest::Client::new()
        .post(format!("{}/webhooks/fake-test", server.base))
        .header("fake-signature", sign(&body, timestamp))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let disconnected = receiver.next_of("connection.disconnected").await.json();
    assert_eq!(disconnected["connectionId"], connection.as_str());
    assert_eq!(
        disconnected["payload"]["connection"]["status"],
        "Deauthorized"
    );

    let (status, _) = server
        .send(
            reqwest::Method::DELETE,
            &format!("/companies/{company}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let deleted = receiver.next_of("connection.deleted").await.json();
    assert_eq!(deleted["connectionId"], connection.as_str());
    let company_deleted = receiver.next_of("company.deleted").await;
    check_signature(&company_deleted);
    let company_deleted = company_deleted.json();
    assert_eq!(company_deleted["companyId"], company.as_str());
    assert_eq!(company_deleted["payload"]["id"], company.as_str());
    assert_eq!(company_deleted["payload"]["name"], "Hooked Ltd");
    // The events outlive the company.
    let id = deleted["id"].as_str().unwrap();
    assert_eq!(server.settled(id).await["status"], "Delivered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_is_retried_until_the_receiver_takes_it() {
    let mut receiver = Receiver::start(
        &[Reply::Status(500), Reply::Status(503)],
        Reply::Status(200),
    )
    .await;
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = Hooked::start(platform, config(&receiver.url)).await;
    server.company().await;
    let first = receiver.next().await;
    let second = receiver.next().await;
    let third = receiver.next().await;
    for attempt in [&first, &second, &third] {
        check_signature(attempt);
    }
    assert_eq!(first.body, second.body, "a retry sends the same event");
    assert_eq!(second.body, third.body);
    let id = first.json()["id"].as_str().unwrap().to_owned();
    let event = server.settled(&id).await;
    assert_eq!(event["status"], "Delivered");
    assert_eq!(event["attemptCount"], 3);
    let attempts = event["attempts"].as_array().unwrap();
    assert_eq!(
        attempts
            .iter()
            .map(|a| a["statusCode"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [500, 503, 200]
    );
    assert!(attempts[0]["error"].as_str().unwrap().contains("500"));
    assert!(attempts[2].get("error").is_none());
    assert_eq!(event["lastAttempt"]["statusCode"], 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_gives_up_after_the_bound() {
    let mut receiver = Receiver::start(&[], Reply::Status(500)).await;
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = Hooked::start(platform, config(&receiver.url).with_max_attempts(4)).await;
    server.company().await;
    let first = receiver.next().await;
    let id = first.json()["id"].as_str().unwrap().to_owned();
    let event = server.settled(&id).await;
    assert_eq!(event["status"], "Failed");
    assert_eq!(event["attemptCount"], 4);
    assert!(event.get("nextAttempt").is_none());
    assert!(event["completed"].is_string());
    let attempts = event["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 4);
    assert!(attempts.iter().all(|a| a["statusCode"] == 500));
    // No fifth request arrives: the receiver saw exactly the four attempts.
    for _ in 0..3 {
        receiver.next().await;
    }
    assert!(receiver.received.try_recv().is_err());
    let (_, failed) = server.get("/webhooks/deliveries?status=Failed").await;
    assert_eq!(failed["totalResults"], 1);

    // A receiver that is not listening at all: the error is recorded too.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", listener.local_addr().unwrap())
    };
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = Hooked::start(platform, config(&closed).with_max_attempts(2)).await;
    server.company().await;
    let (_, page) = server.get("/webhooks/deliveries").await;
    let id = page["results"][0]["eventId"].as_str().unwrap().to_owned();
    let event = server.settled(&id).await;
    assert_eq!(event["status"], "Failed");
    assert!(event["attempts"][1].get("statusCode").is_none());
    assert_eq!(
        event["lastAttempt"]["error"],
        "could not connect to the receiver"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undelivered_event_is_delivered_after_a_restart() {
    // The receiver fails the first attempt; the process stops before the retry.
    let mut receiver = Receiver::start(&[], Reply::Status(503)).await;
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let slow_retry =
        config(&receiver.url).with_backoff(Duration::from_secs(3600), Duration::from_secs(3600));
    let server = Hooked::start(platform.clone(), slow_retry).await;
    let company = server.company().await;
    let first = receiver.next().await;
    let id = first.json()["id"].as_str().unwrap().to_owned();
    let delivery = server.delivery_of(&id).await;
    // Wait until the failed attempt is recorded.
    let pending = loop {
        let (_, event) = server
            .get(&format!("/webhooks/deliveries/{delivery}"))
            .await;
        if event["attemptCount"] == 1 {
            break event;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(pending["status"], "Pending");
    assert!(pending["nextAttempt"].is_string());
    let (dir, db_url) = server.stop().await;

    // Restarted on the same database, with a receiver that is back; the retry is due now (a
    // short backoff this time, as if the hour had passed: the outbox holds the due time).
    receiver.set_default(Reply::Status(200));
    let store = Store::connect(&db_url, EncryptionKey::from_base64(KEY).unwrap())
        .await
        .unwrap();
    let event_id: uuid::Uuid = delivery.parse().unwrap();
    assert_eq!(
        store.get_client_event(event_id).await.unwrap().attempts,
        1,
        "the event survived the stop"
    );
    store.close().await;
    make_due(&db_url, event_id).await;
    let server = Hooked::start_on(platform, config(&receiver.url), dir, db_url).await;
    let again = receiver.next().await;
    assert_eq!(again.body, first.body, "the stored event is sent as it was");
    check_signature(&again);
    let event = server.settled(&id).await;
    assert_eq!(event["status"], "Delivered");
    assert_eq!(event["attemptCount"], 2);
    assert_eq!(event["companyId"], company.as_str());
}

/// Moves an event's next attempt to now, directly in the database.
async fn make_due(db_url: &str, id: uuid::Uuid) {
    use sqlx::Connection as _;
    let mut connection = sqlx::SqliteConnection::connect(db_url).await.unwrap();
    sqlx::query("UPDATE client_webhook_events SET next_attempt_at = $1 WHERE id = $2")
        .bind(chrono::Utc::now() - chrono::Duration::seconds(1))
        .bind(id)
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_never_answers_does_not_hold_up_syncs() {
    // The receiver takes every request and never answers (the attempt timeout is long).
    let mut receiver = Receiver::start(&[], Reply::Hang).await;
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    platform.set_records(DataType::Customers, vec![customer("cus_1", "Ann")]);
    let server = Hooked::start(platform, config(&receiver.url)).await;
    let (company, connection, link) = server.connection().await;
    // The receiver now holds the first request (company.created or connection.created) open.
    let held = receiver.next().await;
    assert!(held.event_type().ends_with(".created"));

    // Link and sync while it hangs: both finish.
    let response = browser().get(&link).send().await.unwrap();
    assert_eq!(response.status(), 200);
    server.engine.run_until_idle().await.unwrap();
    let (status, customers) = server
        .get(&format!(
            "/companies/{company}/connections/{connection}/data/commerce-customers"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(customers["totalResults"], 1);

    // The held request is still unanswered: its attempt is not even recorded, yet the sync's
    // read.completed is already in the outbox.
    let id: uuid::Uuid = server
        .delivery_of(held.json()["id"].as_str().unwrap())
        .await
        .parse()
        .unwrap();
    let created = server.store.get_client_event(id).await.unwrap();
    assert_eq!(created.attempts, 0, "the first request is still being held");
    let read = wait_for_event(&server, "read.completed").await;
    assert_eq!(read["status"], "Pending");
}

async fn wait_for_event(server: &Hooked, event_type: &str) -> Value {
    for _ in 0..400 {
        let (_, page) = server.get("/webhooks/deliveries?pageSize=100").await;
        if let Some(event) = page["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["eventType"] == event_type)
        {
            return event.clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no {event_type} event stored");
}

// ---------------------------------------------------------------------------------------
// Webhook consumers (`/webhooks`): each with its own secret, event types and company tags.

/// Creates a consumer through the API; returns its JSON (with `secret`).
async fn create_consumer(server: &Hooked, body: Value) -> Value {
    let (status, consumer) = server
        .send(reqwest::Method::POST, "/webhooks", Some(body))
        .await;
    assert_eq!(status, 201, "{consumer}");
    consumer
}

/// The deliveries to one consumer, once none is pending any more.
async fn deliveries_to(server: &Hooked, consumer: &str) -> Vec<Value> {
    for _ in 0..400 {
        let (status, page) = server
            .get(&format!(
                "/webhooks/deliveries?consumerId={consumer}&pageSize=100"
            ))
            .await;
        assert_eq!(status, 200, "{page}");
        let results = page["results"].as_array().unwrap().clone();
        if results.iter().all(|d| d["status"] != "Pending") {
            return results;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("deliveries to {consumer} still pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumers_receive_what_they_subscribe_to_signed_with_their_own_secret() {
    let mut all = Receiver::start(&[], Reply::Status(200)).await;
    let mut connections = Receiver::start(&[], Reply::Status(200)).await;
    let mut disabled = Receiver::start(&[], Reply::Status(200)).await;
    let mut tagged = Receiver::start(&[], Reply::Status(200)).await;
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = Hooked::start(platform, quick().with_private_urls(true)).await;
    let (status, listed) = server.get("/webhooks").await;
    assert_eq!((status, listed.clone()), (200, json!({"results": []})));

    let to_all = create_consumer(&server, json!({"url": all.url})).await;
    assert_eq!(to_all["url"], all.url.as_str());
    assert_eq!(to_all["eventTypes"], json!([]));
    assert_eq!(to_all["disabled"], false);
    let all_secret = to_all["secret"].as_str().unwrap().to_owned();
    assert!(all_secret.starts_with("whsec_"), "{all_secret}");
    let to_connections = create_consumer(
        &server,
        json!({"url": connections.url, "eventTypes": ["connection.created", "connection.created"]}),
    )
    .await;
    assert_eq!(to_connections["eventTypes"], json!(["connection.created"]));
    let connections_secret = to_connections["secret"].as_str().unwrap().to_owned();
    assert_ne!(
        all_secret, connections_secret,
        "each consumer has its own secret"
    );
    let to_disabled =
        create_consumer(&server, json!({"url": disabled.url, "disabled": true})).await;
    let to_tagged = create_consumer(
        &server,
        json!({"url": tagged.url, "companyTags": ["region:uk"], "disabled": null}),
    )
    .await;
    assert_eq!(to_tagged["companyTags"], json!(["region:uk"]));

    // Refused prototypes, each with a 400 that names the problem.
    for (body, needle) in [
        (json!({"eventTypes": ["read.completed"]}), "url is required"),
        (json!({"url": "ftp://hooks.example.com"}), "absolute http"),
        (
            json!({"url": all.url, "eventTypes": ["DataSyncCompleted"]}),
            "DataSyncCompleted",
        ),
        (
            json!({"url": all.url, "companyTags": ["no-colon"]}),
            "tagKey:tagValue",
        ),
        (
            json!({"url": all.url, "companyTags": vec!["a:b"; 11]}),
            "at most 10",
        ),
        (json!({"url": all.url, "colour": "blue"}), "colour"),
    ] {
        let (status, error) = server
            .send(reqwest::Method::POST, "/webhooks", Some(body.clone()))
            .await;
        assert_eq!(status, 400, "{body}: {error}");
        assert!(
            error["error"].as_str().unwrap().contains(needle),
            "{body}: {error}"
        );
    }

    // The list shows every consumer, oldest first, never a secret.
    let (_, listed) = server.get("/webhooks").await;
    let listed = listed["results"].as_array().unwrap().clone();
    let ids: Vec<&str> = listed.iter().map(|c| c["id"].as_str().unwrap()).collect();
    let created: Vec<&str> = [&to_all, &to_connections, &to_disabled, &to_tagged]
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, created);
    assert!(listed.iter().all(|c| c.get("secret").is_none()));
    assert_eq!(listed[2]["disabled"], true);

    // A company and a connection: two events.
    let (company, connection, _) = server.connection().await;
    let first = all.next().await;
    let second = all.next().await;
    let mut kinds = vec![first.event_type(), second.event_type()];
    kinds.sort();
    assert_eq!(kinds, ["company.created", "connection.created"]);
    for received in [&first, &second] {
        check_signed_with(received, &all_secret);
        let other = standardwebhooks::Webhook::new(&connections_secret).unwrap();
        assert!(
            other.verify(&received.body, &received.headers).is_err(),
            "another consumer's secret does not verify it"
        );
    }
    let only = connections.next().await;
    check_signed_with(&only, &connections_secret);
    assert_eq!(only.event_type(), "connection.created");
    let same = [&first, &second]
        .into_iter()
        .find(|r| r.event_type() == "connection.created")
        .unwrap();
    assert_eq!(only.body, same.body, "every consumer gets the same event");
    assert_eq!(only.headers["webhook-id"], same.headers["webhook-id"]);
    assert_eq!(only.json()["connectionId"], connection.as_str());

    let id = |consumer: &Value| consumer["id"].as_str().unwrap().to_owned();
    assert_eq!(deliveries_to(&server, &id(&to_all)).await.len(), 2);
    let to_connections_deliveries = deliveries_to(&server, &id(&to_connections)).await;
    assert_eq!(to_connections_deliveries.len(), 1);
    assert_eq!(to_connections_deliveries[0]["status"], "Delivered");
    assert_eq!(
        to_connections_deliveries[0]["consumerId"],
        to_connections["id"]
    );
    assert!(deliveries_to(&server, &id(&to_disabled)).await.is_empty());
    assert!(
        deliveries_to(&server, &id(&to_tagged)).await.is_empty(),
        "the company has no region:uk tag"
    );
    assert!(
        disabled.received.try_recv().is_err(),
        "a disabled consumer gets nothing"
    );
    assert!(tagged.received.try_recv().is_err());
    let (_, of_company) = server
        .get(&format!("/webhooks/deliveries?companyId={company}"))
        .await;
    assert_eq!(of_company["totalResults"], 3);

    // Deleted: 204, then 404; it receives nothing more.
    let path = format!("/webhooks/{}", id(&to_all));
    let (status, _) = server.send(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let (status, error) = server.send(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, 404, "{error}");
    let (status, _) = server
        .send(reqwest::Method::DELETE, "/webhooks/not-a-uuid", None)
        .await;
    assert_eq!(status, 404);
    server.connection().await;
    connections.next_of("connection.created").await;
    assert_eq!(deliveries_to(&server, &id(&to_all)).await.len(), 2);
    assert!(all.received.try_recv().is_err());
    let (_, listed) = server.get("/webhooks").await;
    assert_eq!(listed["results"].as_array().unwrap().len(), 3);

    // Codat's limit: 50 consumers.
    for index in 3..50 {
        create_consumer(
            &server,
            json!({"url": format!("{}?n={index}", disabled.url), "disabled": true}),
        )
        .await;
    }
    let (status, error) = server
        .send(
            reqwest::Method::POST,
            "/webhooks",
            Some(json!({"url": disabled.url})),
        )
        .await;
    assert_eq!(status, 400, "{error}");
    assert!(error["error"].as_str().unwrap().contains("50"));

    // The routes need the API key.
    let response = reqwest::Client::new()
        .get(format!("{}/webhooks", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let response = reqwest::Client::new()
        .delete(format!("{}/webhooks/{}", server.base, id(&to_connections)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configured_url_is_an_implicit_consumer_that_the_api_cannot_delete() {
    let mut receiver = Receiver::start(&[], Reply::Status(200)).await;
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = Hooked::start(platform, config(&receiver.url)).await;
    let (_, listed) = server.get("/webhooks").await;
    let implicit = &listed["results"][0];
    assert_eq!(implicit["id"], "00000000-0000-0000-0000-000000000001");
    assert_eq!(implicit["url"], receiver.url.as_str());
    assert_eq!(implicit["disabled"], false);
    assert_eq!(
        implicit["eventTypes"].as_array().unwrap().len(),
        commerce_server::EVENT_TYPES.len()
    );
    let (status, error) = server
        .send(
            reqwest::Method::DELETE,
            "/webhooks/00000000-0000-0000-0000-000000000001",
            None,
        )
        .await;
    assert_eq!(status, 403, "{error}");
    assert!(error["error"]
        .as_str()
        .unwrap()
        .contains("COMMERCE_WEBHOOK_URL"));
    server.company().await;
    let received = receiver.next_of("company.created").await;
    check_signature(&received);
    let id = received.json()["id"].as_str().unwrap().to_owned();
    let (_, page) = server
        .get(&format!("/webhooks/deliveries?eventId={id}"))
        .await;
    assert_eq!(
        page["results"][0]["consumerId"],
        "00000000-0000-0000-0000-000000000001"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receivers_on_private_networks_are_refused_at_creation_and_at_delivery() {
    let mut receiver = Receiver::start(&[], Reply::Status(200)).await;
    let port = receiver
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = Hooked::start(platform, quick()).await;
    for url in [
        receiver.url.clone(),
        format!("http://localhost:{port}/hook"),
        format!("http://[::1]:{port}/hook"),
        "http://10.0.0.8/hook".to_owned(),
        "http://192.168.1.20/hook".to_owned(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://[::ffff:127.0.0.1]/hook".to_owned(),
    ] {
        let (status, error) = server
            .send(
                reqwest::Method::POST,
                "/webhooks",
                Some(json!({"url": url})),
            )
            .await;
        assert_eq!(status, 400, "{url}: {error}");
        assert!(
            error["error"]
                .as_str()
                .unwrap()
                .contains("COMMERCE_WEBHOOK_ALLOW_PRIVATE_URLS"),
            "{url}: {error}"
        );
    }
    // A public name is accepted (and deleted before any event could go there).
    let public = create_consumer(&server, json!({"url": "https://hooks.example.com/codat"})).await;
    let (status, _) = server
        .send(
            reqwest::Method::DELETE,
            &format!("/webhooks/{}", public["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 204);

    // A name that resolves to a private address when the event is sent (it may have pointed
    // elsewhere when the consumer was created): the resolved address is checked, and the
    // delivery is given up without reaching the receiver.
    let rebound = server
        .store
        .create_webhook_consumer(&commerce_store::NewWebhookConsumer::new(
            format!("http://localhost:{port}/hook"),
            secrecy::SecretString::from(WebhookSecret::generate().expose().to_owned()),
        ))
        .await
        .unwrap();
    server.company().await;
    let deliveries = deliveries_to(&server, &rebound.id.to_string()).await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["status"], "Failed");
    assert_eq!(
        deliveries[0]["attemptCount"], 1,
        "refused at once, not retried"
    );
    let error = deliveries[0]["lastAttempt"]["error"].as_str().unwrap();
    assert!(
        error.contains("loopback, private or link-local") && error.contains("127.0.0.1")
            || error.contains("::1"),
        "{error}"
    );
    assert!(
        receiver.received.try_recv().is_err(),
        "nothing reached the receiver"
    );
}

/// Verifies a delivery with the PyPI `standardwebhooks` package, as a receiver in Python
/// would, in a virtual environment this test creates (cached under `target/`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_standardwebhooks_verifies_a_delivery() {
    let mut receiver = Receiver::start(&[], Reply::Status(200)).await;
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = Hooked::start(platform, quick().with_private_urls(true)).await;
    let consumer = create_consumer(&server, json!({"url": receiver.url})).await;
    let secret = consumer["secret"].as_str().unwrap().to_owned();
    server.connection().await;
    let received = receiver.next_of("connection.created").await;

    let python = crate::support::python_venv(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
        "standardwebhooks",
        &["standardwebhooks==1.1.0"],
    );
    let dir = TempDir::new();
    let headers: serde_json::Map<String, Value> = received
        .headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("webhook-"))
        .map(|(name, value)| (name.to_string(), json!(value.to_str().unwrap())))
        .collect();
    std::fs::write(
        dir.0.join("headers.json"),
        Value::Object(headers).to_string(),
    )
    .unwrap();
    std::fs::write(dir.0.join("body.json"), &received.body).unwrap();
    let script = r#"
import json, sys
from standardwebhooks import Webhook
secret, folder = sys.argv[1], sys.argv[2]
headers = json.load(open(folder + "/headers.json"))
body = open(folder + "/body.json", "rb").read()
event = Webhook(secret).verify(body, headers)
print(event["eventType"])
try:
    Webhook(secret).verify(body + b" ", headers)
    print("tampered body accepted")
except Exception:
    print("tampered body refused")
"#;
    let output = std::process::Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(&secret)
        .arg(&dir.0)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "python failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        ["connection.created", "tampered body refused"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_deliveries_to_a_deleted_consumer_are_given_up() {
    let mut receiver = Receiver::start(&[], Reply::Status(503)).await;
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let slow_retry = quick()
        .with_private_urls(true)
        .with_backoff(Duration::from_secs(3600), Duration::from_secs(3600));
    let server = Hooked::start(platform, slow_retry).await;
    let consumer = create_consumer(&server, json!({"url": receiver.url})).await;
    let consumer_id = consumer["id"].as_str().unwrap().to_owned();
    server.company().await;
    let first = receiver.next().await;
    let delivery = server
        .delivery_of(first.json()["id"].as_str().unwrap())
        .await;
    loop {
        let (_, shown) = server
            .get(&format!("/webhooks/deliveries/{delivery}"))
            .await;
        if shown["attemptCount"] == 1 {
            assert_eq!(shown["status"], "Pending");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, _) = server
        .send(
            reqwest::Method::DELETE,
            &format!("/webhooks/{consumer_id}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    // The retry comes due: the consumer is gone, so the delivery ends without a request.
    make_due(&server.db_url, delivery.parse().unwrap()).await;
    let deliveries = deliveries_to(&server, &consumer_id).await;
    assert_eq!(deliveries[0]["status"], "Failed");
    assert_eq!(deliveries[0]["attemptCount"], 2);
    assert_eq!(
        deliveries[0]["lastAttempt"]["error"],
        "the webhook consumer was deleted"
    );
    assert!(receiver.received.try_recv().is_err());
}

/// The dashboard's "create link" goes through the same operation as
/// `POST /companies/{id}/connections`: it is announced with `connection.created` too.
#[tokio::test]
async fn a_link_created_on_the_dashboard_is_announced_like_one_made_through_the_api() {
    let mut receiver = Receiver::start(&[], Reply::Status(200)).await;
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = Hooked::start(platform.clone(), config(&receiver.url)).await;
    let company = server.company().await;
    receiver.next_of("company.created").await;

    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        authorization_header(&format!("someone:{API_KEY}"))
            .parse()
            .unwrap(),
    );
    let viewer = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = viewer
        .get(format!("{}/ui", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (_, rest) = html.split_once("name=\"csrf\" value=\"").unwrap();
    let token = rest.split('"').next().unwrap();
    let response = viewer
        .post(format!("{}/ui/companies/{company}/links", server.base))
        .form(&[("csrf", token), ("platform", "fake-test")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, rest) = location.split_once("/ui/connections/").unwrap();
    let connection = rest.split('?').next().unwrap().to_owned();

    let created = receiver.next_of("connection.created").await;
    check_signature(&created);
    let event = created.json();
    assert_eq!(event["companyId"], company.as_str());
    assert_eq!(event["connectionId"], connection.as_str());
    assert_eq!(event["payload"]["referenceCompany"]["name"], "Hooked Ltd");
    assert_eq!(event["payload"]["connection"]["id"], connection.as_str());
    assert_eq!(event["payload"]["connection"]["status"], "PendingAuth");
    // Stored in the outbox like every event, so the API lists its delivery.
    let stored = wait_for_event(&server, "connection.created").await;
    assert_eq!(stored["connectionId"], connection.as_str());
    server.stop().await;
}
