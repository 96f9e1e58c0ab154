//! The client-webhook outbox: enqueue, claim with a lease, attempts and outcomes, listing, and
//! the helpers the event emitter uses.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::Utc;
use commerce_model::DataType;
use commerce_store::{
    AttemptOutcome, ClientEvent, ClientEventFilter, DeliveryAttempt, DeliveryStatus,
    NewClientEvent, RecordInput, StoreError,
};
use serde_json::json;
use uuid::Uuid;

use crate::harness::{both_engines, Harness};
use crate::records::new_connection;

both_engines!(
    enqueued_event_is_claimed_once_per_lease,
    attempts_are_recorded_with_outcomes,
    concurrent_claims_are_disjoint,
    events_list_newest_first_with_filters,
    last_connection_event_and_modified_records,
    an_event_fans_out_to_its_consumers,
    consumers_are_stored_with_encrypted_secrets,
);

fn event(company: Uuid, connection: Option<Uuid>, event_type: &str) -> NewClientEvent {
    let id = Uuid::new_v4();
    let body = json!({ "id": id, "eventType": event_type }).to_string();
    NewClientEvent::new(id, event_type, company, connection, body)
}

/// The consumer of the tests' deliveries (any id: the outbox does not check it).
const CONSUMER: Uuid = Uuid::from_u128(1);

/// Enqueues `new` for [`CONSUMER`]; its one delivery.
async fn enqueue(store: &commerce_store::Store, new: &NewClientEvent) -> ClientEvent {
    let mut deliveries = store.enqueue_client_event(new, &[CONSUMER]).await.unwrap();
    assert_eq!(deliveries.len(), 1);
    deliveries.remove(0)
}

fn attempt(status: Option<u16>, error: Option<&str>) -> DeliveryAttempt {
    DeliveryAttempt::new(
        Utc::now(),
        status,
        error.map(str::to_owned),
        Duration::from_millis(42),
    )
}

async fn enqueued_event_is_claimed_once_per_lease(h: &Harness) {
    let store = &h.store;
    let company = Uuid::new_v4();
    let new = event(company, None, "connection.created");
    let stored = enqueue(store, &new).await;
    assert_eq!(stored.event_id, new.id);
    assert_eq!(stored.consumer_id, Some(CONSUMER));
    assert_ne!(stored.id, new.id, "a delivery has its own id");
    assert_eq!(stored.status, DeliveryStatus::Pending);
    assert_eq!(stored.attempts, 0);
    assert_eq!(stored.body, new.body, "the body is kept byte for byte");
    assert_eq!(store.get_client_event(stored.id).await.unwrap(), stored);
    assert_eq!(
        store.next_client_event_due().await.unwrap(),
        Some(stored.created)
    );

    let now = Utc::now();
    let claimed = store
        .claim_due_client_events(now, Duration::from_secs(30), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, stored.id);
    // Leased: not due again until the lease lapses.
    assert!(store
        .claim_due_client_events(now, Duration::from_secs(30), 10)
        .await
        .unwrap()
        .is_empty());
    let after_lease = now + chrono::Duration::seconds(31);
    let again = store
        .claim_due_client_events(after_lease, Duration::from_secs(30), 10)
        .await
        .unwrap();
    assert_eq!(
        again.len(),
        1,
        "a dispatcher that died leaves the event due"
    );
    assert!(matches!(
        store.get_client_event(Uuid::new_v4()).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn attempts_are_recorded_with_outcomes(h: &Harness) {
    let store = &h.store;
    let new = event(Uuid::new_v4(), Some(Uuid::new_v4()), "read.completed");
    let delivery = enqueue(store, &new).await.id;
    let retry_at = Utc::now() + chrono::Duration::seconds(60);
    let after_first = store
        .record_delivery_attempt(
            delivery,
            &attempt(Some(500), Some("receiver answered 500")),
            AttemptOutcome::RetryAt(retry_at),
        )
        .await
        .unwrap();
    assert_eq!(after_first.status, DeliveryStatus::Pending);
    assert_eq!(after_first.attempts, 1);
    assert_eq!(after_first.last_status_code, Some(500));
    assert_eq!(
        after_first.next_attempt_at.map(|at| at.timestamp_millis()),
        Some(retry_at.timestamp_millis())
    );
    // Not due before the retry time.
    assert!(store
        .claim_due_client_events(Utc::now(), Duration::from_secs(5), 10)
        .await
        .unwrap()
        .is_empty());

    let done = store
        .record_delivery_attempt(
            delivery,
            &attempt(Some(204), None),
            AttemptOutcome::Delivered,
        )
        .await
        .unwrap();
    assert_eq!(done.status, DeliveryStatus::Delivered);
    assert_eq!(done.attempts, 2);
    assert!(done.completed.is_some());
    assert_eq!(done.next_attempt_at, None);
    assert_eq!(done.last_error, None);
    assert_eq!(store.next_client_event_due().await.unwrap(), None);

    let attempts = store.list_delivery_attempts(delivery).await.unwrap();
    assert_eq!(
        attempts
            .iter()
            .map(|a| (a.attempt, a.status_code, a.error.clone()))
            .collect::<Vec<_>>(),
        [
            (1, Some(500), Some("receiver answered 500".to_owned())),
            (2, Some(204), None)
        ]
    );
    assert_eq!(attempts[0].duration, Duration::from_millis(42));

    // A finished event takes no more attempts.
    assert!(matches!(
        store
            .record_delivery_attempt(
                delivery,
                &attempt(None, Some("late")),
                AttemptOutcome::GiveUp
            )
            .await,
        Err(StoreError::InvalidTransition { .. })
    ));

    let failing = event(Uuid::new_v4(), None, "connection.deleted");
    let failing = enqueue(store, &failing).await;
    let failed = store
        .record_delivery_attempt(
            failing.id,
            &attempt(None, Some("connection refused")),
            AttemptOutcome::GiveUp,
        )
        .await
        .unwrap();
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert_eq!(failed.last_status_code, None);
    assert_eq!(failed.last_error.as_deref(), Some("connection refused"));
}

async fn concurrent_claims_are_disjoint(h: &Harness) {
    let company = Uuid::new_v4();
    let mut ids = BTreeSet::new();
    for _ in 0..20 {
        let new = event(company, None, "connection.created");
        ids.insert(enqueue(&h.store, &new).await.id);
    }
    let claim = |store: commerce_store::Store| async move {
        let mut mine = Vec::new();
        for _ in 0..10 {
            let batch = store
                .claim_due_client_events(Utc::now(), Duration::from_secs(60), 3)
                .await
                .unwrap();
            mine.extend(batch.into_iter().map(|event| event.id));
        }
        mine
    };
    let (a, b) = tokio::join!(
        tokio::spawn(claim(h.store.clone())),
        tokio::spawn(claim(h.store.clone()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut all: Vec<Uuid> = a.iter().chain(b.iter()).copied().collect();
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "an event was claimed twice");
    assert_eq!(all.into_iter().collect::<BTreeSet<_>>(), ids);
}

async fn events_list_newest_first_with_filters(h: &Harness) {
    let store = &h.store;
    let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
    let mut created = Vec::new();
    for (index, company) in [first, second, first].into_iter().enumerate() {
        let new = event(company, None, &format!("connection.e{index}"));
        created.push(enqueue(store, &new).await.id);
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    store
        .record_delivery_attempt(
            created[0],
            &attempt(Some(200), None),
            AttemptOutcome::Delivered,
        )
        .await
        .unwrap();

    let (all, total) = store
        .list_client_events(&ClientEventFilter::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        all.iter().map(|e| e.id).collect::<Vec<_>>(),
        [created[2], created[1], created[0]]
    );
    let (page, total) = store
        .list_client_events(&ClientEventFilter::default(), 1, 1)
        .await
        .unwrap();
    assert_eq!((page[0].id, total), (created[1], 3));

    let mut filter = ClientEventFilter::default();
    filter.company_id = Some(first);
    let (mine, total) = store.list_client_events(&filter, 0, 10).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        mine.iter().map(|e| e.id).collect::<Vec<_>>(),
        [created[2], created[0]]
    );
    filter.status = Some(DeliveryStatus::Pending);
    let (pending, total) = store.list_client_events(&filter, 0, 10).await.unwrap();
    assert_eq!((pending.len(), total), (1, 1));
    assert_eq!(pending[0].id, created[2]);
}

async fn last_connection_event_and_modified_records(h: &Harness) {
    let store = &h.store;
    let connection = new_connection(h).await;
    let company = store.get_connection(connection).await.unwrap().company_id;
    assert_eq!(
        store.last_connection_event_type(connection).await.unwrap(),
        None
    );
    store
        .enqueue_client_event(
            &event(company, Some(connection), "connection.connected"),
            &[CONSUMER],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(3)).await;
    store
        .enqueue_client_event(
            &event(company, Some(connection), "read.completed"),
            &[CONSUMER],
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .last_connection_event_type(connection)
            .await
            .unwrap()
            .as_deref(),
        Some("connection.connected"),
        "only connection.* events count"
    );

    let record =
        |name: &str| RecordInput::new("cus_1", json!({"id": "cus_1", "customerName": name}));
    store
        .upsert_records(connection, DataType::Customers, vec![record("Ann")])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(3)).await;
    let since = Utc::now();
    tokio::time::sleep(Duration::from_millis(3)).await;
    // The same content again: nothing changed.
    store
        .upsert_records(connection, DataType::Customers, vec![record("Ann")])
        .await
        .unwrap();
    assert!(!store
        .records_modified_since(connection, DataType::Customers, since)
        .await
        .unwrap());
    store
        .upsert_records(connection, DataType::Customers, vec![record("Bea")])
        .await
        .unwrap();
    assert!(store
        .records_modified_since(connection, DataType::Customers, since)
        .await
        .unwrap());
    assert!(!store
        .records_modified_since(connection, DataType::Payments, since)
        .await
        .unwrap());
    let later = Utc::now() + chrono::Duration::seconds(1);
    assert!(!store
        .records_modified_since(connection, DataType::Customers, later)
        .await
        .unwrap());
    store
        .delete_records(connection, DataType::Customers, vec!["cus_1".to_owned()])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert!(store
        .records_modified_since(connection, DataType::Customers, since)
        .await
        .unwrap());
}

async fn an_event_fans_out_to_its_consumers(h: &Harness) {
    let store = &h.store;
    let new = event(Uuid::new_v4(), None, "company.created");
    assert!(
        store
            .enqueue_client_event(&new, &[])
            .await
            .unwrap()
            .is_empty(),
        "no consumer, nothing stored"
    );
    let consumers = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
    let deliveries = store.enqueue_client_event(&new, &consumers).await.unwrap();
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries
        .iter()
        .all(|d| d.event_id == new.id && d.body == new.body));
    assert_eq!(
        deliveries
            .iter()
            .map(|d| d.consumer_id.unwrap())
            .collect::<Vec<_>>(),
        consumers
    );
    let ids: BTreeSet<Uuid> = deliveries.iter().map(|d| d.id).collect();
    assert_eq!(ids.len(), 3, "one delivery id each");

    // Each delivery has its own state.
    store
        .record_delivery_attempt(
            deliveries[0].id,
            &attempt(Some(200), None),
            AttemptOutcome::Delivered,
        )
        .await
        .unwrap();
    let mut filter = ClientEventFilter::default();
    filter.event_id = Some(new.id);
    let (of_event, total) = store.list_client_events(&filter, 0, 10).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(of_event.iter().map(|d| d.id).collect::<BTreeSet<_>>(), ids);
    filter.consumer_id = Some(consumers[0]);
    let (mine, total) = store.list_client_events(&filter, 0, 10).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(mine[0].status, DeliveryStatus::Delivered);
    let claimed = store
        .claim_due_client_events(Utc::now(), Duration::from_secs(30), 10)
        .await
        .unwrap();
    assert_eq!(
        claimed
            .iter()
            .map(|d| d.consumer_id.unwrap())
            .collect::<BTreeSet<_>>(),
        consumers[1..].iter().copied().collect(),
        "the delivered one is not claimed again"
    );
}

async fn consumers_are_stored_with_encrypted_secrets(h: &Harness) {
    use secrecy::{ExposeSecret as _, SecretString};
    let store = &h.store;
    assert!(store.list_webhook_consumers().await.unwrap().is_empty());
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let first = store
        .create_webhook_consumer(
            &commerce_store::NewWebhookConsumer::new(
                "https://hooks.example.com/a",
                SecretString::from(SECRET),
            )
            .with_event_types(vec!["read.completed".into(), "company.created".into()])
            .with_company_tags(Some(vec!["region:uk".into()])),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(3)).await;
    let second = store
        .create_webhook_consumer(
            &commerce_store::NewWebhookConsumer::new(
                "https://hooks.example.com/b",
                SecretString::from("whsec_c2Vjb25kLXNlY3JldC0wMTIzNDU2Nzg5"),
            )
            .with_disabled(true),
        )
        .await
        .unwrap();
    assert_eq!(first.event_types, ["read.completed", "company.created"]);
    assert_eq!(first.company_tags, Some(vec!["region:uk".to_owned()]));
    assert!(!first.disabled);
    assert!(second.disabled && second.event_types.is_empty() && second.company_tags.is_none());
    assert_eq!(
        store.list_webhook_consumers().await.unwrap(),
        [first.clone(), second.clone()]
    );

    let (found, secret) = store
        .webhook_consumer_secret(first.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, first);
    assert_eq!(secret.expose_secret(), SECRET);
    // The secret is not stored in clear.
    let raw: Vec<u8> = match &h.url {
        url if url.starts_with("sqlite") => {
            use sqlx::Connection as _;
            let mut connection = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query_scalar("SELECT secret FROM webhook_consumers WHERE id = $1")
                .bind(first.id)
                .fetch_one(&mut connection)
                .await
                .unwrap()
        }
        url => {
            use sqlx::Connection as _;
            let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar("SELECT secret FROM webhook_consumers WHERE id = $1")
                .bind(first.id)
                .fetch_one(&mut connection)
                .await
                .unwrap()
        }
    };
    assert!(!String::from_utf8_lossy(&raw).contains("MfKQ9r8"));

    assert!(store.delete_webhook_consumer(first.id).await.unwrap());
    assert!(!store.delete_webhook_consumer(first.id).await.unwrap());
    assert!(store
        .webhook_consumer_secret(first.id)
        .await
        .unwrap()
        .is_none());
    assert_eq!(store.list_webhook_consumers().await.unwrap(), [second]);
}
