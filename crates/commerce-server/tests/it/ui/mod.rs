#![allow(clippy::panic, clippy::print_stderr)]
//! The dashboard at `/ui`: over HTTP on a server filled through the real link flow and sync
//! engine from a platform serving realistic model records (`data`): auth, forms and their
//! cross-site protection, paging, queries and errors. The headless-Chromium test on a server
//! filled from `stripe-sandbox` lives in `commerce-e2e` (`tests/it/ui/`).

mod data;

use std::sync::Arc;

use commerce_model::DataType;
use commerce_server::authorization_header;
use uuid::Uuid;

use crate::fake::FakePlatform;
use crate::support::{TestServer, API_KEY};
use commerce_testkit::html::{between, next_href};

const SUPPORTED: &[DataType] = &[
    DataType::CompanyInfo,
    DataType::Customers,
    DataType::Disputes,
    DataType::Payments,
    DataType::Products,
    DataType::Transactions,
];

struct Filled {
    server: TestServer,
    _platform: Arc<FakePlatform>,
    company: String,
    connection: String,
}

/// A server with one company linked through the link flow and synced by the engine.
async fn filled() -> Filled {
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    for (data_type, records) in data::records() {
        platform.set_records(data_type, records);
    }
    let server = TestServer::start(vec![platform.clone()]).await;
    let company = server.create_company(data::COMPANY_NAME, None).await;
    let connection = server.create_connection(&company, "fake-test").await;
    let linked = crate::support::browser()
        .get(connection["linkUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status(), 200);
    let summary = server.engine.run_until_idle().await.unwrap();
    // Unsupported types end `NotSupported` when queued; the workers run the rest.
    assert!(summary.outcomes.len() >= SUPPORTED.len(), "{summary:?}");
    let connection = connection["id"].as_str().unwrap().to_owned();
    let counts = server
        .store
        .count_records(connection.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(counts[&DataType::Payments], data::PAYMENTS as u64 + 2);
    Filled {
        server,
        _platform: platform,
        company,
        connection,
    }
}

/// A client with browser-style Basic credentials (`user:key`) that does not follow redirects.
fn viewer() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        authorization_header(&format!("someone:{API_KEY}"))
            .parse()
            .unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page(client: &reqwest::Client, url: &str) -> (u16, String) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn csrf_token(html: &str) -> String {
    between(html, "name=\"csrf\" value=\"", "\"")
        .expect("a form with a csrf field")
        .to_owned()
}

fn payment_ids(html: &str) -> Vec<String> {
    html.match_indices("<code>ch_3P_")
        .filter_map(|(at, _)| between(&html[at..], "<code>", "</code>"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_asks_for_the_api_key_and_accepts_it_as_the_browser_sends_it() {
    let filled = filled().await;
    let url = filled.server.url("/ui");
    let anonymous = reqwest::Client::new();
    let response = anonymous.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with("Basic realm=\"commerce\""),
        "{challenge}"
    );

    let wrong = anonymous
        .get(&url)
        .header(
            "authorization",
            authorization_header("someone:not-the-key-0123456789"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    // Codat's form (the key alone), the browser's (`user:key`) and the key as user name.
    for credentials in [
        API_KEY.to_owned(),
        format!("anyone:{API_KEY}"),
        format!("{API_KEY}:"),
    ] {
        let response = anonymous
            .get(&url)
            .header("authorization", authorization_header(&credentials))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{credentials}");
        let headers = response.headers().clone();
        assert_eq!(headers["x-frame-options"], "DENY");
        assert!(headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        let html = response.text().await.unwrap();
        assert!(html.contains(data::COMPANY_NAME));
    }
    // The API itself keeps Codat's scheme only.
    let api = anonymous
        .get(filled.server.url("/companies"))
        .header(
            "authorization",
            authorization_header(&format!("anyone:{API_KEY}")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_now_needs_the_page_token_and_the_same_origin() {
    let filled = filled().await;
    let client = viewer();
    let overview = filled
        .server
        .url(&format!("/ui/connections/{}", filled.connection));
    let (status, html) = page(&client, &overview).await;
    assert_eq!(status, 200);
    let token = csrf_token(&html);
    let action = filled
        .server
        .url(&format!("/ui/connections/{}/sync", filled.connection));
    let post = |form: Vec<(&'static str, String)>, headers: Vec<(&'static str, String)>| {
        let mut request = client.post(&action).form(&form);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };
    let connection_id: Uuid = filled.connection.parse().unwrap();
    let queued = || async {
        filled
            .server
            .store
            .data_statuses(connection_id)
            .await
            .unwrap()
            .values()
            .filter(|status| status.current_status.is_in_progress())
            .count()
    };
    assert_eq!(queued().await, 0);

    // No token, a wrong token, another site's origin, a cross-site fetch: refused, nothing queued.
    let refused = [
        (vec![], vec![]),
        (vec![("csrf", "0".repeat(64))], vec![]),
        (
            vec![("csrf", token.clone())],
            vec![("origin", "https://evil.example".to_owned())],
        ),
        (
            vec![("csrf", token.clone())],
            vec![("referer", "https://evil.example/page".to_owned())],
        ),
        (
            vec![("csrf", token.clone())],
            vec![("sec-fetch-site", "cross-site".to_owned())],
        ),
    ];
    for (form, headers) in refused {
        let response = post(form.clone(), headers.clone()).await.unwrap();
        assert_eq!(response.status(), 403, "{form:?} {headers:?}");
        assert!(response.text().await.unwrap().contains("Form refused"));
    }
    assert_eq!(queued().await, 0);

    // From our own page: queued, and the page says so.
    let response = post(
        vec![("csrf", token.clone())],
        vec![
            ("origin", filled.server.base.clone()),
            ("sec-fetch-site", "same-origin".to_owned()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!(
            "/ui/connections/{}?queued={}&running=0",
            filled.connection,
            SUPPORTED.len()
        )
    );
    // Only the supported types are queued; the others end `NotSupported` at once.
    assert_eq!(queued().await, SUPPORTED.len());
    let (_, html) = page(&client, &filled.server.url(&location)).await;
    assert!(
        html.contains(&format!(
            "Sync queued: {} data types queued",
            SUPPORTED.len()
        )),
        "{html}"
    );
    assert!(html.contains(">Queued<"));
    // Again at once: everything is already queued.
    let again = post(vec![("csrf", token)], vec![]).await.unwrap();
    assert!(again.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with(&format!("?queued=0&running={}", SUPPORTED.len())));
    let summary = filled.server.engine.run_until_idle().await.unwrap();
    assert!(!summary.outcomes.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_link_makes_a_pending_connection_and_shows_its_link_url() {
    let filled = filled().await;
    let client = viewer();
    let (_, html) = page(&client, &filled.server.url("/ui")).await;
    let token = csrf_token(&html);
    assert!(html.contains(&format!(
        "action=\"/ui/companies/{}/links\"",
        filled.company
    )));
    // The platform's operating settings (e.g. its rate budgets) are shown.
    assert!(
        html.contains("<th scope=\"row\"><code>FAKE_RATE_LIMIT</code></th><td>7/s</td>"),
        "{html}"
    );
    let response = client
        .post(
            filled
                .server
                .url(&format!("/ui/companies/{}/links", filled.company)),
        )
        .form(&[("csrf", token.as_str()), ("platform", "fake-test")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id = between(&location, "/ui/connections/", "?created=1").unwrap();
    let connection = filled
        .server
        .store
        .get_connection(id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(connection.status.as_str(), "PendingAuth");
    assert_eq!(connection.company_id.to_string(), filled.company);
    let (status, html) = page(&client, &filled.server.url(&location)).await;
    assert_eq!(status, 200);
    let link_url = format!("{}/link/{id}", filled.server.base);
    assert!(
        html.contains(&format!(
            "<input type=\"url\" id=\"link-url\" readonly value=\"{link_url}\">"
        )),
        "{html}"
    );
    assert!(html.contains("<label for=\"link-url\">Link URL</label>"));
    // The link works: it sends the merchant to the platform.
    let start = filled.server.client.get(&link_url).send().await.unwrap();
    assert_eq!(start.status(), 302);

    // An unknown platform is refused without creating anything.
    let refused = client
        .post(
            filled
                .server
                .url(&format!("/ui/companies/{}/links", filled.company)),
        )
        .form(&[("csrf", token.as_str()), ("platform", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let connections = filled
        .server
        .store
        .list_connections(filled.company.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(connections.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_page_filter_and_report_bad_queries_on_the_page() {
    let filled = filled().await;
    let client = viewer();
    let payments = filled
        .server
        .url(&format!("/ui/connections/{}/payments", filled.connection));
    let (status, first) = page(&client, &payments).await;
    assert_eq!(status, 200);
    assert!(first.contains("Records 1–25 of 62"), "{first}");
    assert!(first.contains("Page 1 of 3"));
    let next = next_href(&first).unwrap();
    assert_eq!(
        next,
        format!("/ui/connections/{}/payments?page=2", filled.connection)
    );
    let (_, second) = page(&client, &filled.server.url(&next)).await;
    assert!(second.contains("Page 2 of 3"));
    let first_ids = payment_ids(&first);
    let second_ids = payment_ids(&second);
    assert!(!second_ids.is_empty());
    assert!(second_ids.iter().all(|id| !first_ids.contains(id)));

    // A query: failed payments only (every 15th), and paging links keep it.
    let (status, failed) = page(
        &client,
        &format!("{payments}?query=status%3DFailed&pageSize=2"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(failed.contains("Records 1–2 of 4"), "{failed}");
    assert!(failed.contains("value=\"status=Failed\""));
    let next = next_href(&failed).unwrap();
    assert!(next.contains("query=status%3DFailed"), "{next}");
    assert!(next.contains("pageSize=2"), "{next}");

    // A bad query: the page says what is wrong, with status 400, and keeps the text.
    let (status, bad) = page(&client, &format!("{payments}?query=amount%3E%3E5")).await;
    assert_eq!(status, 400);
    assert!(bad.contains("role=\"alert\""), "{bad}");
    assert!(bad.contains("That query cannot be used"));
    assert!(bad.contains("value=\"amount&gt;&gt;5\""), "{bad}");
    let (status, _) = page(&client, &format!("{payments}?orderBy=-no%20such")).await;
    assert_eq!(status, 400);

    // Unknown table and connection: 404 pages.
    let (status, _) = page(
        &client,
        &filled
            .server
            .url(&format!("/ui/connections/{}/nope", filled.connection)),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = page(
        &client,
        &filled
            .server
            .url(&format!("/ui/connections/{}", Uuid::new_v4())),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_consumers_page_creates_shows_the_secret_once_and_deletes() {
    let server = TestServer::start(Vec::new()).await;
    let client = viewer();
    let url = server.url("/ui/webhooks/consumers");
    let (status, html) = page(&client, &url).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Webhook consumers</h1>"), "{html}");
    assert!(html.contains("No consumers yet."));
    assert!(html.contains("value=\"read.completed\""));
    let token = csrf_token(&html);

    let response = client
        .post(&url)
        .form(&[
            ("csrf", token.as_str()),
            ("url", "https://hooks.example.com/codat"),
            ("eventTypes", "read.completed"),
            ("eventTypes", "company.created"),
            ("companyTags", "region:uk, tier:gold"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let secret = between(&html, "<code id=\"secret\">", "</code>").expect("the secret is shown");
    assert!(secret.starts_with("whsec_"), "{secret}");
    let consumers = server.store.list_webhook_consumers().await.unwrap();
    assert_eq!(consumers.len(), 1);
    let consumer = &consumers[0];
    assert_eq!(consumer.url, "https://hooks.example.com/codat");
    assert_eq!(consumer.event_types, ["read.completed", "company.created"]);
    assert_eq!(
        consumer.company_tags,
        Some(vec!["region:uk".to_owned(), "tier:gold".to_owned()])
    );
    let (_, stored_secret) = server
        .store
        .webhook_consumer_secret(consumer.id)
        .await
        .unwrap()
        .unwrap();
    use secrecy::ExposeSecret as _;
    assert_eq!(stored_secret.expose_secret(), secret);

    // Listed without the secret; the same list as the API's.
    let (_, html) = page(&client, &url).await;
    assert!(html.contains("https://hooks.example.com/codat"));
    assert!(html.contains("read.completed, company.created"));
    assert!(!html.contains(secret), "the secret is shown only once");

    // A private receiver is refused on the page, a form without its token by the guard.
    let response = client
        .post(&url)
        .form(&[("csrf", token.as_str()), ("url", "http://127.0.0.1:9/hook")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("COMMERCE_WEBHOOK_ALLOW_PRIVATE_URLS"));
    let response = client
        .post(&url)
        .form(&[("url", "https://hooks.example.com/other")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let delete = server.url(&format!("/ui/webhooks/consumers/{}/delete", consumer.id));
    let response = client
        .post(&delete)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(
        server.store.list_webhook_consumers().await.unwrap().len(),
        1
    );

    let response = client
        .post(&delete)
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert!(server
        .store
        .list_webhook_consumers()
        .await
        .unwrap()
        .is_empty());
    let response = client
        .post(&delete)
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_and_api_answer_one_query_string_the_same_way() {
    let filled = filled().await;
    let client = viewer();
    let api = format!(
        "/companies/{}/connections/{}/data/commerce-payments",
        filled.company, filled.connection
    );
    let table = format!("/ui/connections/{}/payments", filled.connection);
    for params in [
        "query=status%3DFailed",
        // Repeated parameters: the last one counts, on both.
        "query=status%3DFailed&query=status%3DPaid",
        "pageSize=3&pageSize=5&orderBy=amount&orderBy=-amount",
        "query=amount%3E100&orderBy=-createdDate",
        "query=note%3Dx",
        "query=nosuch%3D1",
        "query=amount~5",
        "query=createdDate%3Eyesterday",
        "orderBy=-nosuch",
        "page=0",
        "page=two",
        "pageSize=5001",
    ] {
        let (api_status, body) = filled.server.get(&format!("{api}?{params}")).await;
        let (ui_status, html) =
            page(&client, &filled.server.url(&format!("{table}?{params}"))).await;
        assert_eq!(api_status, ui_status, "{params}: {body}");
        if api_status == 200 {
            let total = body["totalResults"].as_u64().unwrap();
            let shown = if total == 0 {
                "No records".to_owned()
            } else {
                format!(" of {total}")
            };
            assert!(html.contains(&shown), "{params}: expected {shown:?}");
            if let Some(first) = body["results"][0]["id"].as_str() {
                let rows = payment_ids(&html);
                assert_eq!(rows.first().map(String::as_str), Some(first), "{params}");
            }
        } else {
            assert_eq!(api_status, 400, "{params}: {body}");
            // The page shows the API's message (up to the first character HTML escapes).
            let error = body["error"].as_str().unwrap();
            let plain: String = error
                .chars()
                .take_while(|c| !matches!(c, '"' | '\'' | '/' | '&' | '<' | '>' | '`' | '='))
                .collect();
            assert!(plain.len() > 10, "{error}");
            assert!(html.contains(&plain), "{params}: {plain:?} not on the page");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_page_makes_shows_once_and_deletes_keys() {
    let server = TestServer::start(Vec::new()).await;
    let client = viewer();
    let (status, html) = page(&client, &server.url("/ui/api-keys")).await;
    assert_eq!(status, 200);
    assert!(html.contains("from COMMERCE_API_KEYS"), "{html}");
    assert!(!html.contains(API_KEY), "the configured key is never shown");
    let token = csrf_token(&html);

    // A forged form (no token) makes nothing.
    let forged = client
        .post(server.url("/ui/api-keys"))
        .form(&[("name", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(server.store.list_api_keys().await.unwrap().is_empty());

    let response = client
        .post(server.url("/ui/api-keys"))
        .form(&[("csrf", token.as_str()), ("name", "finance")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let key = between(&html, "readonly value=\"", "\"")
        .unwrap()
        .to_owned();
    assert_eq!(key.len(), 40, "{html}");
    // The key works on the API, and the list page never shows it again.
    let (status, _) = status_of(&server, &key).await;
    assert_eq!(status, 200);
    let (_, listed) = page(&client, &server.url("/ui/api-keys")).await;
    assert!(listed.contains("finance") && !listed.contains(&key));

    let id = server.store.list_api_keys().await.unwrap()[0].id;
    assert!(listed.contains(&format!("action=\"/ui/api-keys/{id}/delete\"")));
    let response = client
        .post(server.url(&format!("/ui/api-keys/{id}/delete")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/ui/api-keys?deleted=1");
    let (status, _) = status_of(&server, &key).await;
    assert_eq!(status, 401, "a deleted key stops working at once");
}

async fn status_of(server: &TestServer, key: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(server.url("/companies"))
        .header("authorization", authorization_header(key))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_link_collects_the_platform_link_parameters_and_puts_them_on_the_link_url() {
    let platform = FakePlatform::start_with_link_params(
        "fake-test",
        "fktt",
        SUPPORTED,
        &[commerce_model::platform::LinkParam {
            name: "shop",
            required: true,
            help: "the shop's domain",
        }],
    )
    .await;
    let server = TestServer::start(vec![platform.clone()]).await;
    let company = server.create_company("Corner Cafe", None).await;
    let client = viewer();
    let (_, html) = page(&client, &server.url("/ui")).await;
    let token = csrf_token(&html);
    // The form has an input for the declared parameter, named after the platform.
    assert!(
        html.contains("name=\"fake-test.shop\""),
        "no input for the link parameter: {html}"
    );
    assert!(html.contains("Fake Test: shop (required)"), "{html}");
    let links = server.url(&format!("/ui/companies/{company}/links"));

    // Without the required parameter: refused, nothing created.
    let refused = client
        .post(&links)
        .form(&[("csrf", token.as_str()), ("platform", "fake-test")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let text = refused.text().await.unwrap();
    assert!(text.contains("needs the link parameter"), "{text}");
    let company_id: Uuid = company.parse().unwrap();
    assert!(server
        .store
        .list_connections(company_id)
        .await
        .unwrap()
        .is_empty());

    // With it: the connection's page shows the link URL carrying it, and the link starts.
    let response = client
        .post(&links)
        .form(&[
            ("csrf", token.as_str()),
            ("platform", "fake-test"),
            ("fake-test.shop", " corner-cafe.example "),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id = between(&location, "/ui/connections/", "?created=1").unwrap();
    let (status, html) = page(&client, &server.url(&location)).await;
    assert_eq!(status, 200, "{html}");
    let link_url = format!("{}/link/{id}?shop=corner-cafe.example", server.base);
    assert!(
        html.contains(&format!(
            "<input type=\"url\" id=\"link-url\" readonly value=\"{link_url}\">"
        )),
        "{html}"
    );
    let start = server.client.get(&link_url).send().await.unwrap();
    assert_eq!(start.status(), 302);
    // The bare link is refused: the platform needs its shop.
    let bare = server
        .client
        .get(format!("{}/link/{id}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 400);
}
