//! Full pulls against the sandbox: every type equals mapping every sandbox object, and a pull
//! resumed from a mid-way cursor reads nothing before it.

use std::collections::{BTreeMap, BTreeSet};

use commerce_model::platform::Batch;
use commerce_model::platform::{Platform, PlatformError};
use commerce_model::DataType;
use futures::StreamExt;
use serde_json::Value;
use stripe_sandbox::{Activity, Resource};

use super::{apply, pull_all, start};

#[tokio::test]
async fn a_full_pull_of_every_type_equals_mapping_every_sandbox_object() {
    let env = start(120, |_| {}).await;
    let account = env.account.external_id.clone();
    for data_type in env.platform.supports().to_vec() {
        let batches = pull_all(&env, data_type, None).await;
        assert!(!batches.is_empty());
        let (last, rest) = batches.split_last().unwrap();
        assert!(last.complete && rest.iter().all(|batch| !batch.complete));
        assert!(batches.iter().all(|batch| !batch.incremental));
        assert!(
            batches.iter().all(|batch| batch.issues.is_empty()),
            "{data_type:?}: {:?}",
            batches.iter().flat_map(|b| &b.issues).collect::<Vec<_>>()
        );
        let pulled: usize = batches.iter().map(|batch| batch.records.len()).sum();
        let mut state = BTreeMap::new();
        apply(&mut state, &batches);
        assert_eq!(pulled, state.len(), "{data_type:?}: no record twice");
        let expected = env.expected(data_type).await;
        assert_eq!(state.len(), expected.len(), "{data_type:?} count");
        assert!(state == expected, "{data_type:?} content differs");
        assert!(batches
            .windows(2)
            .all(|pair| pair[0].progress.fetched <= pair[1].progress.fetched));
        assert!(last.progress.fetched as usize >= state.len().min(1));

        // Counts per type against the sandbox's own counts.
        let count = |resource| env.sandbox.count(&account, resource).unwrap() as usize;
        match data_type {
            DataType::Customers => assert_eq!(state.len(), count(Resource::Customers)),
            DataType::Disputes => assert_eq!(state.len(), count(Resource::Disputes)),
            DataType::Products => assert_eq!(state.len(), count(Resource::Products)),
            DataType::Payments => {
                let charge_less = state.keys().filter(|id| id.starts_with("pi_")).count();
                assert_eq!(
                    state.len() - charge_less,
                    count(Resource::Charges) + count(Resource::Refunds)
                );
                assert!(charge_less < count(Resource::PaymentIntents));
            }
            DataType::Transactions => {
                let main_rows = state.keys().filter(|id| !id.contains(':')).count();
                assert_eq!(main_rows, count(Resource::BalanceTransactions));
            }
            _ => assert_eq!(state.len(), 1),
        }
    }
}

#[tokio::test]
async fn pages_are_at_most_a_hundred_objects_under_the_connected_account() {
    let env = start(250, |_| {}).await;
    env.sandbox.clear_requests();
    let batches = pull_all(&env, DataType::Customers, None).await;
    let requests = env.sandbox.requests();
    let lists: Vec<_> = requests
        .iter()
        .filter(|request| request.path == "/v1/customers")
        .collect();
    // One batch per list page: the first page, then the segments below it.
    assert_eq!(lists.len(), batches.len());
    assert!(batches.len() >= 3, "{} batches", batches.len());
    assert!(batches.iter().all(|batch| batch.records.len() <= 100));
    let pulled: usize = batches.iter().map(|batch| batch.records.len()).sum();
    assert_eq!(pulled, 250);
    for request in &requests {
        assert_eq!(
            request.account.as_deref(),
            Some(env.account.external_id.as_str())
        );
    }
    assert!(lists
        .iter()
        .all(|request| request.query.contains("limit=100")));
}

#[tokio::test]
async fn one_sequence_when_segments_are_off() {
    let mut env = start(250, |_| {}).await;
    env.platform = env.platform.with_backfill_segments(1);
    env.sandbox.clear_requests();
    let batches = pull_all(&env, DataType::Customers, None).await;
    assert_eq!(batches.len(), 3);
    let requests = env.sandbox.requests();
    let lists: Vec<_> = requests
        .iter()
        .filter(|request| request.path == "/v1/customers")
        .collect();
    assert_eq!(lists.len(), 3, "three pages");
    assert!(lists
        .iter()
        .all(|request| !request.query.contains("created")));
    assert!(requests
        .iter()
        .all(|request| request.path == "/v1/customers" || request.path == "/v1/events"));
}

/// The ids of every record of `batches`, or a panic naming one pulled twice.
fn ids_once(batches: &[Batch]) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for record in batches.iter().flat_map(|batch| &batch.records) {
        assert!(ids.insert(record.id.clone()), "{} pulled twice", record.id);
    }
    ids
}

#[tokio::test]
async fn segments_skip_nothing_and_repeat_nothing() {
    // 1,000 customers over the sandbox's year, then 150 created after it started (one a
    // second): the first page ends among those, the top segment continues after it.
    let env = start(1_000, |_| {}).await;
    for index in 0..150 {
        env.sandbox
            .apply(
                &env.account.external_id,
                Activity::NewCustomer {
                    name: format!("New {index}"),
                    email: None,
                },
            )
            .unwrap();
    }
    env.sandbox.clear_requests();
    let batches = pull_all(&env, DataType::Customers, None).await;
    let cursor: Value = serde_json::from_str(batches[0].cursor.as_str()).unwrap();
    let segments = cursor["segments"].as_array().cloned().unwrap_or_default();
    assert!(segments.len() >= 3, "segmented: {cursor}");
    assert!(segments[0]["after"].is_string());
    let ids = ids_once(&batches);
    let expected = env.expected(DataType::Customers).await;
    assert_eq!(ids.len(), 1_150);
    assert!(ids.iter().eq(expected.keys()), "every customer, once");
    let mut state = BTreeMap::new();
    apply(&mut state, &batches);
    assert!(state == expected, "content as mapped one by one");
    // Every segment was asked for with its own bounds.
    let requests = env.sandbox.requests();
    for segment in &segments {
        let bound = |name: &str| {
            segment[name]
                .as_i64()
                .map(|time| format!("created%5B{name}%5D={time}"))
        };
        let parts: Vec<String> = [bound("gte"), bound("lt")].into_iter().flatten().collect();
        let asked = requests.iter().any(|request| {
            request.path == "/v1/customers"
                && parts
                    .iter()
                    .all(|part| request.query.contains(part.as_str()))
        });
        assert!(asked, "segment {segment} was never asked for");
    }
}

#[tokio::test]
async fn each_segment_resumes_after_its_last_stored_page() {
    let env = start(3_000, |_| {}).await;
    let full = pull_all(&env, DataType::Customers, None).await;
    let expected = env.expected(DataType::Customers).await;
    assert!(ids_once(&full).iter().eq(expected.keys()));
    assert!(full.len() >= 20, "{} batches", full.len());
    for stop in [1, 5, full.len() / 2, full.len() - 2] {
        let cursor = full[stop].cursor.clone();
        let decoded: Value = serde_json::from_str(cursor.as_str()).unwrap();
        let segments = decoded["segments"].as_array().cloned().unwrap_or_default();
        assert!(!segments.is_empty(), "batch {stop} is mid-way: {decoded}");
        env.sandbox.clear_requests();
        let resumed = pull_all(&env, DataType::Customers, Some(cursor)).await;
        let requests = env.sandbox.requests();
        // The first page (no filter, no cursor) is not read again, and each segment part-way
        // through starts after its own last stored id.
        assert!(requests
            .iter()
            .all(|request| request.query.contains("created")));
        for after in segments
            .iter()
            .filter_map(|segment| segment["after"].as_str())
        {
            assert!(
                requests
                    .iter()
                    .any(|request| request.query.contains(&format!("starting_after={after}"))),
                "segment after {after} resumed on its own"
            );
        }
        // Nothing stored before the crash is pulled again, nothing is missed.
        let before = ids_once(&full[..=stop]);
        let after = ids_once(&resumed);
        assert!(
            before.is_disjoint(&after),
            "resumed after batch {stop}: pulled twice"
        );
        assert!(
            before.union(&after).eq(expected.keys()),
            "resumed after batch {stop}: every customer"
        );
        assert!(resumed.last().unwrap().complete);
    }
}

#[tokio::test]
async fn a_pull_resumed_mid_way_reads_nothing_before_its_cursor() {
    let env = start(150, |_| {}).await;
    let full = pull_all(&env, DataType::Payments, None).await;
    assert!(full.len() >= 5, "several pages: {}", full.len());
    let mut expected = BTreeMap::new();
    apply(&mut expected, &full);

    // Resume after each batch in turn (a crash after storing it), and check what is re-read.
    for stop in [0, 1, full.len() / 2, full.len() - 2] {
        let cursor = full[stop].cursor.clone();
        let decoded: serde_json::Value = serde_json::from_str(cursor.as_str()).unwrap();
        env.sandbox.clear_requests();
        let resumed = pull_all(&env, DataType::Payments, Some(cursor)).await;
        let requests = env.sandbox.requests();
        let first = &requests[0];
        let stream = decoded["stream"].as_str().unwrap();
        assert_eq!(
            first.path,
            format!("/v1/{stream}"),
            "resumes on the cursor's list"
        );
        let segments = decoded["segments"].as_array().cloned().unwrap_or_default();
        match decoded["after"].as_str() {
            Some(after) => assert!(
                first.query.contains(&format!("starting_after={after}")),
                "{}",
                first.query
            ),
            // Segments part-way through: each starts after its own last id.
            None if !segments.is_empty() => {
                for after in segments
                    .iter()
                    .filter_map(|segment| segment["after"].as_str())
                {
                    assert!(requests
                        .iter()
                        .any(|request| request.query.contains(&format!("starting_after={after}"))));
                }
            }
            None => assert!(!first.query.contains("starting_after")),
        }
        let earlier_lists: Vec<&str> = match stream {
            "refunds" => vec!["/v1/charges"],
            "payment_intents" => vec!["/v1/charges", "/v1/refunds"],
            _ => vec![],
        };
        assert!(
            requests
                .iter()
                .all(|request| !earlier_lists.contains(&request.path.as_str())
                    && request.path != "/v1/events"),
            "nothing before the cursor is read again"
        );
        let mut state = BTreeMap::new();
        apply(&mut state, &full[..=stop]);
        apply(&mut state, &resumed);
        assert!(state == expected, "resumed after batch {stop}");
        assert!(resumed.last().unwrap().complete);
        assert_eq!(
            resumed.last().unwrap().cursor,
            full.last().unwrap().cursor,
            "ends at the same incremental position"
        );
    }
}

#[tokio::test]
async fn types_stripe_does_not_have_are_not_supported() {
    let env = start(10, |_| {}).await;
    for data_type in [
        DataType::Orders,
        DataType::Locations,
        DataType::PaymentMethods,
        DataType::ProductCategories,
        DataType::TaxComponents,
    ] {
        let items: Vec<_> = env
            .platform
            .pull(&env.account, data_type, None)
            .collect()
            .await;
        assert_eq!(items.len(), 1);
        match &items[0] {
            Err(error @ PlatformError::NotSupported { data_type: asked }) => {
                assert_eq!(*asked, data_type);
                assert_eq!(error.dataset_status().as_str(), "NotSupported");
            }
            other => panic!("{data_type:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_revoked_account_needs_relinking() {
    let env = start(10, |_| {}).await;
    env.sandbox.deauthorize(&env.account.external_id).unwrap();
    for data_type in [
        DataType::CompanyInfo,
        DataType::Customers,
        DataType::Transactions,
    ] {
        let items: Vec<_> = env
            .platform
            .pull(&env.account, data_type, None)
            .collect()
            .await;
        assert_eq!(items.len(), 1, "the stream ends after the error");
        match &items[0] {
            Err(error @ PlatformError::RelinkNeeded { .. }) => {
                assert_eq!(error.dataset_status().as_str(), "AuthError")
            }
            other => panic!("{data_type:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_cursor_of_another_type_or_format_restarts_the_pull() {
    let env = start(10, |_| {}).await;
    let customers = pull_all(&env, DataType::Customers, None).await;
    let cursor = customers.last().unwrap().cursor.clone();
    let items: Vec<_> = env
        .platform
        .pull(&env.account, DataType::Payments, Some(cursor))
        .collect()
        .await;
    assert!(
        matches!(items[..], [Err(PlatformError::CursorExpired { .. })]),
        "{items:?}"
    );
}
