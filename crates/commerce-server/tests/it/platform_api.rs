//! The rest of Codat's Platform API: API keys, integrations and branding, profile, sync
//! settings (and the scheduler honouring them), replace/update company.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use commerce_model::platform::Platform;
use commerce_model::DataType;
use commerce_server::authorization_header;
use commerce_sync::{PlatformRegistry, Schedule, SyncConfig, SyncEngine};
use serde_json::{json, Value};

use crate::fake::FakePlatform;
use crate::support::{browser, linked_connection, status_json, TestServer, API_KEY};

async fn send(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    auth: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, server.url(path));
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    status_json(request.send().await.unwrap()).await
}

fn basic(text: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

#[tokio::test]
async fn api_keys_are_shown_once_work_at_once_and_stop_at_once() {
    let server = TestServer::start(Vec::new()).await;
    let admin = authorization_header(API_KEY);
    // Both Basic forms of the configured key.
    for header in [basic(API_KEY), basic(&format!("{API_KEY}:"))] {
        let (status, _) = send(
            &server,
            reqwest::Method::GET,
            "/companies",
            Some(&header),
            None,
        )
        .await;
        assert_eq!(status, 200, "{header}");
    }

    let (status, created) = send(
        &server,
        reqwest::Method::POST,
        "/apiKeys",
        Some(&admin),
        Some(json!({"name": "reporting"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let key = created["apiKey"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 40);
    assert_eq!(created["name"], "reporting");
    assert_eq!(created["deletable"], true);

    // The new key works at once, in Codat's form and curl's.
    for header in [basic(&key), basic(&format!("{key}:"))] {
        let (status, body) = send(
            &server,
            reqwest::Method::GET,
            "/companies",
            Some(&header),
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }

    // Listed: the configured key (no value, not deletable) and the new one (no value).
    let (status, list) = send(
        &server,
        reqwest::Method::GET,
        "/apiKeys",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let results = list["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{list}");
    assert_eq!(results[0]["deletable"], false);
    assert_eq!(results[1]["id"], id.as_str());
    assert_eq!(results[1]["deletable"], true);
    let text = list.to_string();
    assert!(
        !text.contains(&key) && !text.contains(API_KEY),
        "a key leaked: {text}"
    );
    assert!(results.iter().all(|entry| entry.get("apiKey").is_none()));

    // The configured key cannot be deleted through the API.
    let configured = results[0]["id"].as_str().unwrap();
    let (status, body) = send(
        &server,
        reqwest::Method::DELETE,
        &format!("/apiKeys/{configured}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("COMMERCE_API_KEYS"));

    // Deleting the new key (with itself): it stops working at once.
    let (status, _) = send(
        &server,
        reqwest::Method::DELETE,
        &format!("/apiKeys/{id}"),
        Some(&basic(&key)),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = send(
        &server,
        reqwest::Method::GET,
        "/companies",
        Some(&basic(&key)),
        None,
    )
    .await;
    assert_eq!(status, 401, "{body}");
    let (status, _) = send(
        &server,
        reqwest::Method::GET,
        "/ui",
        Some(&basic(&format!("x:{key}"))),
        None,
    )
    .await;
    assert_eq!(status, 401, "the dashboard refuses it too");
    let (status, _) = send(
        &server,
        reqwest::Method::DELETE,
        &format!("/apiKeys/{id}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Bad names: too long.
    let (status, body) = send(
        &server,
        reqwest::Method::POST,
        "/apiKeys",
        Some(&admin),
        Some(json!({"name": "n".repeat(51)})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn a_key_made_through_the_api_opens_the_dashboard() {
    let server = TestServer::start(Vec::new()).await;
    let (_, created) = server.post("/apiKeys", json!({})).await;
    let key = created["apiKey"].as_str().unwrap();
    let (status, _) = send(
        &server,
        reqwest::Method::GET,
        "/ui",
        Some(&basic(&format!("anyone:{key}"))),
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn integrations_list_the_enabled_platforms_in_codat_shapes() {
    let platform = FakePlatform::start("fake-test", "fktt", &[DataType::Customers]).await;
    let server = TestServer::start(vec![platform.clone()]).await;
    let (status, list) = server.get("/integrations").await;
    assert_eq!(status, 200);
    assert_eq!(list["totalResults"], 1);
    let entry = &list["results"][0];
    assert_eq!(entry["key"], "fktt");
    assert_eq!(entry["name"], platform.name());
    assert_eq!(entry["sourceType"], "Commerce");
    assert_eq!(entry["enabled"], true);
    let features = entry["datatypeFeatures"].as_array().unwrap();
    assert_eq!(features.len(), DataType::ALL.len());
    let state_of = |key: &str| {
        features
            .iter()
            .find(|f| f["datatype"] == key)
            .map(|f| f["supportedFeatures"][0]["featureState"].clone())
            .unwrap()
    };
    assert_eq!(state_of("commerce-customers"), "Release");
    assert_eq!(state_of("commerce-payments"), "NotSupported");

    // By Codat's key and by ours; the same connection ids line up.
    for key in ["fktt", "fake-test"] {
        let (status, one) = server.get(&format!("/integrations/{key}")).await;
        assert_eq!(status, 200);
        assert_eq!(&one, entry);
    }
    let company = server.create_company("Int Co", None).await;
    let connection = server.create_connection(&company, "fktt").await;
    assert_eq!(connection["integrationId"], entry["integrationId"]);
    assert_eq!(connection["sourceId"], entry["sourceId"]);

    // Unknown and disabled keys: 404 naming what is enabled, by Codat's key.
    for key in ["zzzz", "exgd"] {
        let (status, body) = server.get(&format!("/integrations/{key}")).await;
        assert_eq!(status, 404);
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(key) && error.contains("fktt"), "{error}");
        let (status, body) = server
            .post(
                &format!("/companies/{company}/connections"),
                json!({"platformKey": key}),
            )
            .await;
        assert_eq!(status, 404, "{body}");
        assert!(body["error"].as_str().unwrap().contains("fktt"));
    }

    // Branding: every image is served here, without a key, as SVG.
    let (status, branding) = server.get("/integrations/fktt/branding").await;
    assert_eq!(status, 200);
    let sources = [
        &branding["logo"]["full"]["image"]["src"],
        &branding["logo"]["square"]["image"]["src"],
        &branding["button"]["default"]["image"]["src"],
        &branding["button"]["hover"]["image"]["src"],
        &entry["logoUrl"],
    ];
    for source in sources {
        let url = source.as_str().unwrap();
        assert!(url.starts_with(&server.base), "{url}");
        let response = reqwest::get(url).await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(response.headers()["content-type"], "image/svg+xml");
        let svg = response.text().await.unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains(&platform.name().replace('&', "&amp;")),
            "{svg}"
        );
    }
    let (status, _) = server.get("/integrations/fktt/images/other.png").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn companies_are_replaced_and_updated_with_tags() {
    let server = TestServer::start(Vec::new()).await;
    let (status, created) = server
        .post(
            "/companies",
            json!({"name": "Tagged", "description": "first", "tags": {"region": "eu"}}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["tags"], json!({"region": "eu"}));
    let id = created["id"].as_str().unwrap();
    let path = format!("/companies/{id}");

    // PATCH: only what is given.
    let (status, patched) = send(
        &server,
        reqwest::Method::PATCH,
        &path,
        Some(&authorization_header(API_KEY)),
        Some(json!({"description": "second"})),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["name"], "Tagged");
    assert_eq!(patched["description"], "second");
    assert_eq!(patched["tags"], json!({"region": "eu"}));

    // PUT: everything; what is absent is cleared.
    let (status, replaced) = send(
        &server,
        reqwest::Method::PUT,
        &path,
        Some(&authorization_header(API_KEY)),
        Some(json!({"name": "Replaced"})),
    )
    .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["name"], "Replaced");
    assert!(replaced.get("description").is_none(), "{replaced}");
    assert!(replaced.get("tags").is_none(), "{replaced}");
    let (_, read) = server.get(&path).await;
    assert_eq!(read["name"], "Replaced");

    // Refused (403: Codat documents no 400 here), and nothing changed.
    for body in [
        json!({"name": ""}),
        json!({"tags": {"k": 1}}),
        json!({"description": "x"}),
        // The text limits of creating a company hold here too.
        json!({"name": "n".repeat(201)}),
        json!({"name": "bell\u{7}"}),
        json!({"name": "ok", "description": "d".repeat(4001)}),
        json!({"name": "ok", "description": "nul\u{0}"}),
    ] {
        let (status, error) = send(
            &server,
            reqwest::Method::PUT,
            &path,
            Some(&authorization_header(API_KEY)),
            Some(body),
        )
        .await;
        assert_eq!(status, 403, "{error}");
    }
    let (_, read) = server.get(&path).await;
    assert_eq!(read["name"], "Replaced");
    let (status, _) = send(
        &server,
        reqwest::Method::PATCH,
        &format!("/companies/{}", uuid::Uuid::new_v4()),
        Some(&authorization_header(API_KEY)),
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_profile_is_stored_and_its_redirect_ends_the_link_flow() {
    let platform = FakePlatform::start("fake-test", "fktt", &[DataType::Customers]).await;
    let server = TestServer::start(vec![platform]).await;
    let (status, profile) = server.get("/profile").await;
    assert_eq!(status, 200);
    assert_eq!(profile, json!({"name": "commerce", "redirectUrl": ""}));

    let auth = authorization_header(API_KEY);
    let target = format!("{}/health?company={{companyId}}", server.base);
    let (status, stored) = send(
        &server,
        reqwest::Method::PUT,
        "/profile",
        Some(&auth),
        Some(json!({"name": "Lender Ltd", "redirectUrl": target})),
    )
    .await;
    assert_eq!(status, 200, "{stored}");
    let (_, read) = server.get("/profile").await;
    assert_eq!(read, json!({"name": "Lender Ltd", "redirectUrl": target}));
    let (status, _) = send(
        &server,
        reqwest::Method::PUT,
        "/profile",
        Some(&auth),
        Some(json!({"name": "x", "redirectUrl": "ftp://nope"})),
    )
    .await;
    assert_eq!(status, 403);

    // A company without a redirect of its own ends the link flow at the profile's.
    let company = server.create_company("No Redirect", None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    let response = browser()
        .get(connection["linkUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.url().path(), "/health");
    let query = response.url().query().unwrap().to_owned();
    assert!(query.contains(&format!("company={company}")), "{query}");
    assert!(query.contains("status=Linked"), "{query}");
}

#[tokio::test]
async fn sync_settings_decide_what_linking_queues_and_how_often_pulls_run() {
    let platform = FakePlatform::start("fake-test", "fktt", DataType::ALL).await;
    let server = TestServer::start(vec![platform.clone()]).await;
    let auth = authorization_header(API_KEY);

    // Defaults: every type, fetched on first link, every 24 hours.
    let (status, defaults) = server.get("/profile/syncSettings").await;
    assert_eq!(status, 200);
    let settings = defaults["settings"].as_array().unwrap();
    assert_eq!(settings.len(), DataType::ALL.len());
    assert!(settings
        .iter()
        .all(|s| s["fetchOnFirstLink"] == true && s["syncSchedule"] == 24));

    // The profile: payments every 48 hours. The company: customers not on first link.
    let (status, body) = send(
        &server,
        reqwest::Method::POST,
        "/profile/syncSettings",
        Some(&auth),
        Some(json!({"settings": [{"dataType": "commerce-payments", "fetchOnFirstLink": true, "syncSchedule": 48, "syncOrder": 0}], "overridesDefaults": true})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let company = server.create_company("Settled", None).await;
    let (status, body) = server
        .post(
            &format!("/companies/{company}/syncSettings"),
            json!({"companyId": company, "settings": [{"dataType": "commerce-customers", "fetchOnFirstLink": false, "syncSchedule": 2, "syncOrder": 1}], "overridesDefaults": true}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, effective) = server
        .get(&format!("/companies/{company}/syncSettings"))
        .await;
    assert_eq!(effective["companyId"], company.as_str());
    let of = |key: &str| {
        effective["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["dataType"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(of("commerce-payments")["syncSchedule"], 48);
    assert_eq!(of("commerce-customers")["fetchOnFirstLink"], false);
    assert_eq!(of("commerce-customers")["syncSchedule"], 2);
    assert_eq!(of("commerce-disputes")["syncSchedule"], 24);
    // Another company sees the profile's, not this company's.
    let other = server.create_company("Other", None).await;
    let (_, theirs) = server
        .get(&format!("/companies/{other}/syncSettings"))
        .await;
    assert!(theirs["settings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["fetchOnFirstLink"] == true));

    // Invalid settings are refused with what is wrong, and change nothing.
    let (status, body) = server
        .post(
            &format!("/companies/{company}/syncSettings"),
            json!({"settings": [{"dataType": "invoices", "fetchOnFirstLink": true, "syncSchedule": 1, "syncOrder": 0}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("invoices"));
    let (_, unchanged) = server
        .get(&format!("/companies/{company}/syncSettings"))
        .await;
    assert_eq!(unchanged, effective);

    // Linking queues every type but customers.
    let connection = server.create_connection(&company, "fake-test").await;
    let connection_id: uuid::Uuid = connection["id"].as_str().unwrap().parse().unwrap();
    let response = browser()
        .get(connection["linkUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let statuses = server.store.data_statuses(connection_id).await.unwrap();
    assert!(!statuses.contains_key(&DataType::Customers), "{statuses:?}");
    assert!(statuses.contains_key(&DataType::Payments));
    assert_eq!(statuses.len(), DataType::ALL.len() - 1);
    server.engine.run_until_idle().await.unwrap();
    // ...and the schedule leaves customers until 2 hours after the link.
    let queued = server.engine.schedule_due().await.unwrap();
    assert!(
        queued.iter().all(|d| d.data_type != DataType::Customers),
        "{queued:?}"
    );

    // The schedule's interval comes from syncSchedule: with an engine whose own interval is
    // zero, every finished type is due again at once except payments (48 hours).
    let mut registry = PlatformRegistry::new();
    registry.register(platform as Arc<dyn Platform>);
    let mut config = SyncConfig::default();
    config.schedule = Schedule::default();
    config.schedule.default_interval = Duration::ZERO;
    let engine = SyncEngine::new(server.store.clone(), registry, config);
    let queued = engine.schedule_due().await.unwrap();
    let types: Vec<DataType> = queued.iter().map(|d| d.data_type).collect();
    assert!(!types.contains(&DataType::Payments), "{types:?}");
    assert!(!types.contains(&DataType::Customers), "{types:?}");
    assert!(types.contains(&DataType::Disputes), "{types:?}");
    assert!(types.contains(&DataType::Transactions), "{types:?}");
}

#[tokio::test]
async fn link_without_settings_still_queues_everything() {
    let platform = FakePlatform::start("fake-test", "fktt", DataType::ALL).await;
    let server = TestServer::start(vec![platform]).await;
    let (_, connection) = linked_connection(&server, "fake-test", false).await;
    let statuses = server
        .store
        .data_statuses(connection.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(statuses.len(), DataType::ALL.len());
}
