//! The merchant revokes access in the middle of a sync: the connection ends `Deauthorized`,
//! the interrupted datasets `AuthError`, the engine does not fail, and what was stored is
//! exactly the mapping of the objects read (no partial or corrupt record).

use std::time::Duration;

use commerce_store::{ConnectionStatus, DatasetStatus};
use commerce_stripe::SUPPORTED_DATA_TYPES;
use stripe_sandbox::FaultRates;

use super::{link, sandbox, snapshot, supported_statuses};
use crate::sync_support::{connection_status, wait_until, Kind, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_deauthorizing_mid_sync_ends_in_auth_error() {
    deauthorizing_mid_sync_ends_in_auth_error(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_deauthorizing_mid_sync_ends_in_auth_error() {
    deauthorizing_mid_sync_ends_in_auth_error(Kind::Postgres).await;
}

async fn deauthorizing_mid_sync_ends_in_auth_error(kind: Kind) {
    let env = sandbox(300, |_| {}).await;
    let account = env.account().to_owned();
    let expected = env.expected_all(&account).await;
    // Every response now takes 20 ms, so the sync is still running when access is revoked.
    let mut rates = FaultRates::default();
    rates.slow = 1.0;
    rates.slow_delay = Duration::from_millis(20);
    env.sandbox.set_fault_rates(rates).unwrap();

    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let conn = link(&store, &account).await;
    let engine = env.engine(store.clone(), env.platform(2, 1000));
    engine.queue_all(conn).await.unwrap();
    let running = tokio::spawn({
        let engine = engine.clone();
        async move { engine.run_until_idle().await }
    });

    wait_until("some pages are committed", || async {
        let mut pages = 0;
        for (_, status) in store.data_statuses(conn).await.unwrap() {
            pages += store
                .get_dataset(status.latest_sync_id)
                .await
                .unwrap()
                .pages;
        }
        pages >= 3
    })
    .await;
    env.sandbox.deauthorize(&account).unwrap();
    let summary = running.await.unwrap().expect("the engine does not fail");
    assert!(!summary.outcomes.is_empty());

    assert_eq!(
        connection_status(&store, conn).await,
        ConnectionStatus::Deauthorized
    );
    let connection = store.get_connection(conn).await.unwrap();
    assert!(connection.last_error.is_some(), "{connection:?}");
    let statuses = supported_statuses(&store, conn).await;
    assert_eq!(statuses.len(), SUPPORTED_DATA_TYPES.len());
    assert!(
        statuses
            .values()
            .all(|status| matches!(status, DatasetStatus::Complete | DatasetStatus::AuthError)),
        "{statuses:?}"
    );
    let interrupted: Vec<_> = statuses
        .iter()
        .filter(|(_, status)| **status == DatasetStatus::AuthError)
        .collect();
    assert!(!interrupted.is_empty(), "{statuses:?}");
    for (data_type, _) in &interrupted {
        let latest = store.data_statuses(conn).await.unwrap()[data_type].latest_sync_id;
        let dataset = store.get_dataset(latest).await.unwrap();
        assert!(dataset.lease_owner.is_none() && dataset.completed.is_some());
        assert!(dataset.error_message.is_some(), "{dataset:?}");
    }

    // No partial corruption: every stored record is exactly the mapping of its object; the
    // types that completed are complete.
    let stored = snapshot(&store, conn).await;
    for (data_type, records) in &stored {
        for (id, json) in records {
            assert_eq!(
                Some(json),
                expected[data_type].get(id),
                "{data_type:?} {id}"
            );
        }
        if statuses[data_type] == DatasetStatus::Complete {
            assert_eq!(records, &expected[data_type], "{data_type:?}");
        }
    }

    // Queueing again is refused until the connection is linked again.
    let refused = engine.queue_all(conn).await.unwrap_err();
    assert!(refused.is_conflict(), "{refused}");
}
