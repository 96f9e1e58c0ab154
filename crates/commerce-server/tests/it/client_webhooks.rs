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
    authorization_header, build_router, verify_client_webhook, ApiKeys, AppState,
    ClientWebhookConfig, ClientWebhooks,
};
use commerce_store::{EncryptionKey, Store};
use commerce_sync::{PlatformRegistry, SyncConfig, SyncEngine};
use secrecy::SecretString;
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};

use crate::fake::{sign, FakePlatform, ACCOUNT};
use crate::support::{browser, status_json, TempDir, API_KEY};

const SECRET: &str = "whsec_client_test_0123456789";
const SUPPORTED: &[DataType] = &[DataType::CompanyInfo, DataType::Customers];

/// How the receiver answers one request.
#[derive(Clone, Copy, Debug)]
enum Reply {
    Status(u16),
    /// Holds the request open and never answers.
    Hang,
}

struct Received {
    headers: HeaderMap,
    body: Bytes,
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
    ClientWebhookConfig::new(url.parse().unwrap(), SecretString::from(SECRET))
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

    /// Waits until the event's delivery is no longer `Pending`; returns its API view.
    async fn settled(&self, event_id: &str) -> Value {
        for _ in 0..400 {
            let (status, event) = self.get(&format!("/webhooks/deliveries/{event_id}")).await;
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

fn check_signature(received: &Received) {
    let header = received.headers["commerce-signature"].to_str().unwrap();
    let now = chrono::Utc::now().timestamp();
    verify_client_webhook(
        &SecretString::from(SECRET),
        header,
        &received.body,
        now,
        300,
    )
    .unwrap_or_else(|error| panic!("bad signature {header}: {error}"));
    // Any change to the body breaks it.
    let mut tampered = received.body.to_vec();
    tampered.push(b' ');
    assert!(
        verify_client_webhook(&SecretString::from(SECRET), header, &tampered, now, 300).is_err()
    );
    assert_eq!(
        received.headers["content-type"].to_str().unwrap(),
        "application/json"
    );
    let json = received.json();
    assert_eq!(
        received.headers["commerce-event-id"].to_str().unwrap(),
        json["id"].as_str().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_is_signed_and_delivered() {
    let mut receiver = Receiver::start(&[], Reply::Status(200)).await;
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    platform.set_records(DataType::Customers, vec![customer("cus_1", "Ann")]);
    let server = Hooked::start(platform.clone(), config(&receiver.url)).await;
    let (company, connection, link) = server.connection().await;

    let created = receiver.next().await;
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
    assert!(html.contains(&deleted_id));
    assert!(html.contains("connection.deleted") && html.contains("read.completed"));
    assert!(html.contains("HTTP 200"));
    assert!(html.contains(&receiver.url.replace("/hook", "")));
    let (status, _) = server.get("/webhooks/deliveries?status=Sideways").await;
    assert_eq!(status, 400);
    let (status, _) = server
        .get(&format!("/webhooks/deliveries/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(status, 404);
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
    server.connection().await;
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
    server.connection().await;
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
    server.connection().await;
    let (_, page) = server.get("/webhooks/deliveries").await;
    let id = page["results"][0]["id"].as_str().unwrap().to_owned();
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
    let (company, _, _) = server.connection().await;
    let first = receiver.next().await;
    let id = first.json()["id"].as_str().unwrap().to_owned();
    // Wait until the failed attempt is recorded.
    let pending = loop {
        let (_, event) = server.get(&format!("/webhooks/deliveries/{id}")).await;
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
    let event_id: uuid::Uuid = id.parse().unwrap();
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
    // The receiver now holds the first request (connection.created) open.
    let held = receiver.next().await;
    assert_eq!(held.event_type(), "connection.created");

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
    let id: uuid::Uuid = held.json()["id"].as_str().unwrap().parse().unwrap();
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
