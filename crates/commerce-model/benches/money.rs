//! The money paths of the records: 1,000 payments and transactions with decimal amounts written
//! to JSON (`serde_json::to_vec`), turned into `serde_json::Value` (what a store keeps) and read
//! back into typed records, against reading the same bytes into `serde_json::Value` as the
//! same-run baseline.
//!
//! Run it twice to compare serde_json's `arbitrary_precision` off (the default) and on:
//!
//! ```sh
//! cargo bench -p commerce-model --bench money
//! cargo bench -p commerce-model --bench money --features arbitrary-precision
//! ```
//!
//! Results: `docs/performance.md`.

#![allow(missing_docs)] // `criterion_group!` generates an undocumented `pub fn`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rust_decimal::Decimal;

use commerce_model::{Payment, PaymentStatus, Transaction, TransactionType};

const RECORDS: usize = 1_000;

fn payments() -> Vec<Payment> {
    (0..RECORDS)
        .map(|index| Payment {
            id: format!("py_{index:08}"),
            amount: Some(Decimal::new(1_000 + index as i64 * 137, 2)),
            currency: Some("USD".to_owned()),
            status: Some(PaymentStatus::Paid),
            ..Default::default()
        })
        .collect()
}

fn transactions() -> Vec<Transaction> {
    (0..RECORDS)
        .map(|index| Transaction {
            id: format!("txn_{index:08}"),
            total_amount: Some(Decimal::new(-(50 + index as i64 * 7), 2)),
            currency: Some("EUR".to_owned()),
            transaction_type: Some(TransactionType::Payment),
            ..Default::default()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let label = if cfg!(feature = "arbitrary-precision") {
        "arbitrary_precision"
    } else {
        "default"
    };
    let payments = payments();
    let transactions = transactions();
    let payment_bytes = serde_json::to_vec(&payments).unwrap_or_default();
    let transaction_bytes = serde_json::to_vec(&transactions).unwrap_or_default();

    let mut group = c.benchmark_group(format!("money/{label}"));
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.bench_function("payments_write_json", |b| {
        b.iter(|| serde_json::to_vec(&payments).map(|bytes| bytes.len()))
    });
    group.bench_function("payments_to_value", |b| {
        b.iter(|| serde_json::to_value(&payments).map(|value| value.is_array()))
    });
    group.bench_function("payments_read_typed", |b| {
        b.iter(|| serde_json::from_slice::<Vec<Payment>>(&payment_bytes).map(|list| list.len()))
    });
    group.bench_function("payments_read_value_baseline", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(&payment_bytes).map(|v| v.is_array()))
    });
    group.bench_function("transactions_read_typed", |b| {
        b.iter(|| {
            serde_json::from_slice::<Vec<Transaction>>(&transaction_bytes).map(|list| list.len())
        })
    });
    group.bench_function("transactions_read_value_baseline", |b| {
        b.iter(|| {
            serde_json::from_slice::<serde_json::Value>(&transaction_bytes).map(|v| v.is_array())
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
