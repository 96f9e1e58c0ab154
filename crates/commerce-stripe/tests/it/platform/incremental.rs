//! Incremental pulls after a complete one: exactly the sandbox's changes, read from its events
//! (or new balance transactions), and a full pull again once the cursor is older than Stripe
//! keeps events.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use commerce_model::platform::Cursor;
use commerce_model::DataType;
use serde_json::Value;
use stripe_sandbox::Activity;

use super::{apply, pull_all, start, try_pull, Env};

const TYPES: [DataType; 6] = [
    DataType::CompanyInfo,
    DataType::Customers,
    DataType::Disputes,
    DataType::Payments,
    DataType::Products,
    DataType::Transactions,
];

async fn full_pulls(env: &Env) -> BTreeMap<DataType, (BTreeMap<String, Value>, Cursor)> {
    let mut pulled = BTreeMap::new();
    for data_type in TYPES {
        let batches = pull_all(env, data_type, None).await;
        let mut state = BTreeMap::new();
        apply(&mut state, &batches);
        pulled.insert(data_type, (state, batches.last().unwrap().cursor.clone()));
    }
    pulled
}

fn ids<'a>(items: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    items.into_iter().cloned().collect()
}

#[tokio::test]
async fn an_incremental_pull_yields_exactly_the_sandbox_changes() {
    let env = start(60, |_| {}).await;
    let account = env.account.external_id.clone();
    let mut pulled = full_pulls(&env).await;

    // Without activity, nothing changes (company info is always read again).
    for data_type in TYPES.into_iter().filter(|t| *t != DataType::CompanyInfo) {
        let cursor = pulled[&data_type].1.clone();
        let batches = pull_all(&env, data_type, Some(cursor.clone())).await;
        assert!(batches.iter().all(|batch| batch.incremental));
        assert!(
            batches
                .iter()
                .all(|batch| batch.records.is_empty() && batch.deleted_ids.is_empty()),
            "{data_type:?}: {batches:?}"
        );
        let since = |cursor: &Cursor| {
            serde_json::from_str::<Value>(cursor.as_str()).unwrap()["since"].clone()
        };
        assert_eq!(
            since(&batches.last().unwrap().cursor),
            since(&cursor),
            "{data_type:?}: the position stays"
        );
    }

    let (products, customers) = {
        let products: Vec<&String> = pulled[&DataType::Products].0.keys().collect();
        let customers: Vec<&String> = pulled[&DataType::Customers].0.keys().collect();
        (
            (products[0].clone(), products[1].clone()),
            customers[0].clone(),
        )
    };
    let charge = env
        .sandbox
        .apply(
            &account,
            Activity::NewCharge {
                amount: 4200,
                currency: None,
                customer: None,
            },
        )
        .unwrap()
        .object_id;
    let refund = env
        .sandbox
        .apply(
            &account,
            Activity::Refund {
                charge: charge.clone(),
                amount: Some(1000),
            },
        )
        .unwrap()
        .object_id;
    env.sandbox
        .apply(
            &account,
            Activity::UpdateProduct {
                product: products.0.clone(),
                name: Some("Renamed product".to_owned()),
                active: None,
            },
        )
        .unwrap();
    env.sandbox
        .apply(
            &account,
            Activity::DeleteProduct {
                product: products.1.clone(),
            },
        )
        .unwrap();
    env.sandbox
        .apply(
            &account,
            Activity::DeleteCustomer {
                customer: customers.clone(),
            },
        )
        .unwrap();

    for data_type in TYPES {
        let (state, cursor) = pulled.get_mut(&data_type).unwrap();
        env.sandbox.clear_requests();
        let batches = pull_all(&env, data_type, Some(cursor.clone())).await;
        let requests = env.sandbox.requests();
        assert!(batches.iter().all(|batch| batch.incremental));
        let records = ids(batches.iter().flat_map(|b| b.records.iter().map(|r| &r.id)));
        let deleted = ids(batches.iter().flat_map(|b| &b.deleted_ids));
        apply(state, &batches);
        let expected = env.expected(data_type).await;
        assert_eq!(
            state.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{data_type:?}: the stored ids equal a fresh mapping's"
        );
        for (id, json) in state.iter() {
            // Records that came through an event carry its time as `sourceModifiedDate`; a
            // mapping of the listed object has no event to take it from.
            let mut json = json.clone();
            if data_type != DataType::Products {
                if let Some(object) = json.as_object_mut() {
                    object.remove("sourceModifiedDate");
                }
            }
            assert_eq!(json, expected[id], "{data_type:?} {id}");
        }
        let paths: BTreeSet<&str> = requests.iter().map(|r| r.path.as_str()).collect();
        match data_type {
            DataType::Customers => {
                assert!(records.is_empty(), "{records:?}");
                assert_eq!(deleted, ids([&customers]));
                assert_eq!(paths, BTreeSet::from(["/v1/events"]));
            }
            DataType::Disputes => {
                assert!(records.is_empty() && deleted.is_empty());
            }
            DataType::Payments => {
                assert_eq!(records, ids([&charge, &refund]));
                // The new charge's intent is represented by the charge: never a record.
                assert!(
                    deleted.iter().all(|id| id.starts_with("pi_")),
                    "{deleted:?}"
                );
                assert_eq!(paths, BTreeSet::from(["/v1/events"]));
                for batch in &batches {
                    for record in &batch.records {
                        assert!(
                            record.source_modified_date.is_some(),
                            "sourceModifiedDate from the event: {}",
                            record.id
                        );
                        assert!(record.json["sourceModifiedDate"].is_string());
                    }
                }
            }
            DataType::Products => {
                assert_eq!(records, ids([&products.0]));
                assert_eq!(deleted, ids([&products.1]));
                assert_eq!(state[&products.0]["name"], "Renamed product");
                assert!(
                    !paths.contains("/v1/products"),
                    "no product list: {paths:?}"
                );
            }
            DataType::Transactions => {
                let main_rows: Vec<&String> =
                    records.iter().filter(|id| !id.contains(':')).collect();
                assert_eq!(
                    main_rows.len(),
                    2,
                    "the charge's and the refund's: {records:?}"
                );
                assert!(deleted.is_empty());
                assert_eq!(paths, BTreeSet::from(["/v1/balance_transactions"]));
            }
            _ => {
                assert_eq!(
                    records,
                    ids([&commerce_model::COMPANY_INFO_RECORD_ID.to_owned()])
                );
                assert_eq!(paths, BTreeSet::from(["/v1/account", "/v1/balance"]));
            }
        }
        *cursor = batches.last().unwrap().cursor.clone();
    }

    // Read again: the changes were consumed.
    for data_type in [DataType::Customers, DataType::Payments, DataType::Products] {
        let cursor = pulled[&data_type].1.clone();
        let batches = pull_all(&env, data_type, Some(cursor)).await;
        assert!(
            batches
                .iter()
                .all(|batch| batch.records.is_empty() && batch.deleted_ids.is_empty()),
            "{data_type:?} read twice: {batches:?}"
        );
    }
}

#[derive(Debug)]
struct Later(Duration);

impl commerce_stripe::Clock for Later {
    fn now(&self) -> SystemTime {
        SystemTime::now() + self.0
    }
}

#[tokio::test]
async fn a_cursor_older_than_the_event_history_starts_a_full_pull() {
    let env = start(30, |_| {}).await;
    let batches = pull_all(&env, DataType::Customers, None).await;
    let mut expected = BTreeMap::new();
    apply(&mut expected, &batches);
    let cursor = batches.last().unwrap().cursor.clone();

    let info = env.sandbox.info();
    let key = secrecy::ExposeSecret::expose_secret(&info.test.secret_key).to_owned();
    let later = |days: u64| {
        super::platform_for(env.sandbox.base_url(), &info.test.client_id, &key, None)
            .with_clock(Arc::new(Later(Duration::from_secs(days * 24 * 3600))))
    };

    // 29 days on: still incremental.
    let recent = try_pull(
        &later(29),
        &env.account,
        DataType::Customers,
        Some(cursor.clone()),
    )
    .await
    .unwrap();
    assert!(recent.iter().all(|batch| batch.incremental));

    // 31 days on: a full pull, which lists every customer again.
    env.sandbox.clear_requests();
    let old = try_pull(&later(31), &env.account, DataType::Customers, Some(cursor))
        .await
        .unwrap();
    assert!(old.iter().all(|batch| !batch.incremental));
    assert!(old.last().unwrap().complete);
    let mut state = BTreeMap::new();
    apply(&mut state, &old);
    assert!(state == expected);
    assert!(env
        .sandbox
        .requests()
        .iter()
        .any(|request| request.path == "/v1/customers"));
}
