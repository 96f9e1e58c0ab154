//! The engine against the fake platform: full and incremental syncs, crash and shutdown
//! resumption, error statuses, conflicts, issues, deauthorization, and two worker pools.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use commerce_model::platform::LinkedAccount;
use commerce_model::DataType;
use commerce_store::{ConnectionStatus, DatasetStatus, Store};
use commerce_sync::{DatasetOutcome, Schedule, SyncEvent};
use secrecy::SecretString;
use uuid::Uuid;

use crate::fake::{record, FakePlatform, Fault, Served, SUPPORTED};
use crate::support::{
    config, connection_status, engine, linked_connection, statuses, stored, wait_until, Kind,
    TestDb,
};

use DataType::{Customers, Disputes, Payments, Products, Transactions};

/// Each test runs once on SQLite and once on PostgreSQL.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::support::Kind::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::support::Kind::Postgres).await;
                }
            )*
        }
    };
}

on_both_engines!(
    full_sync_stores_exactly_what_the_platform_produced,
    incremental_sync_applies_changes_and_deletions_only,
    restart_after_a_crash_resumes_from_the_last_committed_page,
    graceful_shutdown_releases_the_dataset_to_the_next_worker,
    platform_errors_end_in_codat_statuses_and_rate_limits_are_retried,
    schedule_requeues_by_per_type_interval,
    queueing_a_type_in_progress_is_a_conflict,
    bad_records_become_issues_and_the_rest_goes_on,
    deauthorization_mid_sync_ends_deauthorized_without_corruption,
    expired_cursor_restarts_a_full_pull,
    two_engines_share_datasets_without_loss_or_duplication,
    expired_access_is_refreshed_stored_and_the_pull_goes_on,
    expired_access_without_refresh_means_linking_again,
);

fn whats(log: &[Served], data_type: DataType) -> Vec<String> {
    log.iter()
        .filter(|served| served.data_type == data_type)
        .map(|served| served.what.clone())
        .collect()
}

async fn dataset_of(
    store: &Store,
    connection_id: Uuid,
    data_type: DataType,
) -> commerce_store::Dataset {
    let status = store.data_statuses(connection_id).await.unwrap();
    store
        .get_dataset(status[&data_type].latest_sync_id)
        .await
        .unwrap()
}

async fn cursor_of(store: &Store, connection_id: Uuid, data_type: DataType) -> Option<String> {
    store
        .get_cursor(connection_id, data_type)
        .await
        .unwrap()
        .and_then(|cursor| cursor.cursor)
}

async fn full_sync_stores_exactly_what_the_platform_produced(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let fake = Arc::new(FakePlatform::new(3));
    fake.seed("acct_1", Customers, 7);
    fake.seed("acct_1", Payments, 10);
    // Products: supported, but the account has none.
    let conn = linked_connection(&store, "acct_1").await;
    let engine = engine(store.clone(), &fake, config("a"));
    let mut events = engine.subscribe();

    let queued = engine.queue_all(conn).await.unwrap();
    assert_eq!(queued.queued.len(), SUPPORTED.len());
    assert!(queued.in_progress.is_empty());
    // Unsupported types end at once, without a worker.
    assert_eq!(
        queued.not_supported.len(),
        DataType::ALL.len() - SUPPORTED.len()
    );
    assert!(queued
        .not_supported
        .iter()
        .all(|dataset| dataset.status == DatasetStatus::NotSupported
            && dataset.completed.is_some()
            && !SUPPORTED.contains(&dataset.data_type)));
    let summary = engine.run_until_idle().await.unwrap();
    assert_eq!(summary.outcomes.len(), SUPPORTED.len());

    let statuses = statuses(&store, conn).await;
    for data_type in DataType::ALL {
        let expected = if SUPPORTED.contains(data_type) {
            DatasetStatus::Complete
        } else {
            DatasetStatus::NotSupported
        };
        assert_eq!(statuses[data_type], expected, "{data_type:?}");
    }
    for data_type in SUPPORTED {
        let stored = stored(&store, conn, data_type).await;
        assert_eq!(stored, fake.live("acct_1", data_type), "{data_type:?}");
    }
    assert_eq!(stored(&store, conn, Customers).await.len(), 7);

    let customers = dataset_of(&store, conn, Customers).await;
    assert_eq!((customers.pages, customers.records), (3, 7));
    assert!(customers.completed.is_some());
    assert_eq!(customers.error_message, None);
    let products = dataset_of(&store, conn, Products).await;
    assert_eq!((products.pages, products.records), (1, 0));
    let orders = dataset_of(&store, conn, DataType::Orders).await;
    assert!(orders.error_message.unwrap().contains("not supported"));
    // The platform was never asked for a type it does not support, nor for a page twice.
    let log = fake.log();
    assert!(log
        .iter()
        .all(|served| SUPPORTED.contains(&served.data_type)));
    assert_eq!(whats(&log, Customers), ["full:1", "full:2", "full:3"]);
    // The next pull starts from the change feed.
    assert_eq!(
        cursor_of(&store, conn, Customers).await.as_deref(),
        Some("inc:0")
    );
    assert!(
        store
            .get_cursor(conn, Customers)
            .await
            .unwrap()
            .unwrap()
            .backfill_complete
    );

    let mut customer_pages = Vec::new();
    let mut finished = BTreeMap::new();
    while let Ok(event) = events.try_recv() {
        match event {
            SyncEvent::Page {
                data_type: Customers,
                pages,
                records,
                fetched,
                estimated_total,
                ..
            } => {
                customer_pages.push((pages, records, fetched, estimated_total));
            }
            SyncEvent::Finished {
                data_type, status, ..
            } => {
                finished.insert(data_type, status);
            }
            _ => {}
        }
    }
    assert_eq!(
        customer_pages,
        [(1, 3, 3, Some(7)), (2, 6, 6, Some(7)), (3, 7, 7, Some(7))]
    );
    assert_eq!(finished.len(), DataType::ALL.len());
    assert_eq!(finished[&Customers], DatasetStatus::Complete);
}

async fn incremental_sync_applies_changes_and_deletions_only(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let fake = Arc::new(FakePlatform::new(2));
    fake.seed("acct_1", Customers, 5);
    let conn = linked_connection(&store, "acct_1").await;
    let engine = engine(store.clone(), &fake, config("a"));
    engine.queue(conn, Customers).await.unwrap();
    engine.run_until_idle().await.unwrap();
    let untouched_before = store
        .get_record(conn, Customers, "commerce-customers-0000")
        .await
        .unwrap();

    fake.clear_log();
    fake.upsert(
        "acct_1",
        Customers,
        record(Customers, "commerce-customers-0001", 2),
    );
    fake.upsert("acct_1", Customers, record(Customers, "new-customer", 1));
    fake.delete("acct_1", Customers, "commerce-customers-0003");
    let dataset = engine.queue(conn, Customers).await.unwrap();
    let summary = engine.run_until_idle().await.unwrap();
    assert_eq!(summary.status_of(dataset.id), Some(DatasetStatus::Complete));

    assert_eq!(
        stored(&store, conn, Customers).await,
        fake.live("acct_1", Customers)
    );
    let log = fake.log();
    assert!(log
        .iter()
        .all(|served| served.pull_cursor.as_deref() == Some("inc:0")));
    assert_eq!(whats(&log, Customers), ["inc:0-2", "inc:2-3"]);
    let deleted = store
        .get_record(conn, Customers, "commerce-customers-0003")
        .await
        .unwrap();
    assert!(deleted.deleted);
    let changed = store
        .get_record(conn, Customers, "commerce-customers-0001")
        .await
        .unwrap();
    assert_eq!(changed.data["version"], 2);
    let untouched = store
        .get_record(conn, Customers, "commerce-customers-0000")
        .await
        .unwrap();
    assert_eq!(untouched.modified_date, untouched_before.modified_date);
    let dataset = store.get_dataset(dataset.id).await.unwrap();
    assert_eq!((dataset.pages, dataset.records), (2, 3));

    // Nothing changed: one empty page of the feed, nothing else.
    fake.clear_log();
    engine.queue(conn, Customers).await.unwrap();
    engine.run_until_idle().await.unwrap();
    assert_eq!(whats(&fake.log(), Customers), ["inc:3-3"]);
    assert_eq!(
        stored(&store, conn, Customers).await,
        fake.live("acct_1", Customers)
    );
}

async fn restart_after_a_crash_resumes_from_the_last_committed_page(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let fake = Arc::new(FakePlatform::new(2));
    fake.seed("acct_1", Customers, 20);
    fake.fault(Customers, 5, Fault::Hang);
    let conn = linked_connection(&store, "acct_1").await;
    let lease = Duration::from_millis(800);
    let first = engine(
        store.clone(),
        &fake,
        config("first").with_lease(lease).with_workers(1),
    );
    let dataset = first.queue(conn, Customers).await.unwrap();

    let running = {
        let first = first.clone();
        tokio::spawn(async move { first.run_until_idle().await })
    };
    wait_until("page 4 is committed and page 5 requested", || async {
        store.get_dataset(dataset.id).await.unwrap().pages == 4
            && fake.log().iter().any(|served| served.what == "error:Hang")
    })
    .await;
    // The hung worker keeps renewing its lease.
    tokio::time::sleep(lease * 2).await;
    assert_eq!(
        store
            .get_dataset(dataset.id)
            .await
            .unwrap()
            .lease_owner
            .as_deref(),
        Some("first-0")
    );
    // Crash: the process dies without any clean-up.
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());
    drop(first);
    store.close().await;

    let store = db.store().await;
    assert_eq!(
        cursor_of(&store, conn, Customers).await.as_deref(),
        Some("full:4")
    );
    let second = engine(store.clone(), &fake, config("second").with_lease(lease));
    fake.clear_log();
    // Until the dead worker's lease expires nobody takes the dataset...
    wait_until("the dead worker's lease expires", || async {
        store
            .get_dataset(dataset.id)
            .await
            .unwrap()
            .lease_expires_at
            .unwrap()
            < chrono::Utc::now()
    })
    .await;
    // ...then the next worker resumes it from the last committed page.
    let summary = second.run_until_idle().await.unwrap();
    assert_eq!(summary.status_of(dataset.id), Some(DatasetStatus::Complete));
    let log = fake.log();
    assert!(log
        .iter()
        .all(|served| served.pull_cursor.as_deref() == Some("full:4")));
    assert_eq!(
        whats(&log, Customers),
        ["full:5", "full:6", "full:7", "full:8", "full:9", "full:10"]
    );
    assert_eq!(
        stored(&store, conn, Customers).await,
        fake.live("acct_1", Customers)
    );
    let dataset = store.get_dataset(dataset.id).await.unwrap();
    assert_eq!((dataset.pages, dataset.records), (10, 20));
    assert_eq!(dataset.status, DatasetStatus::Complete);
}

async fn graceful_shutdown_releases_the_dataset_to_the_next_worker(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let fake = Arc::new(FakePlatform::new(2));
    fake.seed("acct_1", Customers, 10);
    fake.fault(Customers, 3, Fault::Hang);
    let conn = linked_connection(&store, "acct_1").await;
    // A long lease: only an explicit release lets the next worker in at once.
    let first = engine(
        store.clone(),
        &fake,
        config("first").with_lease(Duration::from_secs(600)),
    );
    let mut events = first.subscribe();
    let dataset = first.queue(conn, Customers).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = {
        let first = first.clone();
        tokio::spawn(async move {
            first
                .run(async move {
                    let _ = stopped.await;
                })
                .await
        })
    };
    wait_until("page 2 is committed and page 3 requested", || async {
        store.get_dataset(dataset.id).await.unwrap().pages == 2
            && fake.log().iter().any(|served| served.what == "error:Hang")
    })
    .await;
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("run stops promptly")
        .unwrap()
        .unwrap();
    let mut released = false;
    while let Ok(event) = events.try_recv() {
        if let SyncEvent::Released { dataset_id, .. } = event {
            released |= dataset_id == dataset.id;
        }
    }
    assert!(released);
    assert!(store
        .get_dataset(dataset.id)
        .await
        .unwrap()
        .status
        .is_in_progress());

    fake.clear_log();
    let second = engine(store.clone(), &fake, config("second"));
    let summary = second.run_until_idle().await.unwrap();
    assert_eq!(summary.status_of(dataset.id), Some(DatasetStatus::Complete));
    assert_eq!(
        whats(&fake.log(), Customers),
        ["full:3", "full:4", "full:5"]
    );
    assert_eq!(
        stored(&store, conn, Customers).await,
        fake.live("acct_1", Customers)
    );
}

async fn platform_errors_end_in_codat_statuses_and_rate_limits_are_retried(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let types = [Customers, Payments, Products, Disputes, Transactions];
    let fake = Arc::new(FakePlatform::new(2).with_supports(&types));
    for data_type in types {
        fake.seed("acct_1", data_type, 4);
    }
    fake.fault(Customers, 2, Fault::RateLimited);
    fake.fault(Payments, 1, Fault::Internal);
    fake.fault(Products, 1, Fault::PermissionDenied);
    fake.fault(Disputes, 1, Fault::Unavailable);
    let conn = linked_connection(&store, "acct_1").await;
    let engine = engine(store.clone(), &fake, config("a"));
    engine.queue_all(conn).await.unwrap();
    engine.run_until_idle().await.unwrap();

    let statuses = statuses(&store, conn).await;
    assert_eq!(statuses[&Customers], DatasetStatus::RateLimitError);
    assert_eq!(statuses[&Payments], DatasetStatus::InternalError);
    assert_eq!(statuses[&Products], DatasetStatus::PermissionsError);
    assert_eq!(statuses[&Disputes], DatasetStatus::FetchError);
    assert_eq!(statuses[&Transactions], DatasetStatus::Complete);
    assert_eq!(statuses[&DataType::Orders], DatasetStatus::NotSupported);
    let customers = dataset_of(&store, conn, Customers).await;
    assert!(customers
        .error_message
        .unwrap()
        .contains("429 after retries"));
    assert!(dataset_of(&store, conn, Payments)
        .await
        .error_message
        .unwrap()
        .contains("unexpected answer"));
    assert_eq!(
        connection_status(&store, conn).await,
        ConnectionStatus::Linked
    );
    // What was committed before the rate limit stays, with its cursor.
    assert_eq!(stored(&store, conn, Customers).await.len(), 2);
    assert_eq!(
        cursor_of(&store, conn, Customers).await.as_deref(),
        Some("full:1")
    );

    // The schedule retries only the rate-limited type (after rate_limit_retry); the other
    // failures wait for their normal interval.
    let mut schedule = Schedule::default();
    schedule.rate_limit_retry = Duration::ZERO;
    let retrying =
        crate::support::engine(store.clone(), &fake, config("b").with_schedule(schedule));
    let queued = retrying.schedule_due().await.unwrap();
    assert_eq!(
        queued
            .iter()
            .map(|dataset| dataset.data_type)
            .collect::<Vec<_>>(),
        [Customers]
    );
    fake.clear_log();
    retrying.run_until_idle().await.unwrap();
    assert_eq!(
        statuses_of(&store, conn, Customers).await,
        DatasetStatus::Complete
    );
    assert_eq!(whats(&fake.log(), Customers), ["full:2"]);
    assert_eq!(
        stored(&store, conn, Customers).await,
        fake.live("acct_1", Customers)
    );
}

async fn statuses_of(store: &Store, conn: Uuid, data_type: DataType) -> DatasetStatus {
    statuses(store, conn).await[&data_type]
}

async fn schedule_requeues_by_per_type_interval(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let fake = Arc::new(FakePlatform::new(5));
    fake.seed("acct_1", Payments, 3);
    let conn = linked_connection(&store, "acct_1").await;
    let schedule = Schedule::default().with_interval(Payments, Duration::ZERO);
    assert_eq!(schedule.interval(Customers), Duration::from_secs(24 * 3600));
    let engine = engine(store.clone(), &fake, config("a").with_schedule(schedule));

    // Never synced: everything is due; unsupported types end NotSupported at once.
    let first = engine.schedule_due().await.unwrap();
    assert_eq!(first.len(), SUPPORTED.len());
    let now = statuses(&store, conn).await;
    assert_eq!(now.len(), DataType::ALL.len());
    for (data_type, status) in now {
        if !SUPPORTED.contains(&data_type) {
            assert_eq!(status, DatasetStatus::NotSupported, "{data_type:?}");
        }
    }
    assert!(
        engine.schedule_due().await.unwrap().is_empty(),
        "queued types are not queued twice"
    );
    engine.run_until_idle().await.unwrap();

    // Synced: only the type whose interval has passed, not NotSupported ones.
    let later_conn = linked_connection(&store, "acct_2").await;
    let again = engine.schedule_due().await.unwrap();
    let mine: Vec<DataType> = again
        .iter()
        .filter(|dataset| dataset.connection_id == conn)
        .map(|dataset| dataset.data_type)
        .collect();
    assert_eq!(mine, [Payments]);
    assert_eq!(
        again
            .iter()
            .filter(|dataset| dataset.connection_id == later_conn)
            .count(),
        SUPPORTED.len()
    );
    // Connections that are not Linked are not scheduled.
    engine.run_until_idle().await.unwrap();
    store
        .set_connection_status(conn, ConnectionStatus::Deauthorized, Some("revoked"))
        .await
        .unwrap();
    let after = engine.schedule_due().await.unwrap();
    assert!(after.iter().all(|dataset| dataset.connection_id != conn));
}

async fn queueing_a_type_in_progress_is_a_conflict(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let fake = Arc::new(FakePlatform::new(2));
    fake.seed("acct_1", Customers, 3);
    let conn = linked_connection(&store, "acct_1").await;
    let engine = engine(store.clone(), &fake, config("a"));

    let first = engine.queue(conn, Customers).await.unwrap();
    assert_eq!(first.status, DatasetStatus::Queued);
    let error = engine.queue(conn, Customers).await.unwrap_err();
    assert!(error.is_conflict(), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("still in progress") && message.contains(&first.id.to_string()),
        "{message}"
    );
    let all = engine.queue_all(conn).await.unwrap();
    assert_eq!(
        all.in_progress
            .iter()
            .map(|dataset| dataset.id)
            .collect::<Vec<_>>(),
        [first.id]
    );
    assert_eq!(all.queued.len(), SUPPORTED.len() - 1);

    engine.run_until_idle().await.unwrap();
    let again = engine.queue(conn, Customers).await.unwrap();
    assert_ne!(again.id, first.id);
    engine.run_until_idle().await.unwrap();

    let missing = engine.queue(Uuid::new_v4(), Customers).await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    store
        .set_connection_status(conn, ConnectionStatus::Unlinked, None)
        .await
        .unwrap();
    let unlinked = engine.queue(conn, Customers).await.unwrap_err();
    assert!(unlinked.is_conflict());
    assert!(unlinked.to_string().contains("Unlinked"), "{unlinked}");
}

async fn bad_records_become_issues_and_the_rest_goes_on(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let fake = Arc::new(FakePlatform::new(2));
    fake.seed("acct_1", Customers, 6);
    fake.fault(Customers, 2, Fault::BadRecord);
    fake.fault(Customers, 3, Fault::IssueInBatch);
    let conn = linked_connection(&store, "acct_1").await;
    let engine = engine(store.clone(), &fake, config("a"));
    let dataset = engine.queue(conn, Customers).await.unwrap();
    let summary = engine.run_until_idle().await.unwrap();

    assert_eq!(summary.status_of(dataset.id), Some(DatasetStatus::Complete));
    assert_eq!(
        stored(&store, conn, Customers).await,
        fake.live("acct_1", Customers)
    );
    let issues: Vec<(Option<String>, String)> = store
        .dataset_issues(dataset.id)
        .await
        .unwrap()
        .into_iter()
        .map(|issue| (issue.record_id, issue.message))
        .collect();
    assert_eq!(
        issues,
        [
            (
                Some("bad-2".to_owned()),
                "missing field `currency`".to_owned()
            ),
            (Some("issue-3".to_owned()), "unknown status".to_owned()),
        ]
    );
    assert_eq!(store.get_dataset(dataset.id).await.unwrap().pages, 3);
}

async fn deauthorization_mid_sync_ends_deauthorized_without_corruption(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let fake = Arc::new(FakePlatform::new(2));
    fake.seed("acct_1", Customers, 8);
    fake.seed("acct_1", Payments, 2);
    fake.fault(Customers, 3, Fault::Relink);
    let conn = linked_connection(&store, "acct_1").await;
    let engine = engine(store.clone(), &fake, config("a"));
    let dataset = engine.queue(conn, Customers).await.unwrap();
    let summary = engine.run_until_idle().await.unwrap();

    assert_eq!(
        summary.status_of(dataset.id),
        Some(DatasetStatus::AuthError)
    );
    let connection = store.get_connection(conn).await.unwrap();
    assert_eq!(connection.status, ConnectionStatus::Deauthorized);
    assert!(connection.last_error.unwrap().contains("access revoked"));
    assert!(store
        .get_dataset(dataset.id)
        .await
        .unwrap()
        .error_message
        .unwrap()
        .contains("access revoked"));
    // The two committed pages are intact, with their cursor; nothing else was written.
    let customers = stored(&store, conn, Customers).await;
    let live = fake.live("acct_1", Customers);
    assert_eq!(
        customers,
        live.iter()
            .take(4)
            .map(|(id, json)| (id.clone(), json.clone()))
            .collect()
    );
    assert_eq!(
        cursor_of(&store, conn, Customers).await.as_deref(),
        Some("full:2")
    );

    // A dataset queued before the deauthorization ends AuthError without calling the platform;
    // new ones cannot be queued.
    fake.clear_log();
    let stale = store.queue_dataset(conn, Payments).await.unwrap();
    let summary = engine.run_until_idle().await.unwrap();
    assert_eq!(summary.status_of(stale.id), Some(DatasetStatus::AuthError));
    assert!(fake.log().is_empty());
    assert!(engine
        .queue(conn, Payments)
        .await
        .unwrap_err()
        .is_conflict());

    // Nothing is scheduled while deauthorized; once linked again, the schedule queues the
    // failed types at once and the pull resumes where it stopped.
    assert!(engine.schedule_due().await.unwrap().is_empty());
    store
        .link_connection(conn, &{
            let mut account = LinkedAccount::new("acct_1", false);
            account.access_token = Some(SecretString::from("token-2"));
            account
        })
        .await
        .unwrap();
    let due = engine.schedule_due().await.unwrap();
    let resumed = due
        .iter()
        .find(|dataset| dataset.data_type == Customers)
        .unwrap()
        .clone();
    assert!(due.iter().any(|dataset| dataset.data_type == Payments));
    let summary = engine.run_until_idle().await.unwrap();
    assert_eq!(summary.status_of(resumed.id), Some(DatasetStatus::Complete));
    assert_eq!(
        statuses(&store, conn).await[&Payments],
        DatasetStatus::Complete
    );
    assert_eq!(whats(&fake.log(), Customers), ["full:3", "full:4"]);
    assert_eq!(stored(&store, conn, Customers).await, live);
}

async fn expired_cursor_restarts_a_full_pull(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let fake = Arc::new(FakePlatform::new(2));
    fake.seed("acct_1", Customers, 4);
    let conn = linked_connection(&store, "acct_1").await;
    let engine = engine(store.clone(), &fake, config("a"));
    engine.queue(conn, Customers).await.unwrap();
    engine.run_until_idle().await.unwrap();

    fake.upsert(
        "acct_1",
        Customers,
        record(Customers, "commerce-customers-0002", 7),
    );
    // Gone at the source while its deletion event fell out of the feed.
    fake.delete_unrecorded("acct_1", Customers, "commerce-customers-0003");
    fake.expire_cursors(true);
    fake.clear_log();
    let dataset = engine.queue(conn, Customers).await.unwrap();
    let summary = engine.run_until_idle().await.unwrap();
    assert_eq!(summary.status_of(dataset.id), Some(DatasetStatus::Complete));
    let log = fake.log();
    assert_eq!(
        whats(&log, Customers),
        ["error:CursorExpired", "full:1", "full:2"]
    );
    assert_eq!(log[0].pull_cursor.as_deref(), Some("inc:0"));
    assert!(log[1..].iter().all(|served| served.pull_cursor.is_none()));
    assert_eq!(
        stored(&store, conn, Customers).await,
        fake.live("acct_1", Customers)
    );
    // Mark and sweep: the record the full re-pull did not see is soft-deleted; the others
    // (unchanged) were not rewritten.
    assert_eq!(stored(&store, conn, Customers).await.len(), 3);
    let gone = store
        .get_record(conn, Customers, "commerce-customers-0003")
        .await
        .unwrap();
    assert!(gone.deleted);
    let kept = store
        .get_record(conn, Customers, "commerce-customers-0001")
        .await
        .unwrap();
    assert!(!kept.deleted && kept.modified_date < gone.modified_date);
    assert_eq!(
        cursor_of(&store, conn, Customers).await.as_deref(),
        Some("inc:1")
    );
}

async fn two_engines_share_datasets_without_loss_or_duplication(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store_a = db.store().await;
    let store_b = db.store().await;
    let fake = Arc::new(FakePlatform::new(2).with_page_delay(Duration::from_millis(3)));
    let accounts: Vec<String> = (0..6).map(|i| format!("acct_{i}")).collect();
    let mut connections = Vec::new();
    let mut queued = BTreeSet::new();
    let engine_a = engine(store_a.clone(), &fake, config("a").with_workers(3));
    let engine_b = engine(store_b.clone(), &fake, config("b").with_workers(3));
    for account in &accounts {
        for data_type in SUPPORTED {
            fake.seed(account, data_type, 6);
        }
        let conn = linked_connection(&store_a, account).await;
        connections.push((conn, account.clone()));
        queued.extend(
            engine_a
                .queue_all(conn)
                .await
                .unwrap()
                .queued
                .into_iter()
                .map(|dataset| dataset.id),
        );
    }
    assert_eq!(queued.len(), accounts.len() * SUPPORTED.len());

    let (a, b) = tokio::join!(engine_a.run_until_idle(), engine_b.run_until_idle());
    let (a, b) = (a.unwrap(), b.unwrap());
    let finished = |outcomes: &[DatasetOutcome]| -> Vec<Uuid> {
        outcomes
            .iter()
            .map(|outcome| match outcome {
                DatasetOutcome::Finished { dataset_id, .. } => *dataset_id,
                other => panic!("unexpected outcome {other:?}"),
            })
            .collect()
    };
    let (done_a, done_b) = (finished(&a.outcomes), finished(&b.outcomes));
    assert!(
        !done_a.is_empty() && !done_b.is_empty(),
        "both pools worked: {} / {}",
        done_a.len(),
        done_b.len()
    );
    let mut all: Vec<Uuid> = done_a.iter().chain(&done_b).copied().collect();
    all.sort();
    let unique: BTreeSet<Uuid> = all.iter().copied().collect();
    assert_eq!(all.len(), unique.len(), "no dataset done twice");
    assert_eq!(unique, queued, "no dataset lost");

    // Every page was fetched exactly once, and every account's data is stored.
    let log = fake.log();
    let pages: BTreeSet<(String, DataType, String)> = log
        .iter()
        .map(|served| {
            (
                served.account.clone(),
                served.data_type,
                served.what.clone(),
            )
        })
        .collect();
    assert_eq!(pages.len(), log.len(), "no page fetched twice");
    assert_eq!(log.len(), accounts.len() * SUPPORTED.len() * 3);
    for (conn, account) in &connections {
        for data_type in SUPPORTED {
            assert_eq!(
                stored(&store_a, *conn, data_type).await,
                fake.live(account, data_type)
            );
        }
        assert!(statuses(&store_a, *conn)
            .await
            .values()
            .all(|status| matches!(
                status,
                DatasetStatus::Complete | DatasetStatus::NotSupported
            )));
    }
}

async fn expired_access_is_refreshed_stored_and_the_pull_goes_on(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let fake = Arc::new(FakePlatform::new(2).with_refresh());
    fake.seed("acct_1", Customers, 6);
    fake.fault(Customers, 2, Fault::AccessExpired);
    let conn = linked_connection(&store, "acct_1").await;
    let engine = engine(store.clone(), &fake, config("a"));
    let dataset = engine.queue(conn, Customers).await.unwrap();
    let summary = engine.run_until_idle().await.unwrap();

    assert_eq!(summary.status_of(dataset.id), Some(DatasetStatus::Complete));
    assert_eq!(fake.refreshes(), Some(1));
    // The first pull used the linked token; after the refresh the pull went on from its cursor
    // with the new one.
    assert_eq!(fake.tokens(), ["token-acct_1", "refreshed-1"]);
    assert_eq!(
        whats(&fake.log(), Customers),
        ["full:1", "error:AccessExpired", "full:2", "full:3"]
    );
    // The refreshed credentials were stored before use.
    let stored_account = store.linked_account(conn).await.unwrap().unwrap();
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(stored_account.account.access_token.as_ref().unwrap()),
        "refreshed-1"
    );
    assert_eq!(
        store.get_connection(conn).await.unwrap().status,
        ConnectionStatus::Linked
    );
    assert_eq!(
        stored(&store, conn, Customers).await,
        fake.live("acct_1", Customers)
    );
}

async fn expired_access_without_refresh_means_linking_again(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let fake = Arc::new(FakePlatform::new(2));
    fake.seed("acct_1", Customers, 4);
    fake.fault(Customers, 1, Fault::AccessExpired);
    let conn = linked_connection(&store, "acct_1").await;
    let engine = engine(store.clone(), &fake, config("a"));
    let dataset = engine.queue(conn, Customers).await.unwrap();
    let summary = engine.run_until_idle().await.unwrap();

    assert_eq!(
        summary.status_of(dataset.id),
        Some(DatasetStatus::AuthError)
    );
    assert_eq!(fake.refreshes(), None);
    let connection = store.get_connection(conn).await.unwrap();
    assert_eq!(connection.status, ConnectionStatus::Deauthorized);
    assert!(
        connection
            .last_error
            .as_deref()
            .unwrap()
            .contains("cannot refresh"),
        "{connection:?}"
    );
}
