//! The link flow over real HTTP, redirects followed like a browser.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use commerce_model::DataType;

use crate::fake::{FakePlatform, ACCOUNT};
use crate::support::{browser, Options, TestServer};

const SUPPORTED: &[DataType] = &[DataType::CompanyInfo, DataType::Customers];

async fn setup(options: Option<Options>) -> (TestServer, Arc<FakePlatform>) {
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    let server = match options {
        Some(options) => TestServer::start_with(vec![platform.clone()], options).await,
        None => TestServer::start(vec![platform.clone()]).await,
    };
    (server, platform)
}

#[tokio::test]
async fn link_url_redirects_to_the_platform_then_links_and_queues_the_initial_sync() {
    let (server, platform) = setup(None).await;
    let company = server.create_company("Acme", None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    assert_eq!(connection["status"], "PendingAuth");
    let link_url = connection["linkUrl"].as_str().unwrap();
    assert_eq!(
        link_url,
        format!(
            "{}/link/{}",
            server.base,
            connection["id"].as_str().unwrap()
        )
    );

    // First hop by hand: a 302 to the platform with a state and our callback.
    let first = server.client.get(link_url).send().await.unwrap();
    assert_eq!(first.status(), 302);
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&platform.provider_url), "{location}");
    let authorize = url::Url::parse(&location).unwrap();
    let pairs: std::collections::BTreeMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(
        pairs["redirect_uri"],
        format!("{}/oauth/fake/callback", server.base)
    );
    assert!(pairs["state"].len() >= 40);

    // The whole flow, as a browser.
    let response = browser().get(link_url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.url().path().starts_with("/oauth/fake/callback"));
    let page = response.text().await.unwrap();
    assert!(page.contains("Account linked"), "{page}");

    let id = connection["id"].as_str().unwrap();
    let (_, linked) = server
        .get(&format!("/companies/{company}/connections/{id}"))
        .await;
    assert_eq!(linked["status"], "Linked");
    let stored = server
        .store
        .get_connection(id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(stored.external_account_id.as_deref(), Some(ACCOUNT));
    assert_eq!(stored.scope.as_deref(), Some("read_only"));
    let credentials = server
        .store
        .get_credentials(stored.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(&credentials.access_token),
        "tok_fake_secret"
    );
    // The whole account the platform returned is kept, metadata included.
    let account = server
        .store
        .linked_account(stored.id)
        .await
        .unwrap()
        .unwrap()
        .account;
    assert_eq!(account.metadata["fake_shop"], "shop-1");

    // The initial sync was queued for every supported data type; the others ended
    // `NotSupported` at once.
    let (_, history) = server
        .get(&format!("/companies/{company}/data/history"))
        .await;
    assert_eq!(history["totalResults"], DataType::ALL.len());
    for operation in history["results"].as_array().unwrap() {
        let data_type = DataType::parse(operation["dataType"].as_str().unwrap()).unwrap();
        let expected = if SUPPORTED.contains(&data_type) {
            "Queued"
        } else {
            "NotSupported"
        };
        assert_eq!(operation["status"], expected, "{operation}");
    }
}

#[tokio::test]
async fn after_linking_the_merchant_goes_to_the_company_redirect() {
    let (server, platform) = setup(None).await;
    let redirect = format!("{}/done", platform.provider_url);
    let company = server.create_company("Acme", Some(&redirect)).await;
    let connection = server.create_connection(&company, "fktt").await;
    let response = browser()
        .get(connection["linkUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let final_url = response.url().clone();
    assert_eq!(final_url.path(), "/done");
    let pairs: std::collections::BTreeMap<_, _> = final_url.query_pairs().into_owned().collect();
    assert_eq!(pairs["connectionId"], connection["id"].as_str().unwrap());
    assert_eq!(pairs["status"], "Linked");
    assert_eq!(platform.provider.redirects_done.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn declining_leaves_the_connection_pending_with_a_clear_page() {
    let (server, platform) = setup(None).await;
    platform.provider.decline.store(true, Ordering::SeqCst);
    let company = server.create_company("Acme", None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    let response = browser()
        .get(connection["linkUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("Access not granted"), "{page}");
    assert!(page.contains("The user denied your request"), "{page}");
    let id = connection["id"].as_str().unwrap();
    let (_, after) = server
        .get(&format!("/companies/{company}/connections/{id}"))
        .await;
    assert_eq!(after["status"], "PendingAuth");
    assert_eq!(platform.completed_links.load(Ordering::SeqCst), 0);
    // The link can be tried again.
    platform.provider.decline.store(false, Ordering::SeqCst);
    let again = browser()
        .get(connection["linkUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(again.text().await.unwrap().contains("Account linked"));
}

/// Follows the link to the platform and returns the callback URL it sends back (not visited).
async fn callback_url(server: &TestServer, link_url: &str) -> String {
    let to_platform = server.client.get(link_url).send().await.unwrap();
    let authorize = to_platform.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    let back = server.client.get(authorize).send().await.unwrap();
    assert_eq!(back.status(), 302);
    back.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn forged_and_replayed_states_are_refused_and_link_nothing() {
    let (server, platform) = setup(None).await;
    let company = server.create_company("Acme", None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    let id = connection["id"].as_str().unwrap();

    // Forged: a state this server never issued.
    let forged = browser()
        .get(server.url("/oauth/fake/callback?code=code_9&state=forged-state-value"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert!(forged
        .text()
        .await
        .unwrap()
        .contains("not valid or was already used"));
    // No state at all.
    let missing = browser()
        .get(server.url("/oauth/fake/callback?code=code_9"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
    assert_eq!(platform.completed_links.load(Ordering::SeqCst), 0);

    // Replayed: the first use links, the second is refused.
    let callback = callback_url(&server, connection["linkUrl"].as_str().unwrap()).await;
    let first = browser().get(&callback).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let second = browser().get(&callback).send().await.unwrap();
    assert_eq!(second.status(), 400);
    assert!(second.text().await.unwrap().contains("already used"));
    assert_eq!(platform.completed_links.load(Ordering::SeqCst), 1);
    let (_, after) = server
        .get(&format!("/companies/{company}/connections/{id}"))
        .await;
    assert_eq!(after["status"], "Linked");
}

#[tokio::test]
async fn a_state_used_on_another_platforms_callback_is_refused() {
    let (server, platform) = setup(None).await;
    let company = server.create_company("Acme", None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    let callback = callback_url(&server, connection["linkUrl"].as_str().unwrap()).await;
    let elsewhere = callback.replace("/oauth/fake/", "/oauth/other/");
    let response = browser().get(&elsewhere).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(platform.completed_links.load(Ordering::SeqCst), 0);
    // And the state was spent by that attempt.
    let response = browser().get(&callback).send().await.unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn expired_states_are_refused_and_link_nothing() {
    let (server, platform) = setup(Some(Options {
        link_state_ttl: Some(Duration::from_millis(1)),
        ..Options::default()
    }))
    .await;
    let company = server.create_company("Acme", None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    let callback = callback_url(&server, connection["linkUrl"].as_str().unwrap()).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let response = browser().get(&callback).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("expired"));
    assert_eq!(platform.completed_links.load(Ordering::SeqCst), 0);
    let id = connection["id"].as_str().unwrap();
    let (_, after) = server
        .get(&format!("/companies/{company}/connections/{id}"))
        .await;
    assert_eq!(after["status"], "PendingAuth");
}

#[tokio::test]
async fn unknown_and_linked_connections_get_clear_pages() {
    let (server, _platform) = setup(None).await;
    let unknown = browser()
        .get(server.url(&format!("/link/{}", uuid::Uuid::new_v4())))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let company = server.create_company("Acme", None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    let link = connection["linkUrl"].as_str().unwrap();
    assert_eq!(browser().get(link).send().await.unwrap().status(), 200);
    let again = browser().get(link).send().await.unwrap();
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("already linked"));
}

fn state_of(location: &str) -> String {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned())
        .expect("a state in the authorize URL")
}

#[tokio::test]
async fn opening_a_link_again_reuses_its_state_until_it_is_used() {
    let (server, platform) = setup(None).await;
    let company = server.create_company("Acme", None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    let other = server.create_connection(&company, "fake-test").await;
    let link_url = connection["linkUrl"].as_str().unwrap();
    let mut states = Vec::new();
    for _ in 0..10 {
        let response = server.client.get(link_url).send().await.unwrap();
        assert_eq!(response.status(), 302);
        states.push(state_of(response.headers()["location"].to_str().unwrap()));
    }
    assert!(states.iter().all(|state| *state == states[0]), "{states:?}");
    // Another connection gets its own.
    let response = server
        .client
        .get(other["linkUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_ne!(
        state_of(response.headers()["location"].to_str().unwrap()),
        states[0]
    );
    // Used once, the state is gone: the next visit gets a new one, and the old one is refused.
    let callback = callback_url(&server, link_url).await;
    assert_eq!(state_of(&callback), states[0]);
    let linked = browser().get(&callback).send().await.unwrap();
    assert_eq!(linked.status(), 200);
    assert_eq!(platform.completed_links.load(Ordering::SeqCst), 1);
    let replay = browser().get(&callback).send().await.unwrap();
    assert_eq!(replay.status(), 400);
}

#[tokio::test]
async fn a_state_near_its_expiry_is_not_handed_out_again() {
    // With a TTL this short every state is past half its lifetime when the link is opened again.
    let (server, _platform) = setup(Some(Options {
        link_state_ttl: Some(Duration::from_millis(200)),
        ..Options::default()
    }))
    .await;
    let company = server.create_company("Acme", None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    let link_url = connection["linkUrl"].as_str().unwrap();
    let first = server.client.get(link_url).send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let second = server.client.get(link_url).send().await.unwrap();
    assert_ne!(
        state_of(first.headers()["location"].to_str().unwrap()),
        state_of(second.headers()["location"].to_str().unwrap())
    );
}

#[tokio::test]
async fn the_server_purges_expired_link_states_on_a_timer() {
    let (server, _platform) = setup(Some(Options {
        link_state_ttl: Some(Duration::from_millis(1)),
        ..Options::default()
    }))
    .await;
    let company = server.create_company("Acme", None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    let response = server
        .client
        .get(connection["linkUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let state = state_of(response.headers()["location"].to_str().unwrap());
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let purge = tokio::spawn(commerce_server::purge_link_states(
        server.store.clone(),
        Duration::from_millis(50),
        async move {
            let _ = stopped.await;
        },
    ));
    tokio::time::sleep(Duration::from_secs(1)).await;
    // `take` returns expired states too: nothing left means the timer deleted it.
    use commerce_model::platform::LinkStateStore as _;
    assert!(server.store.take(&state).await.unwrap().is_none());
    let _ = stop.send(());
    purge.await.unwrap();
}

#[tokio::test]
async fn link_parameters_the_platform_does_not_declare_are_refused() {
    let (server, platform) = setup(None).await;
    let company = server.create_company("Acme", None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    let link_url = connection["linkUrl"].as_str().unwrap();
    let response = server
        .client
        .get(format!("{link_url}?shop=corner-cafe"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(page.contains("does not take a parameter named"), "{page}");
    assert_eq!(platform.completed_links.load(Ordering::SeqCst), 0);
    // Without it, the link starts.
    let response = server.client.get(link_url).send().await.unwrap();
    assert_eq!(response.status(), 302);
}
