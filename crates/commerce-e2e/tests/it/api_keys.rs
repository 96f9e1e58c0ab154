//! Linking with a pasted Stripe API key (`PUT .../connections/{id}/authorization`) and grants
//! shared by connections, end to end against `stripe-sandbox` with the real `StripePlatform`.

use std::time::Duration;

use commerce_model::platform::Platform;
use commerce_model::DataType;
use serde_json::{json, Value};
use stripe_sandbox::{Activity, PERMISSIONS};

use crate::support::{sandbox_server, SandboxServer, STRIPE_TEST_KEY};

/// Every permission the sync uses but `without`.
fn permissions_without(without: &str) -> Vec<&'static str> {
    PERMISSIONS
        .iter()
        .map(|(_, permission)| *permission)
        .filter(|permission| *permission != without)
        .collect()
}

async fn put_key(
    setup: &SandboxServer,
    company: &str,
    connection: &str,
    key: &str,
) -> (u16, Value) {
    let response = setup
        .server
        .client
        .put(setup.server.url(&format!(
            "/companies/{company}/connections/{connection}/authorization"
        )))
        .json(&json!({ "apiKey": key }))
        .send()
        .await
        .unwrap();
    crate::support::status_json(response).await
}

async fn new_connection(setup: &SandboxServer, name: &str) -> (String, String) {
    let company = setup.server.create_company(name, None).await;
    let connection = setup
        .server
        .create_connection(&company, STRIPE_TEST_KEY)
        .await;
    (company, connection["id"].as_str().unwrap().to_owned())
}

/// The latest pull operation of each data type of the company, by data type key.
async fn latest_pulls(
    setup: &SandboxServer,
    company: &str,
) -> std::collections::BTreeMap<String, Value> {
    let (status, page) = setup
        .server
        .get(&format!("/companies/{company}/data/history?pageSize=100"))
        .await;
    assert_eq!(status, 200, "{page}");
    let mut latest = std::collections::BTreeMap::new();
    for pull in page["results"].as_array().unwrap() {
        let key = pull["dataType"].as_str().unwrap().to_owned();
        let newer = latest
            .get(&key)
            .is_none_or(|seen: &Value| seen["requested"].as_str() <= pull["requested"].as_str());
        if newer {
            latest.insert(key, pull.clone());
        }
    }
    latest
}

fn api_requests_with_stripe_account(setup: &SandboxServer) -> usize {
    setup
        .sandbox
        .requests()
        .iter()
        .filter(|request| request.path.starts_with("/v1/") && request.account.is_some())
        .count()
}

#[tokio::test]
async fn a_pasted_restricted_key_links_syncs_and_reads() {
    let setup = sandbox_server(12, 1_800_000_000, false).await;
    let account = setup.info.test_accounts()[0].to_owned();
    let key = setup
        .info
        .merchant_keys
        .iter()
        .find(|keys| keys.account == account)
        .unwrap()
        .restricted_key
        .clone();
    let (company, id) = new_connection(&setup, "Key Merchant").await;
    setup.sandbox.clear_requests();

    let (status, connection) = put_key(&setup, &company, &id, &key).await;
    assert_eq!(status, 200, "{connection}");
    assert_eq!(connection["status"], "Linked");
    let stored = setup
        .server
        .store
        .get_connection(id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        stored.external_account_id.as_deref(),
        Some(account.as_str())
    );

    // The first sync of every data type was queued; it runs with the key itself.
    setup.server.engine.run_until_idle().await.unwrap();
    let (_, statuses) = setup
        .server
        .get(&format!("/companies/{company}/dataStatus"))
        .await;
    for data_type in setup.platform.supports() {
        assert_eq!(
            statuses[data_type.key()]["currentStatus"],
            "Complete",
            "{statuses}"
        );
    }
    assert_eq!(api_requests_with_stripe_account(&setup), 0);
    let (status, customers) = setup
        .server
        .get(&format!(
            "/companies/{company}/connections/{id}/data/commerce-customers"
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        customers["totalResults"].as_u64().unwrap() > 0,
        "{customers}"
    );

    // The stored account (its key sealed by the store) says how it was linked.
    let linked = setup
        .server
        .store
        .linked_account(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(linked.account.scope.as_deref(), Some("restricted_key"));
}

#[tokio::test]
async fn a_key_without_dispute_permission_ends_disputes_in_permissions_error() {
    let setup = sandbox_server(12, 1_800_000_000, false).await;
    let account = setup.info.test_accounts()[0].to_owned();
    let key = setup
        .sandbox
        .create_restricted_key(&account, &permissions_without("rak_dispute_read"))
        .unwrap();
    let (company, id) = new_connection(&setup, "No Disputes").await;
    let (status, connection) = put_key(&setup, &company, &id, &key).await;
    assert_eq!(status, 200, "{connection}");
    setup.server.engine.run_until_idle().await.unwrap();

    let pulls = latest_pulls(&setup, &company).await;
    for data_type in setup.platform.supports() {
        let pull = &pulls[data_type.key()];
        if *data_type == DataType::Disputes {
            assert_eq!(pull["status"], "PermissionsError", "{pull}");
            let description = pull["statusDescription"].as_str().unwrap();
            assert!(description.contains("rak_dispute_read"), "{description}");
            assert!(
                description.contains(&format!("...{}", &key[key.len() - 4..])),
                "{description}"
            );
            assert!(!description.contains(&key), "{description}");
        } else {
            assert_eq!(pull["status"], "Complete", "{pull}");
        }
    }
}

#[tokio::test]
async fn refused_keys_answer_400_and_leave_the_connection_unlinked() {
    let setup = sandbox_server(10, 1_800_000_000, false).await;
    let live_account = setup.info.live_accounts()[0].to_owned();
    let live_key = setup
        .info
        .merchant_keys
        .iter()
        .find(|keys| keys.account == live_account)
        .unwrap()
        .restricted_key
        .clone();
    let test_account = setup.info.test_accounts()[0].to_owned();
    let (company, id) = new_connection(&setup, "Refused").await;

    // A live key for Stripe Test.
    let (status, body) = put_key(&setup, &company, &id, &live_key).await;
    assert_eq!(status, 400, "{body}");
    let text = body.to_string();
    assert!(text.contains("live-mode key"), "{text}");
    assert!(text.contains("test-mode key"), "{text}");
    assert!(!text.contains(&live_key), "{text}");

    // A key Stripe does not know: shown by its last four characters only.
    let wrong = "rk_test_51MxThisKeyDoesNotExist9z8Y";
    let (status, body) = put_key(&setup, &company, &id, wrong).await;
    assert_eq!(status, 400, "{body}");
    let text = body.to_string();
    assert!(text.contains("...9z8Y"), "{text}");
    assert!(!text.contains("ThisKeyDoesNotExist"), "{text}");

    // A key that may not read the account: Stripe's missing permission is quoted.
    let no_account = setup
        .sandbox
        .create_restricted_key(&test_account, &permissions_without("rak_account_read"))
        .unwrap();
    let (status, body) = put_key(&setup, &company, &id, &no_account).await;
    assert_eq!(status, 400, "{body}");
    let text = body.to_string();
    assert!(text.contains("rak_account_read"), "{text}");
    assert!(!text.contains(&no_account), "{text}");

    // Not an object of strings.
    let response = setup
        .server
        .client
        .put(setup.server.url(&format!(
            "/companies/{company}/connections/{id}/authorization"
        )))
        .json(&json!({ "apiKey": 5 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    let (_, connection) = setup
        .server
        .get(&format!("/companies/{company}/connections/{id}"))
        .await;
    assert_eq!(connection["status"], "PendingAuth");
}

#[tokio::test]
async fn a_key_without_events_permission_syncs_with_full_pulls() {
    let setup = sandbox_server(10, 1_800_000_000, false).await;
    let account = setup.info.test_accounts()[0].to_owned();
    let key = setup
        .sandbox
        .create_restricted_key(&account, &permissions_without("rak_event_read"))
        .unwrap();
    let (company, id) = new_connection(&setup, "No Events").await;
    let (status, body) = put_key(&setup, &company, &id, &key).await;
    assert_eq!(status, 200, "{body}");
    setup.server.engine.run_until_idle().await.unwrap();
    let pulls = latest_pulls(&setup, &company).await;
    for data_type in setup.platform.supports() {
        assert_eq!(pulls[data_type.key()]["status"], "Complete");
    }
    let description = pulls["commerce-customers"]["statusDescription"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(description.contains("rak_event_read"), "{description}");
    assert!(description.contains("full pull"), "{description}");

    // A change at Stripe arrives with the next (full) pull.
    setup
        .sandbox
        .apply(
            &account,
            Activity::NewCustomer {
                name: "Evelyn Events".to_owned(),
                email: None,
            },
        )
        .unwrap();
    let (status, body) = setup
        .server
        .post(
            &format!("/companies/{company}/data/queue/commerce-customers?connectionId={id}"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    setup.server.engine.run_until_idle().await.unwrap();
    let (_, page) = setup
        .server
        .get(&format!(
            "/companies/{company}/connections/{id}/data/commerce-customers?query=customerName%3DEvelyn%20Events"
        ))
        .await;
    assert_eq!(page["totalResults"], 1, "{page}");
    let pulls = latest_pulls(&setup, &company).await;
    let latest = &pulls["commerce-customers"];
    assert_eq!(latest["status"], "Complete");
    assert!(latest["statusDescription"]
        .as_str()
        .unwrap()
        .contains("full pull"));
}

fn deauthorize_calls(setup: &SandboxServer) -> usize {
    setup
        .sandbox
        .requests()
        .iter()
        .filter(|request| request.path == "/oauth/deauthorize")
        .count()
}

async fn unlink(setup: &SandboxServer, company: &str, id: &str) -> Value {
    let response = setup
        .server
        .client
        .patch(
            setup
                .server
                .url(&format!("/companies/{company}/connections/{id}")),
        )
        .json(&json!({ "status": "Unlinked" }))
        .send()
        .await
        .unwrap();
    let (status, body) = crate::support::status_json(response).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn dashboard_page(setup: &SandboxServer, connection: &str) -> String {
    let response = setup
        .server
        .client
        .get(setup.server.url(&format!("/ui/connections/{connection}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[tokio::test]
async fn a_shared_grant_is_revoked_only_with_its_last_connection() {
    let setup = sandbox_server(10, 1_800_000_000, false).await;
    let first = setup.link("Shared One").await;
    let second = setup.link("Shared Two").await;
    assert_eq!(first.account, second.account);
    setup.server.engine.run_until_idle().await.unwrap();
    setup.sandbox.clear_requests();

    // The dashboard says what unlinking would do.
    let page = dashboard_page(&setup, &first.connection).await;
    assert!(
        page.contains("1 other linked connection(s) share this account&#39;s grant"),
        "{page}"
    );

    let body = unlink(&setup, &first.company, &first.connection).await;
    assert_eq!(body["status"], "Unlinked");
    assert_eq!(body["platformAccessRevoked"], false, "{body}");
    assert_eq!(deauthorize_calls(&setup), 0);
    let page = dashboard_page(&setup, &first.connection).await;
    assert!(
        page.contains("Access at Stripe Test was not revoked"),
        "{page}"
    );

    // The other connection still reads the account.
    let (status, _) = setup
        .server
        .post(
            &format!(
                "/companies/{}/data/queue/commerce-customers?connectionId={}",
                second.company, second.connection
            ),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    setup.server.engine.run_until_idle().await.unwrap();
    let pulls = latest_pulls(&setup, &second.company).await;
    assert_eq!(pulls["commerce-customers"]["status"], "Complete");

    let body = unlink(&setup, &second.company, &second.connection).await;
    assert_eq!(body["platformAccessRevoked"], true, "{body}");
    assert_eq!(deauthorize_calls(&setup), 1);
}

#[tokio::test]
async fn stripe_deauthorizing_marks_every_connection_sharing_the_grant() {
    let setup = sandbox_server(10, 1_800_000_000, true).await;
    let first = setup.link("Grant One").await;
    let second = setup.link("Grant Two").await;
    assert_eq!(first.account, second.account);
    // A third connection linked with the merchant's own key does not use the grant.
    let key = setup
        .info
        .merchant_keys
        .iter()
        .find(|keys| keys.account == first.account)
        .unwrap()
        .restricted_key
        .clone();
    let (company, keyed) = new_connection(&setup, "Grant Key").await;
    assert_eq!(put_key(&setup, &company, &keyed, &key).await.0, 200);
    setup.server.engine.run_until_idle().await.unwrap();

    setup.sandbox.deauthorize(&first.account).unwrap();
    for (company, id) in [
        (&first.company, &first.connection),
        (&second.company, &second.connection),
    ] {
        let path = format!("/companies/{company}/connections/{id}");
        let mut status = Value::Null;
        for _ in 0..200 {
            status = setup.server.get(&path).await.1["status"].clone();
            if status == "Deauthorized" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(status, "Deauthorized");
    }
    let (_, connection) = setup
        .server
        .get(&format!("/companies/{company}/connections/{keyed}"))
        .await;
    assert_eq!(connection["status"], "Linked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlink_during_a_running_sync_wins() {
    let setup = sandbox_server(600, 1_800_000_000, false).await;
    // Every list page is slow, so the sync is still running when the unlink comes.
    setup
        .sandbox
        .add_fault(
            stripe_sandbox::FaultRule::new("/v1/*", stripe_sandbox::Fault::Slow { millis: 150 })
                .times(10_000),
        )
        .unwrap();
    let link = setup.link("Busy").await;
    let engine = setup.server.engine.clone();
    let running = tokio::spawn(async move { engine.run_until_idle().await });
    // Wait until a pull has written a page.
    let mut started = false;
    for _ in 0..400 {
        let (_, page) = setup
            .server
            .get(&format!(
                "/companies/{}/data/history?pageSize=100",
                link.company
            ))
            .await;
        started = page["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|pull| pull["status"] == "Fetching");
        if started {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(started, "no pull started");
    let body = unlink(&setup, &link.company, &link.connection).await;
    assert_eq!(body["status"], "Unlinked");
    assert_eq!(body["platformAccessRevoked"], true);
    running.await.unwrap().unwrap();
    let (_, connection) = setup
        .server
        .get(&format!(
            "/companies/{}/connections/{}",
            link.company, link.connection
        ))
        .await;
    assert_eq!(connection["status"], "Unlinked");
    // The pulls that were running stopped: none of them completed after the unlink.
    let pulls = latest_pulls(&setup, &link.company).await;
    assert!(
        pulls
            .values()
            .any(|pull| pull["status"] == "Cancelled" || pull["status"] == "AuthError"),
        "{pulls:?}"
    );
}
