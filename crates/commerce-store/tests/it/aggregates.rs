//! Per-day totals for charts: sums per day and currency (and group), the date range, soft
//! deletes, and the guard on field paths and range length.

use chrono::NaiveDate;
use commerce_model::DataType;
use commerce_store::{DailyTotal, DailyTotalsQuery, RecordInput, StoreError};
use serde_json::json;

use crate::harness::{both_engines, Harness};
use crate::records::new_connection;

both_engines!(
    daily_totals_per_day_currency_and_group,
    daily_totals_follow_writes_after_a_cached_read,
    daily_totals_rejects_bad_input
);

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn transaction(
    id: &str,
    created: &str,
    amount: serde_json::Value,
    currency: &str,
    kind: &str,
) -> RecordInput {
    RecordInput::new(
        id,
        json!({"id": id, "createdDate": created, "totalAmount": amount, "currency": currency, "type": kind}),
    )
}

fn total(
    day_text: &str,
    currency: &str,
    group: Option<&str>,
    sum: f64,
    count: u64,
) -> (NaiveDate, Option<String>, Option<String>, String, u64) {
    (
        day(day_text),
        Some(currency.to_owned()),
        group.map(str::to_owned),
        format!("{sum:.2}"),
        count,
    )
}

type Rounded = (NaiveDate, Option<String>, Option<String>, String, u64);

fn rounded(totals: &[DailyTotal]) -> Vec<Rounded> {
    totals
        .iter()
        .map(|t| {
            (
                t.day,
                t.currency.clone(),
                t.group.clone(),
                format!("{:.2}", t.total),
                t.count,
            )
        })
        .collect()
}

async fn daily_totals_per_day_currency_and_group(h: &Harness) {
    let connection = new_connection(h).await;
    let records = vec![
        transaction("t1", "2024-03-01T09:00:00Z", json!(10.25), "USD", "Payment"),
        transaction(
            "t1:fee",
            "2024-03-01T09:00:00Z",
            json!(-0.60),
            "USD",
            "PaymentFee",
        ),
        transaction("t2", "2024-03-01T23:59:59Z", json!(5), "USD", "Payment"),
        transaction("t3", "2024-03-01T12:00:00Z", json!(7.5), "EUR", "Payment"),
        transaction("t4", "2024-03-03T00:00:00Z", json!(100), "USD", "Payment"),
        // Outside the range on both sides.
        transaction("t5", "2024-02-29T23:59:59Z", json!(1000), "USD", "Payment"),
        transaction("t6", "2024-03-04T00:00:00Z", json!(1000), "USD", "Payment"),
        // Not a number: counted, summed as zero.
        transaction("t7", "2024-03-03T10:00:00Z", json!("n/a"), "USD", "Payment"),
        // Deleted below: not counted.
        transaction("t8", "2024-03-03T11:00:00Z", json!(50), "USD", "Payment"),
    ];
    h.store
        .upsert_records(connection, DataType::Transactions, records)
        .await
        .unwrap();
    h.store
        .delete_records(connection, DataType::Transactions, vec!["t8".to_owned()])
        .await
        .unwrap();
    // Another data type of the same connection is not mixed in.
    h.store
        .upsert_records(
            connection,
            DataType::Payments,
            vec![RecordInput::new("p1", json!({"id": "p1", "createdDate": "2024-03-01T09:00:00Z", "totalAmount": 99, "currency": "USD"}))],
        )
        .await
        .unwrap();

    let query = DailyTotalsQuery::new("totalAmount", day("2024-03-01"), day("2024-03-03"));
    let totals = h
        .store
        .daily_totals(connection, DataType::Transactions, &query)
        .await
        .unwrap();
    assert_eq!(
        rounded(&totals),
        vec![
            total("2024-03-01", "EUR", None, 7.5, 1),
            total("2024-03-01", "USD", None, 14.65, 3),
            total("2024-03-03", "USD", None, 100.0, 2),
        ]
    );

    let grouped = h
        .store
        .daily_totals(
            connection,
            DataType::Transactions,
            &query.clone().group_by("type"),
        )
        .await
        .unwrap();
    assert_eq!(
        rounded(&grouped),
        vec![
            total("2024-03-01", "EUR", Some("Payment"), 7.5, 1),
            total("2024-03-01", "USD", Some("Payment"), 15.25, 2),
            total("2024-03-01", "USD", Some("PaymentFee"), -0.6, 1),
            total("2024-03-03", "USD", Some("Payment"), 100.0, 2),
        ]
    );
}

/// Totals are cached per (connection, data type) until the next write: a write from another
/// store handle (another process) or a soft delete shows in the next read.
async fn daily_totals_follow_writes_after_a_cached_read(h: &Harness) {
    let connection = new_connection(h).await;
    let query = DailyTotalsQuery::new("totalAmount", day("2024-03-01"), day("2024-03-01"));
    let read = || async {
        rounded(
            &h.store
                .daily_totals(connection, DataType::Transactions, &query)
                .await
                .unwrap(),
        )
    };
    assert_eq!(read().await, vec![]);
    h.store
        .upsert_records(
            connection,
            DataType::Transactions,
            vec![transaction(
                "t1",
                "2024-03-01T09:00:00Z",
                json!(10),
                "USD",
                "Payment",
            )],
        )
        .await
        .unwrap();
    assert_eq!(
        read().await,
        vec![total("2024-03-01", "USD", None, 10.0, 1)]
    );
    assert_eq!(
        read().await,
        vec![total("2024-03-01", "USD", None, 10.0, 1)]
    );

    let other_handle = h.reopen(crate::harness::key()).await;
    other_handle
        .upsert_records(
            connection,
            DataType::Transactions,
            vec![
                transaction("t1", "2024-03-01T09:00:00Z", json!(12), "USD", "Payment"),
                transaction("t2", "2024-03-01T10:00:00Z", json!(5), "USD", "Payment"),
            ],
        )
        .await
        .unwrap();
    other_handle.close().await;
    assert_eq!(
        read().await,
        vec![total("2024-03-01", "USD", None, 17.0, 2)]
    );

    h.store
        .delete_records(connection, DataType::Transactions, vec!["t2".to_owned()])
        .await
        .unwrap();
    assert_eq!(
        read().await,
        vec![total("2024-03-01", "USD", None, 12.0, 1)]
    );
}

async fn daily_totals_rejects_bad_input(h: &Harness) {
    let connection = new_connection(h).await;
    let bad_path = DailyTotalsQuery::new("amount') --", day("2024-03-01"), day("2024-03-03"));
    let error = h
        .store
        .daily_totals(connection, DataType::Payments, &bad_path)
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::InvalidQuery { .. }),
        "{error:?}"
    );
    let too_long = DailyTotalsQuery::new("amount", day("2023-01-01"), day("2024-03-03"));
    let error = h
        .store
        .daily_totals(connection, DataType::Payments, &too_long)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("maximum"), "{error}");
    let backwards = DailyTotalsQuery::new("amount", day("2024-03-03"), day("2024-03-01"));
    assert!(h
        .store
        .daily_totals(connection, DataType::Payments, &backwards)
        .await
        .is_err());
    let empty = DailyTotalsQuery::new("amount", day("2024-03-01"), day("2024-03-03"));
    assert!(h
        .store
        .daily_totals(connection, DataType::Payments, &empty)
        .await
        .unwrap()
        .is_empty());
}
