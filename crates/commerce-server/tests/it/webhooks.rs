//! Platform webhooks: valid, bad signature, stale timestamp, replayed event, deauthorization,
//! changed records.

use commerce_model::platform::Record;
use commerce_model::{Customer, DataType};
use serde_json::{json, Value};

use crate::fake::{sign, FakePlatform, ACCOUNT};
use crate::support::{linked_connection, status_json, TestServer};

const SUPPORTED: &[DataType] = &[DataType::CompanyInfo, DataType::Customers];

async fn post(server: &TestServer, path: &str, body: &str, signature: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(server.url(path))
        .header("fake-signature", signature)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    status_json(response).await
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn deauthorization_marks_the_connection_and_replays_are_ignored() {
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = TestServer::start(vec![platform.clone()]).await;
    let (company, connection) = linked_connection(&server, "fake-test", true).await;
    let body =
        json!({"id": "evt_1", "type": "account.deauthorized", "account": ACCOUNT}).to_string();

    // Bad signature and stale timestamp: refused, nothing changes.
    let (status, refused) = post(&server, "/webhooks/fake", &body, "t=1,v1=00").await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["error"]
        .as_str()
        .unwrap()
        .contains("signature mismatch"));
    let stale = now() - 3600;
    let (status, refused) = post(&server, "/webhooks/fake", &body, &sign(&body, stale)).await;
    assert_eq!(status, 400);
    assert!(refused["error"].as_str().unwrap().contains("tolerance"));
    let (_, still) = server
        .get(&format!("/companies/{company}/connections/{connection}"))
        .await;
    assert_eq!(still["status"], "Linked");

    // Valid: the connection is deauthorized; data stays readable.
    let (status, answer) = post(&server, "/webhooks/fake", &body, &sign(&body, now())).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["duplicate"], false);
    let (_, after) = server
        .get(&format!("/companies/{company}/connections/{connection}"))
        .await;
    assert_eq!(after["status"], "Deauthorized");
    assert_eq!(after["dataConnectionErrors"][0]["status"], "Active");
    let (status, _) = server
        .get(&format!(
            "/companies/{company}/connections/{connection}/data/commerce-customers"
        ))
        .await;
    assert_eq!(status, 200);

    // Replayed (same event, fresh signature): acknowledged, not acted on again.
    let (status, answer) = post(&server, "/webhooks/fake", &body, &sign(&body, now())).await;
    assert_eq!(status, 200);
    assert_eq!(answer["duplicate"], true);

    // Unknown platform path.
    let (status, _) = post(&server, "/webhooks/nobody", &body, &sign(&body, now())).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn changed_records_are_pulled_at_once_and_only_once_per_event() {
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = TestServer::start(vec![platform.clone()]).await;
    let (company, connection) = linked_connection(&server, "fake-test", true).await;
    let list = format!("/companies/{company}/connections/{connection}/data/commerce-customers");
    let (_, before) = server.get(&list).await;
    assert_eq!(before["totalResults"], 0);

    let customer = Customer {
        id: "cus_new".into(),
        customer_name: Some("New Customer".into()),
        ..Default::default()
    };
    platform.set_records(DataType::Customers, vec![Record::new(&customer).unwrap()]);
    let body = json!({
        "id": "evt_changed", "type": "records.changed", "account": ACCOUNT,
        "data_types": ["commerce-customers"],
    })
    .to_string();
    let (status, _) = post(&server, "/webhooks/fake-test", &body, &sign(&body, now())).await;
    assert_eq!(status, 200);
    server.engine.run_until_idle().await.unwrap();
    let (_, after) = server.get(&list).await;
    assert_eq!(after["totalResults"], 1);
    assert_eq!(after["results"][0]["customerName"], "New Customer");

    let (_, history) = server
        .get(&format!("/companies/{company}/data/history"))
        .await;
    let pulls = history["totalResults"].as_u64().unwrap();
    let (status, answer) = post(&server, "/webhooks/fktt", &body, &sign(&body, now())).await;
    assert_eq!(status, 200);
    assert_eq!(answer["duplicate"], true);
    let (_, history) = server
        .get(&format!("/companies/{company}/data/history"))
        .await;
    assert_eq!(history["totalResults"].as_u64().unwrap(), pulls);

    // An event the platform ignores is acknowledged.
    let other = json!({"id": "evt_other", "type": "something.else"}).to_string();
    let (status, _) = post(&server, "/webhooks/fake", &other, &sign(&other, now())).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_concurrent_copies_of_one_event_apply_once() {
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = TestServer::start(vec![platform.clone()]).await;
    let (company, _connection) = linked_connection(&server, "fake-test", true).await;
    let body = json!({
        "id": "evt_concurrent", "type": "records.changed", "account": ACCOUNT,
        "data_types": ["commerce-customers"],
    })
    .to_string();
    let (_, before) = server
        .get(&format!("/companies/{company}/data/history?pageSize=5000"))
        .await;
    let copies = (0..10).map(|_| {
        let body = body.clone();
        let server = &server;
        async move { post(server, "/webhooks/fake", &body, &sign(&body, now())).await }
    });
    let answers = futures::future::join_all(copies).await;
    for (status, answer) in &answers {
        assert_eq!(*status, 200, "{answer}");
    }
    let applied = answers
        .iter()
        .filter(|(_, answer)| answer["duplicate"] == false)
        .count();
    assert_eq!(applied, 1, "{answers:?}");
    // One pull was queued for it (the engine refuses a second while one is queued, so this
    // holds either way; the answers above are what tells).
    let (_, after) = server
        .get(&format!("/companies/{company}/data/history?pageSize=5000"))
        .await;
    assert_eq!(
        after["totalResults"].as_u64().unwrap(),
        before["totalResults"].as_u64().unwrap() + 1,
        "{after}"
    );
}
