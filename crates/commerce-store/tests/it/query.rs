//! The Codat `query` and `orderBy` pushed down into SQL, with `totalResults` after the filter.

use commerce_model::DataType;
use commerce_store::{RecordInput, RecordQuery, StoreError};
use serde_json::json;
use uuid::Uuid;

use crate::harness::{both_engines, Harness};
use crate::records::new_connection;

both_engines!(
    filters_and_totals,
    numbers_compare_numerically_strings_textually,
    nested_paths_and_arrays,
    contains_and_escaping,
    ordering,
    bad_paths_are_typed_errors,
    injection_attempts_are_harmless,
    indexed_fields_have_their_index,
    declared_fields_keep_the_general_semantics,
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

async fn filters_and_totals(h: &Harness) {
    let c = seed(h).await;
    check(h, c, "status=Paid", None, &["100", "p1", "p3"]).await;
    check(h, c, "status=Paid && currency=GBP", None, &["100", "p1"]).await;
    check(h, c, "status=Pending || status=Failed", None, &["p2", "p4"]).await;
    check(
        h,
        c,
        "{amount>500 || amount<10} && status!=Paid",
        None,
        &["p5"],
    )
    .await;
    check(
        h,
        c,
        "{status=Paid && currency=USD} || {status=Failed}",
        None,
        &["p3", "p4"],
    )
    .await;
    // `!=` includes records without the field.
    check(h, c, "status!=Paid", None, &["p2", "p4", "p5"]).await;
    check(h, c, "isRefunded=true", None, &["p2"]).await;
    check(h, c, "isRefunded=false", None, &["p1", "p3", "p4"]).await;
    check(h, c, "createdDate>=2024-03-01", None, &["p3", "p4", "p5"]).await;
    check(h, c, "createdDate<2024-01-01", None, &["100"]).await;
    check(h, c, "missing=x", None, &[]).await;

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

async fn numbers_compare_numerically_strings_textually(h: &Harness) {
    let c = seed(h).await;
    // Textually "5" > "100"; numerically it is not.
    check(h, c, "amount>100", None, &["p4", "p5"]).await;
    check(h, c, "amount>=100", None, &["p3", "p4", "p5"]).await;
    check(h, c, "amount<=20", None, &["p1", "p2"]).await;
    check(h, c, "amount=150.50", None, &["p4"]).await;
    check(h, c, "amount=1e3", None, &["p5"]).await;
    // With a number, `=` also matches a JSON string of the same text; ranges only numbers.
    check(h, c, "amount=7", None, &["100"]).await;
    check(h, c, "amount<10", None, &["p1"]).await;
    check(h, c, "id=100", None, &["100"]).await;
    // A quoted value is always text: it does not equal the number 20.
    check(h, c, "amount=\"20\"", None, &[]).await;
    check(h, c, "id>p3", None, &["p4", "p5"]).await;
}

async fn nested_paths_and_arrays(h: &Harness) {
    let c = seed(h).await;
    check(h, c, "customerRef.id=cus_1", None, &["p1", "p3"]).await;
    check(h, c, "customerRef.name=Acme Ltd", None, &["p1", "p3"]).await;
    // Any element of an array matches; a plain object works the same.
    check(h, c, "addresses.city=Paris", None, &["p1", "p5"]).await;
    check(h, c, "addresses.city=Rome", None, &["p1"]).await;
    check(
        h,
        c,
        "addresses.city!=Paris",
        None,
        &["100", "p2", "p3", "p4"],
    )
    .await;
    check(h, c, "tags=eu", None, &["p1"]).await;
    check(h, c, "customerRef.id.deeper=x", None, &[]).await;
}

async fn contains_and_escaping(h: &Harness) {
    let c = seed(h).await;
    check(h, c, "note~acme", None, &["p3"]).await;
    check(h, c, "customerRef.name~acme", None, &["p1", "p3"]).await;
    // `%` and `_` are literal, not wildcards.
    check(h, c, "note~50%", None, &["p1"]).await;
    check(h, c, "note~0_o", None, &[]).await;
    check(h, c, "note~off_now", None, &["p1"]).await;
    check(h, c, "note~'s", None, &["p4"]).await;
    // Contains never matches numbers.
    check(h, c, "amount~5", None, &[]).await;
}

async fn ordering(h: &Harness) {
    let c = seed(h).await;
    check(
        h,
        c,
        "currency!=x",
        Some("amount"),
        &["p1", "p2", "p3", "p4", "p5", "100"],
    )
    .await;
    check(
        h,
        c,
        "currency!=x",
        Some("-amount"),
        &["p5", "p4", "p3", "p2", "p1", "100"],
    )
    .await;
    check(
        h,
        c,
        "currency!=x",
        Some("-createdDate"),
        &["p5", "p4", "p3", "p2", "p1", "100"],
    )
    .await;
    // Missing values last, ties by id.
    check(
        h,
        c,
        "currency!=x",
        Some("status"),
        &["p4", "100", "p1", "p3", "p2", "p5"],
    )
    .await;
    check(
        h,
        c,
        "currency!=x",
        Some("-status"),
        &["p2", "100", "p1", "p3", "p4", "p5"],
    )
    .await;
    check(
        h,
        c,
        "currency!=x",
        Some("customerRef.id,-amount"),
        &["p3", "p1", "p5", "p2", "p4", "100"],
    )
    .await;
    check(h, c, "currency=GBP", Some("-id"), &["p2", "p1", "100"]).await;
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

/// Filters on declared scalar fields (compared directly, some through an index) give the
/// same answers as the general form: missing fields, other JSON types and `!=` included.
async fn declared_fields_keep_the_general_semantics(h: &Harness) {
    let connection = new_connection(h).await;
    let records = vec![
        json!({"id": "t1", "currency": "GBP", "type": "Payment", "totalAmount": 10}),
        json!({"id": "t2", "currency": "EUR", "type": "Refund", "totalAmount": -2.5}),
        json!({"id": "t3", "type": "Payment", "totalAmount": 100}),
        json!({"id": "t4", "currency": "100", "type": "PaymentFee", "totalAmount": "100"}),
        json!({"id": "t5", "currency": null, "type": true, "totalAmount": 1e3}),
        json!({"id": "t6", "totalAmount": true}),
    ];
    let records: Vec<RecordInput> = records
        .into_iter()
        .map(|data| RecordInput::new(data["id"].as_str().unwrap().to_owned(), data))
        .collect();
    h.store
        .upsert_records(connection, DataType::Transactions, records)
        .await
        .unwrap();
    for (query, expect) in [
        ("currency=GBP", &["t1"][..]),
        ("currency!=GBP", &["t2", "t3", "t4", "t5", "t6"]),
        ("currency=100", &["t4"]),
        ("currency>EUR", &["t1"]),
        ("currency~gb", &["t1"]),
        ("type=true", &["t5"]),
        ("type=Payment&&currency=GBP", &["t1"]),
        ("type=Refund||currency=GBP", &["t1", "t2"]),
        ("totalAmount=100", &["t3", "t4"]),
        ("totalAmount>=10", &["t1", "t3", "t5"]),
        ("totalAmount<0", &["t2"]),
        ("totalAmount!=100", &["t1", "t2", "t5", "t6"]),
        // `true` is no number (SQLite extracts it as the integer 1).
        ("totalAmount>0", &["t1", "t3", "t5"]),
        ("totalAmount<=1", &["t2"]),
        ("totalAmount=\"100\"", &["t4"]),
    ] {
        let request = RecordQuery::parse(1, 100, Some(query), None).unwrap();
        let page = h
            .store
            .query_records(connection, DataType::Transactions, &request)
            .await
            .unwrap();
        let ids: Vec<&str> = page
            .results
            .iter()
            .map(|record| record["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, expect, "{query} on {:?}", h.engine());
        assert_eq!(page.total_results, expect.len() as u64, "{query}");
    }
}
