//! With faults injected (10% 500s, 2% dropped connections, 429 bursts from a low rate limit
//! the client's limiter does not know about, and a 500 and a dropped connection scripted in the
//! middle of the products pull's price lists), the final state equals a fault-free run's.
//!
//! A full sync makes few requests (a page of 100 per request; products read their prices a page
//! at a time too), so the sandbox's rate limit is low enough for the burst at the start of a
//! sync to overrun it, and the scripted faults make sure each kind of fault is met.

use std::collections::BTreeMap;

use commerce_model::DataType;
use commerce_store::Store;
use commerce_stripe::SUPPORTED_DATA_TYPES;
use stripe_sandbox::{Fault, FaultRates, FaultRule, RateLimits};
use uuid::Uuid;

use super::{all_complete, assert_same, link, sandbox, snapshot, supported_statuses, StripeEnv};
use crate::sync_support::{Kind, TestDb};

/// 300 objects of each kind: lists of several pages, and price lists of several pages too.
const SIZE: u64 = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_faults_do_not_change_the_final_state() {
    faults_do_not_change_the_final_state(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_faults_do_not_change_the_final_state() {
    faults_do_not_change_the_final_state(Kind::Postgres).await;
}

/// Syncs every data type until each supported one is `Complete` (re-queueing a type that
/// ended in an error, as the schedule would), at most `rounds` times.
async fn sync_to_completion(env: &StripeEnv, store: &Store, conn: Uuid, attempts: u32) -> usize {
    let engine = env.engine(store.clone(), env.platform(attempts, 1000));
    engine.queue_all(conn).await.unwrap();
    for round in 1..=5 {
        engine.run_until_idle().await.unwrap();
        let statuses = supported_statuses(store, conn).await;
        if statuses == all_complete() {
            return round;
        }
        for (data_type, status) in statuses {
            if !status.is_in_progress() && status != commerce_store::DatasetStatus::Complete {
                engine.queue(conn, data_type).await.unwrap();
            }
        }
    }
    panic!(
        "not complete after 5 rounds: {:?}",
        supported_statuses(store, conn).await
    );
}

/// Every record's content hash and deleted flag, per data type.
async fn hashes(store: &Store, conn: Uuid) -> BTreeMap<DataType, BTreeMap<String, String>> {
    let live = snapshot(store, conn).await;
    let mut all = BTreeMap::new();
    for data_type in SUPPORTED_DATA_TYPES {
        let mut by_id = BTreeMap::new();
        for id in live[&data_type].keys() {
            let record = store.get_record(conn, data_type, id).await.unwrap();
            by_id.insert(id.clone(), record.content_hash);
        }
        all.insert(data_type, by_id);
    }
    all
}

async fn faults_do_not_change_the_final_state(kind: Kind) {
    // The fault-free run.
    let clean_env = sandbox(SIZE, |_| {}).await;
    let clean_db = TestDb::new(kind).await;
    let clean_store = clean_db.store().await;
    let clean_conn = link(&clean_store, clean_env.account()).await;
    assert_eq!(
        sync_to_completion(&clean_env, &clean_store, clean_conn, 1).await,
        1
    );
    assert!(clean_env
        .sandbox
        .requests()
        .iter()
        .all(|request| request.status == Some(200)));

    // The same data behind a faulty sandbox.
    let faulty_env = sandbox(SIZE, |config| {
        let mut rates = FaultRates::default();
        rates.server_error = 0.10;
        rates.drop_connection = 0.02;
        config.fault_rates = rates;
        config.rate_limits = RateLimits::per_second(10);
    })
    .await;
    // Faults inside the price walk: its 2nd and 3rd price list requests.
    for (nth, fault) in [(2, Fault::ServerError), (3, Fault::DropConnection)] {
        faulty_env
            .sandbox
            .add_fault(FaultRule::new("/v1/prices", fault).on_request(nth))
            .unwrap();
    }
    let faulty_db = TestDb::new(kind).await;
    let faulty_store = faulty_db.store().await;
    let faulty_conn = link(&faulty_store, faulty_env.account()).await;
    sync_to_completion(&faulty_env, &faulty_store, faulty_conn, 12).await;

    let requests = faulty_env.sandbox.requests();
    let count = |status: Option<u16>| {
        requests
            .iter()
            .filter(|request| request.status == status)
            .count()
    };
    let (errors, dropped, limited) = (count(Some(500)), count(None), count(Some(429)));
    assert!(
        errors > 0 && dropped > 0 && limited > 0,
        "faults were injected: {errors} 500s, {dropped} dropped, {limited} 429s of {}",
        requests.len()
    );
    let price_faults: Vec<Fault> = requests
        .iter()
        .filter(|request| request.path == "/v1/prices")
        .filter_map(|request| request.fault)
        .collect();
    assert!(
        price_faults.contains(&Fault::ServerError) && price_faults.contains(&Fault::DropConnection),
        "the price walk met faults: {price_faults:?}"
    );
    eprintln!(
        "{kind:?}: {errors} 500s, {dropped} dropped, {limited} 429s of {} requests",
        requests.len()
    );

    let clean = snapshot(&clean_store, clean_conn).await;
    assert_same(
        &snapshot(&faulty_store, faulty_conn).await,
        &clean,
        "faulty run vs fault-free run",
    );
    assert_eq!(
        hashes(&faulty_store, faulty_conn).await,
        hashes(&clean_store, clean_conn).await
    );
    assert_same(
        &clean,
        &clean_env.expected_all(clean_env.account()).await,
        "fault-free run vs mapping",
    );
}
