//! Decoding 100-object list pages of charges and of balance transactions: into the typed
//! `List<T>` (plain serde_json, and `stripe_wire::from_slice` with JSON-path tracking) against
//! the same bytes into `serde_json::Value` as the same-run baseline.
//!
//! Run: `cargo bench -p stripe-wire --bench list_pages`. Results: `docs/performance.md`.

#![allow(missing_docs)] // `criterion_group!` generates an undocumented `pub fn`.

use std::collections::BTreeMap;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde::de::DeserializeOwned;
use stripe_wire::{
    Address, BalanceTransaction, BalanceTransactionStatus, BalanceTransactionType, BalanceType,
    BillingDetails, CardDetails, Charge, ChargeOutcome, ChargeStatus, FeeDetail, FeeType,
    FraudDetails, List, OutcomeType, PaymentMethodDetails,
};

const PAGE_SIZE: usize = 100;

fn charge(index: usize) -> Charge {
    let created = 1_760_000_000 + index as i64 * 37;
    Charge {
        id: format!("ch_3Q{index:022}"),
        amount: 1_000 + index as i64 * 13,
        amount_captured: 1_000 + index as i64 * 13,
        balance_transaction: Some(format!("txn_3Q{index:022}").into()),
        billing_details: Some(BillingDetails {
            address: Some(Address {
                city: Some("Berlin".to_owned()),
                country: Some("DE".to_owned()),
                line1: Some(format!("Hauptstrasse {index}")),
                postal_code: Some("10115".to_owned()),
                ..Default::default()
            }),
            email: Some(format!("customer{index}@example.com")),
            name: Some(format!("Customer {index}")),
            ..Default::default()
        }),
        calculated_statement_descriptor: Some("EXAMPLE SHOP".to_owned()),
        captured: true,
        created,
        currency: "eur".to_owned(),
        customer: Some(format!("cus_Q{index:012}").into()),
        description: Some(format!("Order #{index}")),
        fraud_details: Some(FraudDetails::default()),
        metadata: BTreeMap::from([("order_id".to_owned(), format!("ord_{index}"))]),
        outcome: Some(ChargeOutcome {
            network_status: Some("approved_by_network".to_owned()),
            risk_level: Some("normal".to_owned()),
            risk_score: Some((index % 100) as i64),
            seller_message: Some("Payment complete.".to_owned()),
            outcome_type: Some(OutcomeType::Authorized),
            ..Default::default()
        }),
        paid: true,
        payment_intent: Some(format!("pi_3Q{index:022}").into()),
        payment_method: Some(format!("pm_1Q{index:022}")),
        payment_method_details: Some(PaymentMethodDetails {
            card: Some(CardDetails {
                brand: Some("visa".to_owned()),
                country: Some("DE".to_owned()),
                exp_month: Some(8),
                exp_year: Some(2030),
                fingerprint: Some("AOB934RVNwzk6xtn".to_owned()),
                funding: Some("credit".to_owned()),
                last4: Some("4242".to_owned()),
                network: Some("visa".to_owned()),
            }),
            method_type: "card".to_owned(),
        }),
        receipt_url: Some(format!(
            "https://pay.stripe.com/receipts/payment/{index:040}"
        )),
        status: ChargeStatus::Succeeded,
        ..Default::default()
    }
}

fn balance_transaction(index: usize) -> BalanceTransaction {
    let amount = 1_000 + index as i64 * 13;
    let fee = 25 + amount * 14 / 1_000;
    BalanceTransaction {
        id: format!("txn_3Q{index:022}"),
        amount,
        available_on: 1_760_200_000 + index as i64 * 37,
        balance_type: Some(BalanceType::Payments),
        created: 1_760_000_000 + index as i64 * 37,
        currency: "eur".to_owned(),
        description: Some(format!("Order #{index}")),
        exchange_rate: if index % 4 == 0 { Some(1.0834) } else { None },
        fee,
        fee_details: vec![FeeDetail {
            amount: fee,
            currency: "eur".to_owned(),
            description: Some("Stripe processing fees".to_owned()),
            fee_type: FeeType::StripeFee,
            ..Default::default()
        }],
        net: amount - fee,
        reporting_category: "charge".to_owned(),
        source: Some(format!("ch_3Q{index:022}").into()),
        status: BalanceTransactionStatus::Available,
        transaction_type: BalanceTransactionType::Charge,
    }
}

fn page<T: serde::Serialize>(objects: Vec<T>, url: &str) -> Vec<u8> {
    serde_json::to_vec(&List::new(objects, true, url)).unwrap_or_default()
}

fn bench_page<T: DeserializeOwned>(criterion: &mut Criterion, name: &str, bytes: &[u8]) {
    let mut group = criterion.benchmark_group(name);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_with_input(
        BenchmarkId::new("typed_serde_json", PAGE_SIZE),
        bytes,
        |b, bytes| b.iter(|| serde_json::from_slice::<List<T>>(bytes).map(|list| list.data.len())),
    );
    group.bench_with_input(
        BenchmarkId::new("typed_with_path", PAGE_SIZE),
        bytes,
        |b, bytes| b.iter(|| stripe_wire::from_slice::<List<T>>(bytes).map(|list| list.data.len())),
    );
    group.bench_with_input(
        BenchmarkId::new("value_baseline", PAGE_SIZE),
        bytes,
        |b, bytes| {
            b.iter(|| {
                serde_json::from_slice::<serde_json::Value>(bytes).map(|value| value.is_object())
            })
        },
    );
    group.finish();
}

fn list_pages(criterion: &mut Criterion) {
    let charges = page((0..PAGE_SIZE).map(charge).collect(), "/v1/charges");
    let transactions = page(
        (0..PAGE_SIZE).map(balance_transaction).collect(),
        "/v1/balance_transactions",
    );
    // The pages must decode, or the numbers would measure error paths.
    assert!(stripe_wire::from_slice::<List<Charge>>(&charges).is_ok());
    assert!(stripe_wire::from_slice::<List<BalanceTransaction>>(&transactions).is_ok());
    bench_page::<Charge>(criterion, "charges_page", &charges);
    bench_page::<BalanceTransaction>(criterion, "balance_transactions_page", &transactions);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = list_pages
}
criterion_main!(benches);
