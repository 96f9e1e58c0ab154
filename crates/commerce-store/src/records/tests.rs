use serde_json::json;

use commerce_model::DataType;

use super::{content_hash, mark_statement, prepare_records, upsert_statement};
use crate::query::Bind;

#[test]
fn content_hash_ignores_key_order_and_modified_date() {
    let a = json!({"id": "1", "amount": 10.50, "nested": {"b": 1, "a": [1, {"y": 2, "x": 1}]}});
    let b = json!({"nested": {"a": [1, {"x": 1, "y": 2}], "b": 1}, "amount": 10.50, "id": "1",
                   "modifiedDate": "2024-01-01T00:00:00.000Z"});
    assert_eq!(content_hash(&a), content_hash(&b));
    assert_eq!(content_hash(&a).len(), 64);
}

#[test]
fn content_hash_sees_every_change() {
    let base = json!({"id": "1", "amount": 10, "tags": ["a", "b"]});
    for changed in [
        json!({"id": "1", "amount": 11, "tags": ["a", "b"]}),
        json!({"id": "1", "amount": 10, "tags": ["b", "a"]}),
        json!({"id": "1", "amount": 10, "tags": ["a", "b"], "sourceModifiedDate": "2024-01-01"}),
        json!({"id": "1", "amount": "10", "tags": ["a", "b"]}),
    ] {
        assert_ne!(content_hash(&base), content_hash(&changed), "{changed}");
    }
}

/// A store on a new SQLite file under the temp directory, and that file's path.
async fn sqlite_store(name: &str) -> (crate::Store, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!(
        "commerce-store-{name}-{}-{}.db",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    let key =
        crate::EncryptionKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
    let store = crate::Store::connect(&format!("sqlite://{}", path.display()), key)
        .await
        .unwrap();
    (store, path)
}

/// `EXPLAIN QUERY PLAN` of the page statement for `query` on `data_type`, one line per step.
async fn page_plan(store: &crate::Store, data_type: DataType, query: &str) -> Vec<String> {
    let request = crate::RecordQuery::parse(1, 100, Some(query), None).unwrap();
    let statement = store.page_statement(data_type, &request).unwrap();
    let crate::store::Backend::Sqlite(pool) = &store.backend else {
        panic!("SQLite store expected");
    };
    let sql = format!("EXPLAIN QUERY PLAN {}", statement.page_sql);
    let mut explain = sqlx::query_as::<_, (i64, i64, i64, String)>(&sql).bind(uuid::Uuid::nil());
    for bind in &statement.binds {
        explain = match bind {
            Bind::Text(text) => explain.bind(text.clone()),
            Bind::Real(number) => explain.bind(*number),
        };
    }
    let rows = explain
        .bind(100_i64)
        .bind(0_i64)
        .fetch_all(pool)
        .await
        .unwrap();
    rows.into_iter().map(|(_, _, _, detail)| detail).collect()
}

#[tokio::test]
async fn filters_on_indexed_fields_read_their_index_and_others_step_through_id_order() {
    let (store, path) = sqlite_store("plan").await;
    let mut checked = 0;
    for data_type in DataType::ALL {
        for field in data_type.scalar_fields() {
            let query = match field.kind {
                commerce_model::FieldKind::Number => format!("{}>100", field.name),
                _ => format!("{}=GBP", field.name),
            };
            let plan = page_plan(&store, *data_type, &query).await;
            let segment = data_type
                .key()
                .trim_start_matches("commerce-")
                .to_lowercase();
            let index = format!(
                "USING INDEX records_{segment}_{}",
                field.name.to_lowercase()
            );
            let uses_index = plan.iter().any(|step| step.contains(&index));
            assert_eq!(
                uses_index, field.indexed,
                "{query} on {data_type}: {plan:?}"
            );
            // Whatever the index, the page comes in id order: never a sort of every match.
            assert!(
                !plan
                    .iter()
                    .any(|step| step.contains("TEMP B-TREE FOR ORDER BY")),
                "{query} on {data_type}: {plan:?}"
            );
            assert!(
                plan.iter()
                    .any(|step| step.contains("SEARCH r USING INDEX records_")),
                "{query} on {data_type}: {plan:?}"
            );
            checked += usize::from(field.indexed);
        }
    }
    assert!(checked >= 7, "{checked} indexed fields");
    // A range on an indexed text field steps through the records in id order rather than
    // sorting every match found through its index.
    for (data_type, query) in [
        (DataType::Transactions, "currency>GBP"),
        (DataType::Transactions, "createdDate>2024-01-01"),
        (DataType::Payments, "createdDate<=2024-01-01T00:00:00Z"),
    ] {
        let plan = page_plan(&store, data_type, query).await;
        assert!(
            !plan
                .iter()
                .any(|step| step.contains("TEMP B-TREE FOR ORDER BY")),
            "{query}: {plan:?}"
        );
    }
    store.close().await;
    let _ = std::fs::remove_file(&path);
}

/// The many-row statements take anonymous `?` parameters on SQLite (named ones cost quadratic
/// time there, see docs/performance.md) and numbered `$n` on PostgreSQL, one per bound value.
#[test]
fn many_row_statements_use_anonymous_parameters_on_sqlite() {
    let records: Vec<crate::RecordInput> = (0..3)
        .map(|index| crate::RecordInput::new(format!("r{index}"), serde_json::json!({"n": index})))
        .collect();
    let prepared = prepare_records(&records, chrono::Utc::now()).unwrap();
    let connection = uuid::Uuid::new_v4();
    let generation = Some(uuid::Uuid::new_v4());
    let now = chrono::Utc::now();

    let sqlite = upsert_statement::<sqlx::Sqlite>(connection, "d", &prepared, now, generation);
    assert_eq!(sqlite.sql().matches('?').count(), 27, "{}", sqlite.sql());
    assert!(!sqlite.sql().contains('$'), "{}", sqlite.sql());
    let postgres = upsert_statement::<sqlx::Postgres>(connection, "d", &prepared, now, generation);
    assert!(
        postgres
            .sql()
            .contains("($19, $20, $21, $22, $23, $24, $25, $26, $27)"),
        "{}",
        postgres.sql()
    );
    assert!(!postgres.sql().contains('?'), "{}", postgres.sql());
    assert!(!postgres.sql().contains("$28"), "{}", postgres.sql());

    let uuid = uuid::Uuid::new_v4();
    let sqlite = mark_statement::<sqlx::Sqlite>(uuid, connection, "d", &prepared);
    assert_eq!(sqlite.sql().matches('?').count(), 7, "{}", sqlite.sql());
    assert!(
        sqlite.sql().ends_with("id IN (?, ?, ?)"),
        "{}",
        sqlite.sql()
    );
    let postgres = mark_statement::<sqlx::Postgres>(uuid, connection, "d", &prepared);
    assert!(
        postgres.sql().ends_with("id IN ($5, $6, $7)"),
        "{}",
        postgres.sql()
    );
}
