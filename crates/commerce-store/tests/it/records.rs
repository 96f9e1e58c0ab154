//! Upserts, soft deletes, page writes and paging limits.

use std::time::Duration;

use commerce_model::DataType;
use commerce_store::{
    DatasetPage, NewCompany, PageWrite, RecordInput, RecordQuery, StoreError, SyncCursor,
    ValidationIssue,
};
use serde_json::json;
use uuid::Uuid;

use crate::harness::{both_engines, Harness};

both_engines!(
    upsert_is_idempotent,
    soft_delete_is_excluded_from_reads,
    write_page_is_atomic,
    counts_per_data_type,
    page_size_is_limited,
    totals_follow_every_write,
    full_pulls_mark_and_sweep,
);

pub(crate) async fn new_connection(h: &Harness) -> Uuid {
    let company = h
        .store
        .create_company(&NewCompany::named("Acme"))
        .await
        .unwrap();
    h.store
        .create_connection(company.id, "stripe-test")
        .await
        .unwrap()
        .id
}

fn customer(id: &str, name: &str) -> RecordInput {
    RecordInput::new(id, json!({"id": id, "customerName": name, "addresses": []}))
}

async fn ids(h: &Harness, connection: Uuid, data_type: DataType) -> Vec<String> {
    let page = h
        .store
        .query_records(connection, data_type, &RecordQuery::page(1, 5000))
        .await
        .unwrap();
    page.results
        .iter()
        .map(|record| record["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn upsert_is_idempotent(h: &Harness) {
    let connection = new_connection(h).await;
    let customers = DataType::Customers;
    let summary = h
        .store
        .upsert_records(
            connection,
            customers,
            vec![customer("c1", "Ann"), customer("c2", "Bob")],
        )
        .await
        .unwrap();
    assert_eq!((summary.changed, summary.unchanged), (2, 0));
    let first = h
        .store
        .get_record(connection, customers, "c1")
        .await
        .unwrap();
    assert_eq!(
        first.data["modifiedDate"].as_str().unwrap().len(),
        24,
        "{}",
        first.data
    );
    assert_eq!(first.data["customerName"], "Ann");

    tokio::time::sleep(Duration::from_millis(5)).await;
    // Same content, keys in another order: nothing changes.
    let same = RecordInput::new(
        "c1",
        json!({"addresses": [], "customerName": "Ann", "id": "c1"}),
    );
    let summary = h
        .store
        .upsert_records(connection, customers, vec![same])
        .await
        .unwrap();
    assert_eq!((summary.changed, summary.unchanged), (0, 1));
    let again = h
        .store
        .get_record(connection, customers, "c1")
        .await
        .unwrap();
    assert_eq!(again.modified_date, first.modified_date);
    assert_eq!(again.data, first.data);
    assert_eq!(again.content_hash, first.content_hash);

    tokio::time::sleep(Duration::from_millis(5)).await;
    let summary = h
        .store
        .upsert_records(connection, customers, vec![customer("c1", "Anne")])
        .await
        .unwrap();
    assert_eq!((summary.changed, summary.unchanged), (1, 0));
    let changed = h
        .store
        .get_record(connection, customers, "c1")
        .await
        .unwrap();
    assert!(changed.modified_date > first.modified_date);
    assert_ne!(changed.content_hash, first.content_hash);
    assert_eq!(changed.data["customerName"], "Anne");
    assert_ne!(changed.data["modifiedDate"], first.data["modifiedDate"]);
    // The other record was not touched.
    let bob = h
        .store
        .get_record(connection, customers, "c2")
        .await
        .unwrap();
    assert_eq!(bob.modified_date, first.modified_date);

    // A duplicate id in one page keeps the last occurrence.
    h.store
        .upsert_records(
            connection,
            customers,
            vec![customer("c3", "x"), customer("c3", "y")],
        )
        .await
        .unwrap();
    let c3 = h
        .store
        .get_record(connection, customers, "c3")
        .await
        .unwrap();
    assert_eq!(c3.data["customerName"], "y");

    let err = h
        .store
        .upsert_records(
            connection,
            customers,
            vec![RecordInput::new("bad", json!([1]))],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidRecord { .. }), "{err}");
    assert!(matches!(
        h.store.get_record(connection, customers, "nope").await,
        Err(StoreError::NotFound {
            entity: "record",
            ..
        })
    ));
}

async fn soft_delete_is_excluded_from_reads(h: &Harness) {
    let connection = new_connection(h).await;
    let customers = DataType::Customers;
    h.store
        .upsert_records(
            connection,
            customers,
            vec![
                customer("c1", "Ann"),
                customer("c2", "Bob"),
                customer("c3", "Cy"),
            ],
        )
        .await
        .unwrap();
    let before = h
        .store
        .get_record(connection, customers, "c2")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let summary = h
        .store
        .delete_records(
            connection,
            customers,
            vec!["c2".to_owned(), "unknown".to_owned()],
        )
        .await
        .unwrap();
    assert_eq!(summary.deleted, 1);
    assert_eq!(ids(h, connection, customers).await, ["c1", "c3"]);
    let page = h
        .store
        .query_records(connection, customers, &RecordQuery::default())
        .await
        .unwrap();
    assert_eq!(page.total_results, 2);
    assert_eq!(
        h.store.count_records(connection).await.unwrap()[&customers],
        2
    );

    let deleted = h
        .store
        .get_record(connection, customers, "c2")
        .await
        .unwrap();
    assert!(deleted.deleted);
    assert!(deleted.modified_date > before.modified_date);
    assert_ne!(deleted.data["modifiedDate"], before.data["modifiedDate"]);
    // Deleting again changes nothing.
    let summary = h
        .store
        .delete_records(connection, customers, vec!["c2".to_owned()])
        .await
        .unwrap();
    assert_eq!(summary.deleted, 0);

    // Coming back (same content) undeletes it.
    let summary = h
        .store
        .upsert_records(connection, customers, vec![customer("c2", "Bob")])
        .await
        .unwrap();
    assert_eq!(summary.changed, 1);
    assert_eq!(ids(h, connection, customers).await, ["c1", "c2", "c3"]);
    assert!(
        !h.store
            .get_record(connection, customers, "c2")
            .await
            .unwrap()
            .deleted
    );
}

async fn write_page_is_atomic(h: &Harness) {
    let connection = new_connection(h).await;
    let payments = DataType::Payments;
    let dataset = h.store.queue_dataset(connection, payments).await.unwrap();
    let claimed = h
        .store
        .claim_next_dataset("worker-a", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, dataset.id);

    let mut first = PageWrite::new(connection, payments);
    first.records = vec![RecordInput::new(
        "p1",
        json!({"id": "p1", "totalAmount": 10}),
    )];
    first.cursor = Some(SyncCursor::new(Some("page-1".to_owned()), false, None));
    let mut dataset_page = DatasetPage::new(dataset.id, "worker-a");
    dataset_page.issues = vec![ValidationIssue::error("p0", "currency missing")];
    first.dataset = Some(dataset_page);
    h.store.write_page(&first).await.unwrap();

    // A page written by a worker that does not hold the lease fails as a whole: its
    // records, deletion, issues and cursor are all rolled back.
    let mut second = PageWrite::new(connection, payments);
    second.records = vec![
        RecordInput::new("p2", json!({"id": "p2", "totalAmount": 20})),
        RecordInput::new("p1", json!({"id": "p1", "totalAmount": 11})),
    ];
    second.deletions = vec!["p1".to_owned()];
    second.cursor = Some(SyncCursor::new(Some("page-2".to_owned()), true, None));
    let mut stolen = DatasetPage::new(dataset.id, "worker-b");
    stolen.issues = vec![ValidationIssue::error("p9", "never stored")];
    second.dataset = Some(stolen);
    let err = h.store.write_page(&second).await.unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost { .. }), "{err}");
    assert!(err.is_conflict());

    assert_eq!(ids(h, connection, payments).await, ["p1"]);
    let p1 = h
        .store
        .get_record(connection, payments, "p1")
        .await
        .unwrap();
    assert_eq!(p1.data["totalAmount"], json!(10));
    assert!(!p1.deleted);
    let cursor = h
        .store
        .get_cursor(connection, payments)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        cursor,
        SyncCursor::new(Some("page-1".to_owned()), false, None)
    );
    let issues = h.store.dataset_issues(dataset.id).await.unwrap();
    assert_eq!(issues, [ValidationIssue::error("p0", "currency missing")]);
    let progress = h.store.get_dataset(dataset.id).await.unwrap();
    assert_eq!((progress.pages, progress.records), (1, 1));

    // The same page from the lease holder commits everything.
    second.dataset = Some(DatasetPage::new(dataset.id, "worker-a"));
    let summary = h.store.write_page(&second).await.unwrap();
    assert_eq!((summary.changed, summary.deleted), (2, 1));
    assert_eq!(ids(h, connection, payments).await, ["p2"]);
    let cursor = h
        .store
        .get_cursor(connection, payments)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cursor.cursor.as_deref(), Some("page-2"));
    assert!(cursor.backfill_complete);
    let progress = h.store.get_dataset(dataset.id).await.unwrap();
    assert_eq!((progress.pages, progress.records), (2, 4));

    h.store.reset_cursor(connection, payments).await.unwrap();
    assert!(h
        .store
        .get_cursor(connection, payments)
        .await
        .unwrap()
        .is_none());
}

async fn counts_per_data_type(h: &Harness) {
    let connection = new_connection(h).await;
    let other = new_connection(h).await;
    h.store
        .upsert_records(
            connection,
            DataType::Customers,
            vec![customer("c1", "a"), customer("c2", "b")],
        )
        .await
        .unwrap();
    h.store
        .upsert_records(connection, DataType::Payments, vec![customer("p1", "a")])
        .await
        .unwrap();
    h.store
        .upsert_records(other, DataType::Payments, vec![customer("p1", "a")])
        .await
        .unwrap();
    let counts = h.store.count_records(connection).await.unwrap();
    assert_eq!(
        counts.into_iter().collect::<Vec<_>>(),
        [(DataType::Customers, 2), (DataType::Payments, 1)]
    );
    // Records are per connection: the same id in another connection is another record.
    assert_eq!(ids(h, other, DataType::Payments).await, ["p1"]);
    assert!(ids(h, other, DataType::Customers).await.is_empty());
}

async fn page_size_is_limited(h: &Harness) {
    let connection = new_connection(h).await;
    let records: Vec<RecordInput> = (0..1203)
        .map(|n| customer(&format!("c{n:05}"), "x"))
        .collect();
    let summary = h
        .store
        .upsert_records(connection, DataType::Customers, records)
        .await
        .unwrap();
    assert_eq!(summary.changed, 1203);

    let err = h
        .store
        .query_records(connection, DataType::Customers, &RecordQuery::page(1, 5001))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::PageSizeTooLarge {
                requested: 5001,
                max: 5000
            }
        ),
        "{err}"
    );
    assert!(err.is_bad_request());
    for (page, page_size) in [(0, 10), (1, 0)] {
        let err = h
            .store
            .query_records(
                connection,
                DataType::Customers,
                &RecordQuery::page(page, page_size),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::PagingOutOfRange { .. }), "{err}");
    }
    let all = h
        .store
        .query_records(connection, DataType::Customers, &RecordQuery::page(1, 5000))
        .await
        .unwrap();
    assert_eq!((all.results.len(), all.total_results), (1203, 1203));
    let last = h
        .store
        .query_records(connection, DataType::Customers, &RecordQuery::page(3, 500))
        .await
        .unwrap();
    assert_eq!(
        (last.results.len(), last.total_results, last.page_number),
        (203, 1203, 3)
    );
    assert_eq!(last.results[0]["id"], "c01000");
    let beyond = h
        .store
        .query_records(connection, DataType::Customers, &RecordQuery::page(4, 500))
        .await
        .unwrap();
    assert!(beyond.results.is_empty());
    let page = last.into_page("/companies/x/connections/y/data/commerce-customers", &[]);
    assert!(page.links.next.is_none());
    assert!(page.links.previous.is_some());
}

/// `totalResults` with and without a filter stays exact through inserts, unchanged upserts,
/// updates, soft deletes, undeletes and writes made through another store handle (another
/// process), which must invalidate this handle's cached filtered counts.
async fn totals_follow_every_write(h: &Harness) {
    let connection = new_connection(h).await;
    let customers = DataType::Customers;
    let all = RecordQuery::page(1, 100);
    let anns = RecordQuery::parse(1, 100, Some("customerName=Ann"), None).unwrap();
    let totals = |store: commerce_store::Store| {
        let (all, anns) = (all.clone(), anns.clone());
        async move {
            let total = store
                .query_records(connection, customers, &all)
                .await
                .unwrap();
            let filtered = store
                .query_records(connection, customers, &anns)
                .await
                .unwrap();
            assert_eq!(total.total_results, total.results.len() as u64);
            assert_eq!(filtered.total_results, filtered.results.len() as u64);
            let counted = store.count_records(connection).await.unwrap();
            assert_eq!(
                counted.get(&customers).copied().unwrap_or(0),
                total.total_results
            );
            (total.total_results, filtered.total_results)
        }
    };
    assert_eq!(totals(h.store.clone()).await, (0, 0));
    h.store
        .upsert_records(
            connection,
            customers,
            vec![
                customer("c1", "Ann"),
                customer("c2", "Bob"),
                customer("c3", "Cy"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(totals(h.store.clone()).await, (3, 1));
    // Unchanged content: nothing moves.
    h.store
        .upsert_records(connection, customers, vec![customer("c2", "Bob")])
        .await
        .unwrap();
    assert_eq!(totals(h.store.clone()).await, (3, 1));

    // Another handle on the same database changes a record; this handle's cached filtered
    // count must not survive it.
    let other = commerce_store::Store::connect(&h.url, crate::harness::key())
        .await
        .unwrap();
    other
        .upsert_records(connection, customers, vec![customer("c2", "Ann")])
        .await
        .unwrap();
    assert_eq!(totals(h.store.clone()).await, (3, 2));

    h.store
        .delete_records(connection, customers, vec!["c1".to_owned()])
        .await
        .unwrap();
    assert_eq!(totals(h.store.clone()).await, (2, 1));
    // Deleting again changes nothing.
    other
        .delete_records(connection, customers, vec!["c1".to_owned()])
        .await
        .unwrap();
    assert_eq!(totals(h.store.clone()).await, (2, 1));
    // A deleted record that comes back counts again.
    h.store
        .upsert_records(connection, customers, vec![customer("c1", "Ann")])
        .await
        .unwrap();
    assert_eq!(totals(h.store.clone()).await, (3, 2));
    assert_eq!(totals(other.clone()).await, (3, 2));
    other.close().await;

    // Deleting the connection removes its records and their counts.
    h.store.delete_connection(connection).await.unwrap();
    assert!(h.store.count_records(connection).await.unwrap().is_empty());
}

/// Full pulls: records a pull sees stay (unchanged ones keep their `modifiedDate`), records it
/// did not see are soft-deleted by the sweep on its last page; the live count follows.
async fn full_pulls_mark_and_sweep(h: &Harness) {
    let connection = new_connection(h).await;
    let record = |id: &str, name: &str| {
        RecordInput::new(id.to_owned(), json!({"id": id, "customerName": name}))
    };
    let pull = |generation: Uuid, records: Vec<RecordInput>, last: bool| {
        let mut page = PageWrite::new(connection, DataType::Customers);
        page.records = records;
        page.seen_generation = Some(generation);
        page.sweep_unseen = last;
        page
    };
    let ids = |page: &commerce_store::RecordPage| -> Vec<String> {
        page.results
            .iter()
            .map(|record| record["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let read = || async {
        h.store
            .query_records(connection, DataType::Customers, &RecordQuery::page(1, 100))
            .await
            .unwrap()
    };

    // First pull, in two pages.
    let first = Uuid::new_v4();
    h.store
        .write_page(&pull(
            first,
            vec![record("a", "A"), record("b", "B")],
            false,
        ))
        .await
        .unwrap();
    let summary = h
        .store
        .write_page(&pull(first, vec![record("c", "C")], true))
        .await
        .unwrap();
    assert_eq!(summary.swept, 0);
    let before = read().await;
    assert_eq!(ids(&before), ["a", "b", "c"]);

    // Second pull: a and b unchanged (in pages of their own), c gone at the source.
    let second = Uuid::new_v4();
    let summary = h
        .store
        .write_page(&pull(second, vec![record("a", "A")], false))
        .await
        .unwrap();
    assert_eq!((summary.changed, summary.unchanged), (0, 1));
    let summary = h
        .store
        .write_page(&pull(second, vec![record("b", "B")], true))
        .await
        .unwrap();
    assert_eq!(summary.swept, 1, "only c is swept");
    let after = read().await;
    assert_eq!(ids(&after), ["a", "b"]);
    assert_eq!(after.total_results, 2);
    // Unchanged records were not rewritten: the same modifiedDate as before.
    assert_eq!(after.results[0], before.results[0]);
    assert_eq!(after.results[1], before.results[1]);

    // Third pull: a changed, b unchanged, c still gone; nothing more is swept.
    let third = Uuid::new_v4();
    let summary = h
        .store
        .write_page(&pull(
            third,
            vec![record("a", "A2"), record("b", "B")],
            true,
        ))
        .await
        .unwrap();
    assert_eq!(
        (summary.changed, summary.unchanged, summary.swept),
        (1, 1, 0)
    );
    let last = read().await;
    assert_eq!(ids(&last), ["a", "b"]);
    assert_eq!(last.results[0]["customerName"], "A2");
    assert_eq!(last.results[1], before.results[1]);
}
