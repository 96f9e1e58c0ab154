//! The Codat `query` and `orderBy` pushed down into SQL, with `totalResults` after the filter.

use commerce_model::DataType;
use commerce_store::{RecordInput, RecordQuery, StoreError};
use serde_json::json;
use uuid::Uuid;

use crate::harness::{both_engines, Harness};
use crate::records::new_connection;

both_engines!(
    shared_query_semantics_cases,
    totals_count_the_filtered_set,
    bad_paths_are_typed_errors,
    injection_attempts_are_harmless,
    indexed_fields_have_their_index,
);

const PAYMENTS: DataType = DataType::Payments;

async fn seed(h: &Harness) -> Uuid {
    let connection = new_connection(h).await;
    let records = vec![
        json!({"id": "p1", "amount": 5, "status": "Paid", "currency": "GBP",
               "createdDate": "2024-01-05T10:00:00Z", "customerRef": {"id": "cus_1", "name": "Acme Ltd"},
               "addresses": [{"city": "Paris"}, {"city": "Rome"}], "isRefunded": false,
               "note": "50% off_now", "tags": ["vip", "eu"]}),
        json!({"id": "p2", "amount": 20, "status": "Pending", "currency": "GBP",
               "createdDate": "2024-02-10T10:00:00Z", "customerRef": {"id": "cus_2", "name": "Beta"},
               "addresses": [{"city": "London"}], "isRefunded": true, "note": "500 off"}),
        json!({"id": "p3", "amount": 100, "status": "Paid", "currency": "USD",
               "createdDate": "2024-03-15T10:00:00Z", "customerRef": {"id": "cus_1", "name": "Acme Ltd"},
               "addresses": [], "isRefunded": false, "note": "ACME deal"}),
        json!({"id": "p4", "amount": 150.5, "status": "Failed", "currency": "EUR",
               "createdDate": "2024-04-20T10:00:00Z", "customerRef": {"id": "cus_3", "name": "Gamma"},
               "addresses": [{"city": "Berlin"}], "isRefunded": false, "note": "it's fine"}),
        json!({"id": "p5", "amount": 1000, "currency": "EUR",
               "createdDate": "2024-05-25T10:00:00Z", "customerRef": {"id": "cus_2", "name": "Beta"},
               "addresses": {"city": "Paris"}, "note": "no status"}),
        json!({"id": "100", "amount": "7", "status": "Paid", "currency": "GBP",
               "createdDate": "2023-12-31T23:59:59Z", "note": "string amount"}),
    ];
    let records: Vec<RecordInput> = records
        .into_iter()
        .map(|data| RecordInput::new(data["id"].as_str().unwrap().to_owned(), data))
        .collect();
    h.store
        .upsert_records(connection, PAYMENTS, records)
        .await
        .unwrap();
    connection
}

/// Runs `query` (page 1 of 100, default order unless `order_by`) and checks the ids and total.
async fn check(
    h: &Harness,
    connection: Uuid,
    query: &str,
    order_by: Option<&str>,
    expect: &[&str],
) {
    let request = RecordQuery::parse(1, 100, Some(query), order_by).unwrap();
    let page = h
        .store
        .query_records(connection, PAYMENTS, &request)
        .await
        .unwrap();
    let ids: Vec<&str> = page
        .results
        .iter()
        .map(|record| record["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        expect,
        "query {query:?} order {order_by:?} on {:?}",
        h.engine()
    );
    assert_eq!(
        page.total_results,
        expect.len() as u64,
        "total of {query:?}"
    );
}

/// The case table shared with commerce-model's in-memory evaluation (`Query::matches`,
/// `OrderBy::compare`), so the SQL and the model keep one semantics.
async fn shared_query_semantics_cases(h: &Harness) {
    let table: serde_json::Value = serde_json::from_str(include_str!(
        "../../../commerce-model/tests/query_semantics.json"
    ))
    .unwrap();
    for dataset in table["datasets"].as_array().unwrap() {
        let data_type = DataType::parse(dataset["dataType"].as_str().unwrap()).unwrap();
        let connection = new_connection(h).await;
        let records: Vec<RecordInput> = dataset["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|data| RecordInput::new(data["id"].as_str().unwrap().to_owned(), data.clone()))
            .collect();
        h.store
            .upsert_records(connection, data_type, records)
            .await
            .unwrap();
        for case in dataset["cases"].as_array().unwrap() {
            let query = case["query"].as_str().unwrap();
            let order_by = case["orderBy"].as_str();
            let request = RecordQuery::parse(1, 100, Some(query), order_by).unwrap();
            let page = h
                .store
                .query_records(connection, data_type, &request)
                .await
                .unwrap();
            let ids: Vec<&str> = page
                .results
                .iter()
                .map(|record| record["id"].as_str().unwrap())
                .collect();
            let expect: Vec<&str> = case["expect"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_str().unwrap())
                .collect();
            assert_eq!(ids, expect, "{case} on {:?}", h.engine());
            assert_eq!(page.total_results, expect.len() as u64, "total of {case}");
        }
    }
}

async fn totals_count_the_filtered_set(h: &Harness) {
    let c = seed(h).await;
    // totalResults counts the whole filtered set, not the page.
    let request = RecordQuery::parse(2, 2, Some("currency!=USD"), Some("id")).unwrap();
    let page = h.store.query_records(c, PAYMENTS, &request).await.unwrap();
    let ids: Vec<&str> = page
        .results
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["p2", "p4"]);
    assert_eq!(page.total_results, 5);
}

async fn bad_paths_are_typed_errors(h: &Harness) {
    let c = seed(h).await;
    for (query, order_by) in [
        (Some("a-b=1"), None),
        (Some("a..b=1"), None),
        (Some("=1"), None),
        (Some("status=Paid && || x=1"), None),
        (None, Some("a b")),
        (None, Some("-")),
    ] {
        let err = RecordQuery::parse(1, 10, query, order_by).unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidQuery { .. }),
            "{query:?} {order_by:?}: {err}"
        );
        assert!(err.is_bad_request());
    }
    // A name the parser may let through (non-ASCII letters) but the store does not accept.
    let outcome = match RecordQuery::parse(1, 10, Some("naïve=1"), None) {
        Ok(request) => h
            .store
            .query_records(c, PAYMENTS, &request)
            .await
            .map(|_| ()),
        Err(err) => Err(err),
    };
    assert!(
        matches!(outcome, Err(StoreError::InvalidQuery { .. })),
        "{outcome:?}"
    );
    let outcome = match RecordQuery::parse(1, 10, None, Some("-naïve")) {
        Ok(request) => h
            .store
            .query_records(c, PAYMENTS, &request)
            .await
            .map(|_| ()),
        Err(err) => Err(err),
    };
    assert!(
        matches!(outcome, Err(StoreError::InvalidQuery { .. })),
        "{outcome:?}"
    );
}

async fn injection_attempts_are_harmless(h: &Harness) {
    let c = seed(h).await;
    check(h, c, "status=\"Paid' OR '1'='1\"", None, &[]).await;
    check(h, c, "status=\"x'; DROP TABLE records; --\"", None, &[]).await;
    check(h, c, "note~\"' OR 1=1 --\"", None, &[]).await;
    check(h, c, r#"status="Paid\") OR TRUE --""#, None, &[]).await;
    // Everything is still there.
    check(
        h,
        c,
        "currency!=x",
        None,
        &["100", "p1", "p2", "p3", "p4", "p5"],
    )
    .await;
}

/// Every field the model marks `indexed` has its partial index (migration 0007), named
/// `records_<data type>_<field>`, on the field's exact expression and that data type's rows.
async fn indexed_fields_have_their_index(h: &Harness) {
    use sqlx::Connection as _;
    let mut indexed = 0;
    for data_type in DataType::ALL {
        for field in data_type
            .scalar_fields()
            .iter()
            .filter(|field| field.indexed)
        {
            // Number indexes serve SQLite's filtered scans only (see migration 0007).
            if field.kind == commerce_model::FieldKind::Number
                && h.engine() == commerce_store::Engine::Postgres
            {
                continue;
            }
            let segment = data_type
                .key()
                .trim_start_matches("commerce-")
                .to_lowercase();
            let name = format!("records_{segment}_{}", field.name.to_lowercase());
            let definition: Option<String> = match h.engine() {
                commerce_store::Engine::Sqlite => {
                    let mut connection = sqlx::SqliteConnection::connect(&h.url).await.unwrap();
                    sqlx::query_scalar(
                        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1",
                    )
                    .bind(&name)
                    .fetch_optional(&mut connection)
                    .await
                    .unwrap()
                }
                _ => {
                    let mut connection = sqlx::PgConnection::connect(&h.url).await.unwrap();
                    sqlx::query_scalar("SELECT indexdef FROM pg_indexes WHERE indexname = $1")
                        .bind(&name)
                        .fetch_optional(&mut connection)
                        .await
                        .unwrap()
                }
            };
            let definition = definition.unwrap_or_else(|| panic!("no index {name}"));
            assert!(
                definition.contains(&format!("'{}'", data_type.key())),
                "{definition}"
            );
            assert!(
                definition.contains(&format!("'$.{}'", field.name))
                    || definition.contains(&format!("->> '{}'", field.name)),
                "{definition}"
            );
            indexed += 1;
        }
    }
    assert!(indexed >= 5);
}
