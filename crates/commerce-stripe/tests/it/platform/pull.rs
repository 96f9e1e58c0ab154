//! Full pulls against the sandbox: every type equals mapping every sandbox object, and a pull
//! resumed from a mid-way cursor reads nothing before it.

use std::collections::BTreeMap;

use commerce_model::platform::{Platform, PlatformError};
use commerce_model::DataType;
use futures::StreamExt;
use stripe_sandbox::Resource;

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
    assert_eq!(batches.len(), 3);
    let requests = env.sandbox.requests();
    let lists: Vec<_> = requests
        .iter()
        .filter(|request| request.path == "/v1/customers")
        .collect();
    assert_eq!(lists.len(), 3);
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
        match decoded["after"].as_str() {
            Some(after) => assert!(
                first.query.contains(&format!("starting_after={after}")),
                "{}",
                first.query
            ),
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
