//! Parse-and-map throughput for 100-object Stripe list pages, against parsing the same bytes into
//! `serde_json::Value` in the same run (the baseline every JSON consumer pays at least).
//!
//! Run: `CARGO_TARGET_DIR=/work/target cargo bench -p commerce-stripe --bench mapping`.
//! Figures and the ratio are recorded in `docs/performance.md`.

// `criterion_group!` and `criterion_main!` generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use serde_json::Value;
use stripe_wire as stripe;

const PAGE_SIZE: usize = 100;

/// A list page of `PAGE_SIZE` objects cycled from the given fixture documents, with unique ids.
fn page(url: &str, fixture_files: &[&str]) -> Vec<u8> {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/stripe/");
    let mut templates: Vec<Value> = Vec::new();
    for file in fixture_files {
        let text = std::fs::read_to_string(format!("{fixtures}{file}")).unwrap_or_default();
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        match value.get("data").and_then(Value::as_array) {
            Some(items) => templates.extend(items.iter().cloned()),
            None => templates.push(value),
        }
    }
    let data: Vec<Value> = templates
        .iter()
        .cycle()
        .take(PAGE_SIZE)
        .enumerate()
        .map(|(item_idx, template)| {
            let mut object = template.clone();
            if let Some(id) = object.get("id").and_then(Value::as_str) {
                object["id"] = Value::String(format!("{id}{item_idx:03}"));
            }
            object
        })
        .collect();
    let list = serde_json::json!({"object": "list", "data": data, "has_more": true, "url": url});
    serde_json::to_vec(&list).unwrap_or_default()
}

fn charges(bytes: &[u8]) -> usize {
    let list: stripe::List<stripe::Charge> =
        stripe::from_slice(bytes).unwrap_or_else(|_| stripe::List::new(Vec::new(), false, ""));
    list.data
        .iter()
        .filter_map(|charge| commerce_stripe::map_charge(charge).ok())
        .count()
}

fn balance_transactions(bytes: &[u8]) -> usize {
    let list: stripe::List<stripe::BalanceTransaction> =
        stripe::from_slice(bytes).unwrap_or_else(|_| stripe::List::new(Vec::new(), false, ""));
    list.data
        .iter()
        .filter_map(|txn| commerce_stripe::map_balance_transaction(txn).ok())
        .map(|rows| rows.len())
        .sum()
}

fn value_parse(bytes: &[u8]) -> usize {
    let value: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    value["data"].as_array().map_or(0, Vec::len)
}

fn bench_pair(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    bytes: &[u8],
    map: fn(&[u8]) -> usize,
) {
    group.bench_function("parse_and_map", |bencher| {
        bencher.iter(|| map(black_box(bytes)))
    });
    group.bench_function("serde_json_value", |bencher| {
        bencher.iter(|| value_parse(black_box(bytes)))
    });
}

fn mapping(criterion: &mut Criterion) {
    let charge_page = page(
        "/v1/charges",
        &[
            "charge/statuses.json",
            "charge/jpy.json",
            "charge/no_payment_method_id.json",
        ],
    );
    let txn_page = page(
        "/v1/balance_transactions",
        &[
            "balance_transaction/several_fees.json",
            "balance_transaction/types.json",
        ],
    );
    assert_eq!(
        charges(&charge_page),
        PAGE_SIZE,
        "every charge of the page maps"
    );
    assert!(
        balance_transactions(&txn_page) >= PAGE_SIZE,
        "every transaction of the page maps"
    );

    for (name, bytes, map) in [
        ("charges_page", &charge_page, charges as fn(&[u8]) -> usize),
        ("balance_transactions_page", &txn_page, balance_transactions),
    ] {
        let mut group = criterion.benchmark_group(format!("{name}/bytes"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        bench_pair(&mut group, bytes, map);
        group.finish();
        let mut group = criterion.benchmark_group(format!("{name}/records"));
        group.throughput(Throughput::Elements(PAGE_SIZE as u64));
        bench_pair(&mut group, bytes, map);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = mapping
}
criterion_main!(benches);
