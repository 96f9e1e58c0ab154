//! Dataset queueing, claiming with leases, status changes and data status.

use std::collections::HashSet;
use std::time::Duration;

use commerce_model::DataType;
use commerce_store::{DatasetPage, DatasetStatus, PageWrite, RecordInput, StoreError};
use serde_json::json;
use uuid::Uuid;

use crate::harness::{both_engines, Harness};
use crate::records::new_connection;

both_engines!(
    queueing_an_in_progress_type_is_a_conflict,
    concurrent_claimers_never_share_a_dataset,
    expired_leases_are_reclaimed,
    lifecycle_and_data_status,
);

const LEASE: Duration = Duration::from_secs(60);

async fn queueing_an_in_progress_type_is_a_conflict(h: &Harness) {
    let connection = new_connection(h).await;
    let first = h
        .store
        .queue_dataset(connection, DataType::Payments)
        .await
        .unwrap();
    assert_eq!(first.status, DatasetStatus::Queued);
    assert_eq!(first.data_type, DataType::Payments);
    let err = h
        .store
        .queue_dataset(connection, DataType::Payments)
        .await
        .unwrap_err();
    assert!(err.is_conflict());
    match &err {
        StoreError::DatasetInProgress { dataset_id, .. } => assert_eq!(*dataset_id, first.id),
        other => panic!("expected DatasetInProgress, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "cannot queue commerce-payments sync for connection {connection}: previous sync {} is still in progress",
            first.id
        )
    );
    // Other types and other connections are independent.
    h.store
        .queue_dataset(connection, DataType::Customers)
        .await
        .unwrap();
    let other = new_connection(h).await;
    h.store
        .queue_dataset(other, DataType::Payments)
        .await
        .unwrap();
    assert!(matches!(
        h.store
            .queue_dataset(Uuid::new_v4(), DataType::Payments)
            .await,
        Err(StoreError::NotFound {
            entity: "connection",
            ..
        })
    ));

    // Still a conflict while running; fine again once finished. Datasets queued within the
    // same millisecond are claimed in id order, so `first` may come after the other two.
    let mut claimed = Vec::new();
    while claimed.last() != Some(&first.id) {
        assert!(claimed.len() < 3, "first was never claimed: {claimed:?}");
        let next = h
            .store
            .claim_next_dataset("w", LEASE)
            .await
            .unwrap()
            .unwrap();
        claimed.push(next.id);
    }
    assert!(h
        .store
        .queue_dataset(connection, DataType::Payments)
        .await
        .unwrap_err()
        .is_conflict());
    h.store
        .finish_dataset(first.id, "w", DatasetStatus::Complete, None)
        .await
        .unwrap();
    let again = h
        .store
        .queue_dataset(connection, DataType::Payments)
        .await
        .unwrap();
    assert_ne!(again.id, first.id);
    assert_eq!(
        h.store
            .in_progress_dataset(connection, DataType::Payments)
            .await
            .unwrap()
            .unwrap()
            .id,
        again.id
    );
}

async fn concurrent_claimers_never_share_a_dataset(h: &Harness) {
    let mut queued = HashSet::new();
    for _ in 0..2 {
        let connection = new_connection(h).await;
        for data_type in DataType::ALL {
            queued.insert(
                h.store
                    .queue_dataset(connection, *data_type)
                    .await
                    .unwrap()
                    .id,
            );
        }
    }
    let claimer = |worker: &'static str| {
        let store = h.store.clone();
        tokio::spawn(async move {
            let mut claimed = Vec::new();
            while let Some(dataset) = store.claim_next_dataset(worker, LEASE).await.unwrap() {
                assert_eq!(dataset.lease_owner.as_deref(), Some(worker));
                assert_eq!(dataset.status, DatasetStatus::Fetching);
                claimed.push(dataset.id);
            }
            claimed
        })
    };
    let (a, b) = tokio::join!(claimer("worker-a"), claimer("worker-b"));
    let (a, b) = (a.unwrap(), b.unwrap());
    let a_set: HashSet<Uuid> = a.iter().copied().collect();
    let b_set: HashSet<Uuid> = b.iter().copied().collect();
    assert_eq!(a_set.len(), a.len(), "a claimed one dataset twice");
    assert!(
        a_set.is_disjoint(&b_set),
        "both workers claimed {:?}",
        a_set.intersection(&b_set)
    );
    let all: HashSet<Uuid> = a_set.union(&b_set).copied().collect();
    assert_eq!(all, queued, "every dataset claimed exactly once");
}

async fn expired_leases_are_reclaimed(h: &Harness) {
    let connection = new_connection(h).await;
    let dataset = h
        .store
        .queue_dataset(connection, DataType::Customers)
        .await
        .unwrap();
    let short = Duration::from_millis(300);
    let claimed = h
        .store
        .claim_next_dataset("worker-a", short)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, dataset.id);
    assert!(claimed.started.is_some());
    h.store
        .set_dataset_status(dataset.id, "worker-a", DatasetStatus::Mapping)
        .await
        .unwrap();
    assert!(
        h.store
            .claim_next_dataset("worker-b", LEASE)
            .await
            .unwrap()
            .is_none(),
        "leased"
    );

    tokio::time::sleep(Duration::from_millis(400)).await;
    let reclaimed = h
        .store
        .claim_next_dataset("worker-b", LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reclaimed.id, dataset.id);
    assert_eq!(reclaimed.lease_owner.as_deref(), Some("worker-b"));
    assert_eq!(
        reclaimed.status,
        DatasetStatus::Mapping,
        "a reclaimed dataset keeps its status"
    );
    assert_eq!(reclaimed.started, claimed.started);

    // The old holder has lost it for every operation.
    let err = h
        .store
        .renew_lease(dataset.id, "worker-a", LEASE)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost { .. }), "{err}");
    let mut page = PageWrite::new(connection, DataType::Customers);
    page.records = vec![RecordInput::new("c1", json!({"id": "c1"}))];
    page.dataset = Some(DatasetPage::new(dataset.id, "worker-a"));
    assert!(matches!(
        h.store.write_page(&page).await,
        Err(StoreError::LeaseLost { .. })
    ));
    assert!(matches!(
        h.store
            .finish_dataset(dataset.id, "worker-a", DatasetStatus::Complete, None)
            .await,
        Err(StoreError::LeaseLost { .. })
    ));
    // The new holder renews and writes.
    let expires = h
        .store
        .renew_lease(dataset.id, "worker-b", LEASE)
        .await
        .unwrap();
    assert!(expires > chrono::Utc::now() + chrono::Duration::seconds(50));
    page.dataset = Some(DatasetPage::new(dataset.id, "worker-b"));
    h.store.write_page(&page).await.unwrap();
}

async fn lifecycle_and_data_status(h: &Harness) {
    let connection = new_connection(h).await;
    let company_id = h.store.get_connection(connection).await.unwrap().company_id;
    let first = h
        .store
        .queue_dataset(connection, DataType::Payments)
        .await
        .unwrap();
    assert_eq!(first.company_id, company_id);
    h.store
        .claim_next_dataset("w", LEASE)
        .await
        .unwrap()
        .unwrap();

    let err = h
        .store
        .set_dataset_status(first.id, "w", DatasetStatus::Complete)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidTransition { .. }), "{err}");
    let err = h
        .store
        .finish_dataset(first.id, "w", DatasetStatus::Fetching, None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidTransition { .. }), "{err}");

    let done = h
        .store
        .finish_dataset(first.id, "w", DatasetStatus::Complete, None)
        .await
        .unwrap();
    assert_eq!(done.status, DatasetStatus::Complete);
    assert!(done.completed.is_some() && done.lease_owner.is_none());
    assert!(done.status.is_completed() && !done.status.is_errored());

    let second = h
        .store
        .queue_dataset(connection, DataType::Payments)
        .await
        .unwrap();
    h.store
        .claim_next_dataset("w", LEASE)
        .await
        .unwrap()
        .unwrap();
    let failed = h
        .store
        .finish_dataset(
            second.id,
            "w",
            DatasetStatus::RateLimitError,
            Some("429 from platform"),
        )
        .await
        .unwrap();
    assert_eq!(failed.error_message.as_deref(), Some("429 from platform"));
    assert!(failed.status.is_errored());

    let orders = h
        .store
        .queue_dataset(connection, DataType::Orders)
        .await
        .unwrap();
    let statuses = h.store.data_statuses(connection).await.unwrap();
    let payments = &statuses[&DataType::Payments];
    assert_eq!(payments.current_status, DatasetStatus::RateLimitError);
    assert_eq!(payments.latest_sync_id, second.id);
    assert_eq!(payments.latest_successful_sync_id, Some(first.id));
    assert_eq!(payments.last_successful_sync, done.completed);
    let orders_status = &statuses[&DataType::Orders];
    assert_eq!(orders_status.current_status, DatasetStatus::Queued);
    assert_eq!(orders_status.latest_successful_sync_id, None);
    assert_eq!(statuses.len(), 2);
    // The one-type read with the connection (every data request, one statement) agrees with the
    // whole map, and knows nothing of a type never queued.
    for data_type in [DataType::Payments, DataType::Orders] {
        let (found, status) = h
            .store
            .connection_and_status(company_id, connection, data_type)
            .await
            .unwrap();
        assert_eq!(found.id, connection);
        assert_eq!(status.as_ref(), statuses.get(&data_type));
    }
    let (_, status) = h
        .store
        .connection_and_status(company_id, connection, DataType::Customers)
        .await
        .unwrap();
    assert_eq!(status, None);
    // Only through its own company.
    let other = h
        .store
        .create_company(&commerce_store::NewCompany::named("Other"))
        .await
        .unwrap();
    for (company, connection) in [(other.id, connection), (company_id, Uuid::new_v4())] {
        let err = h
            .store
            .connection_and_status(company, connection, DataType::Payments)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotFound {
                    entity: "connection",
                    ..
                }
            ),
            "{err}"
        );
    }

    let cancelled = h.store.cancel_dataset(orders.id).await.unwrap();
    assert_eq!(cancelled.status, DatasetStatus::Cancelled);
    assert!(h
        .store
        .cancel_dataset(orders.id)
        .await
        .unwrap_err()
        .is_conflict());

    let (history, total) = h.store.list_datasets(company_id, 0, 2).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        history.iter().map(|d| d.id).collect::<Vec<_>>(),
        [orders.id, second.id]
    );
    assert!(matches!(
        h.store.get_dataset(Uuid::new_v4()).await,
        Err(StoreError::NotFound { .. })
    ));
}
