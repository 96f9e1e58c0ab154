//! A full sync stores exactly the mapping of every sandbox object; after sandbox activity an
//! incremental sync picks up exactly the changes (deletions soft-deleted) reading only the
//! change feed.

use std::collections::BTreeSet;

use commerce_model::DataType;
use commerce_store::DatasetStatus;
use stripe_sandbox::{Activity, Resource};

use super::{all_complete, assert_same, link, record, sandbox, snapshot, supported_statuses};
use crate::sync_support::{Kind, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_full_then_incremental_sync_against_the_sandbox() {
    full_then_incremental(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_full_then_incremental_sync_against_the_sandbox() {
    full_then_incremental(Kind::Postgres).await;
}

async fn full_then_incremental(kind: Kind) {
    let env = sandbox(150, |_| {}).await;
    let account = env.account().to_owned();
    let db = TestDb::new(kind).await;
    let store = db.store().await;
    let conn = link(&store, &account).await;
    let engine = env.engine(store.clone(), env.platform(2, 1000));

    // (a) Full sync: the same count and content per data type as mapping every object.
    let queued = engine.queue_all(conn).await.unwrap();
    assert_eq!(
        queued.queued.len(),
        commerce_stripe::SUPPORTED_DATA_TYPES.len()
    );
    engine.run_until_idle().await.unwrap();
    assert_eq!(supported_statuses(&store, conn).await, all_complete());
    let expected = env.expected_all(&account).await;
    let full = snapshot(&store, conn).await;
    assert_same(&full, &expected, "full sync");
    assert_eq!(
        full[&DataType::Customers].len() as u64,
        env.sandbox.count(&account, Resource::Customers).unwrap()
    );
    assert!(full.values().all(|records| !records.is_empty()));

    // (b) Sandbox activity, then an incremental sync.
    let customer = full[&DataType::Customers].keys().nth(3).unwrap().clone();
    let products: Vec<String> = full[&DataType::Products].keys().cloned().collect();
    let (edited, deleted) = (products[0].clone(), products[1].clone());
    let dispute = full[&DataType::Disputes]
        .iter()
        .find(|(_, json)| json["status"] != "Won" && json["status"] != "Lost")
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| full[&DataType::Disputes].keys().next().unwrap().clone());
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
            Activity::DisputeStatus {
                dispute: dispute.clone(),
                status: "won".to_owned(),
            },
        )
        .unwrap();
    env.sandbox
        .apply(
            &account,
            Activity::UpdateProduct {
                product: edited.clone(),
                name: Some("Renamed in the sandbox".to_owned()),
                active: None,
            },
        )
        .unwrap();
    env.sandbox
        .apply(
            &account,
            Activity::DeleteProduct {
                product: deleted.clone(),
            },
        )
        .unwrap();
    env.sandbox
        .apply(
            &account,
            Activity::DeleteCustomer {
                customer: customer.clone(),
            },
        )
        .unwrap();

    let before = chrono::Utc::now();
    env.sandbox.clear_requests();
    let queued = engine.queue_all(conn).await.unwrap();
    assert_eq!(
        queued.queued.len(),
        commerce_stripe::SUPPORTED_DATA_TYPES.len()
    );
    engine.run_until_idle().await.unwrap();
    assert_eq!(supported_statuses(&store, conn).await, all_complete());
    let requests = env.sandbox.requests();

    // The final state is the mapping of the changed sandbox (records that came through an
    // event carry the event's time as `sourceModifiedDate`, which a listed object has not).
    let expected = env.expected_all(&account).await;
    let mut after = snapshot(&store, conn).await;
    for (data_type, records) in after.iter_mut() {
        for (id, json) in records.iter_mut() {
            let listed_has_none = expected[data_type]
                .get(id)
                .is_some_and(|listed| listed.get("sourceModifiedDate").is_none());
            if listed_has_none {
                json.as_object_mut().unwrap().remove("sourceModifiedDate");
            }
        }
    }
    assert_same(&after, &expected, "incremental sync");
    assert_eq!(
        after[&DataType::Products][&edited]["name"],
        "Renamed in the sandbox"
    );
    assert!(after[&DataType::Payments].contains_key(&charge));
    assert!(after[&DataType::Payments].contains_key(&refund));

    // Deletions are soft: the rows stay, flagged.
    for (data_type, id) in [
        (DataType::Customers, &customer),
        (DataType::Products, &deleted),
    ] {
        let row = record(&store, conn, data_type, id).await;
        assert!(row.deleted, "{data_type:?} {id} soft-deleted");
        assert!(row.modified_date >= before);
    }

    // Exactly the changes: nothing else was rewritten.
    let mut changed: BTreeSet<(DataType, String)> = BTreeSet::new();
    for data_type in commerce_stripe::SUPPORTED_DATA_TYPES {
        for id in full[&data_type].keys() {
            if record(&store, conn, data_type, id).await.modified_date >= before {
                changed.insert((data_type, id.clone()));
            }
        }
    }
    let old_changed: BTreeSet<(DataType, String)> = changed
        .iter()
        .filter(|(data_type, _)| *data_type != DataType::CompanyInfo)
        .cloned()
        .collect();
    let expected_changed: BTreeSet<(DataType, String)> = [
        (DataType::Customers, customer.clone()),
        (DataType::Disputes, dispute.clone()),
        (DataType::Products, edited.clone()),
        (DataType::Products, deleted.clone()),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        old_changed, expected_changed,
        "only the changed objects' records were rewritten"
    );

    // It read no more than it needed: the change feed, new balance transactions, the
    // account and balance (company info), and the prices of the edited product; no list of
    // any resource from the start.
    let paths: BTreeSet<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    for full_list in [
        "/v1/customers",
        "/v1/disputes",
        "/v1/charges",
        "/v1/refunds",
        "/v1/payment_intents",
        "/v1/products",
    ] {
        assert!(!paths.contains(full_list), "{full_list} listed: {paths:?}");
    }
    assert!(paths.contains("/v1/events"), "{paths:?}");
    for request in &requests {
        if request.path == "/v1/balance_transactions" {
            assert!(
                request.query.contains("created"),
                "balance transactions read from the cursor: {}",
                request.query
            );
        }
    }
    assert!(
        requests.len() <= 20,
        "{} requests: {:?}",
        requests.len(),
        requests
            .iter()
            .map(|r| format!("{} {}", r.path, r.query))
            .collect::<Vec<_>>()
    );

    // Datasets: the incremental pass wrote its changes (not the whole data set again).
    let statuses = store.data_statuses(conn).await.unwrap();
    let customers = store
        .get_dataset(statuses[&DataType::Customers].latest_sync_id)
        .await
        .unwrap();
    assert_eq!(customers.status, DatasetStatus::Complete);
    assert!(customers.records <= 1, "{customers:?}");
}
