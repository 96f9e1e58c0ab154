//! Error paths: 401, 404, 409, bad queries and paging, with Codat's error body.

use std::sync::Arc;

use commerce_model::platform::Record;
use commerce_model::schema_check::CodatSchemas;
use commerce_model::{Customer, DataType};
use serde_json::{json, Value};

use crate::fake::FakePlatform;
use crate::support::{linked_connection, shared, status_json, TestServer};

const SUPPORTED: &[DataType] = &[
    DataType::CompanyInfo,
    DataType::Customers,
    DataType::Payments,
];

fn customers(count: usize) -> Vec<Record> {
    (0..count)
        .map(|n| {
            let customer = Customer {
                id: format!("cus_{n:03}"),
                customer_name: Some(format!("Customer {n}")),
                email_address: Some(format!("c{n}@example.com")),
                default_currency: Some(if n % 2 == 0 { "GBP" } else { "USD" }.into()),
                ..Default::default()
            };
            Record::new(&customer).unwrap()
        })
        .collect()
}

async fn setup() -> (TestServer, Arc<FakePlatform>, String, String) {
    let platform = FakePlatform::start("fake-test", "fktt", SUPPORTED).await;
    platform.set_records(DataType::Customers, customers(25));
    let server = TestServer::start(vec![platform.clone()]).await;
    let (company, connection) = linked_connection(&server, "fake-test", false).await;
    // Only customers are synced: payments stay never-pulled.
    let statuses = server
        .store
        .data_statuses(connection.parse().unwrap())
        .await
        .unwrap();
    for (data_type, status) in statuses {
        // Types the platform does not support already ended `NotSupported` when queued.
        if data_type != DataType::Customers && status.current_status.is_in_progress() {
            server
                .store
                .cancel_dataset(status.latest_sync_id)
                .await
                .unwrap();
        }
    }
    server.engine.run_until_idle().await.unwrap();
    (server, platform, company, connection)
}

fn assert_error_body(body: &Value, status: u16) {
    assert_eq!(body["statusCode"], status, "{body}");
    assert_eq!(body["service"], "PublicApi");
    assert!(body["error"].as_str().is_some_and(|text| !text.is_empty()));
    assert!(body["correlationId"]
        .as_str()
        .is_some_and(|text| text.len() >= 16));
    assert!(body["canBeRetried"].is_string());
    assert_eq!(body["detailedErrorCode"], 0);
    if let Some(path) = shared("codat-openapi/Codat-Commerce.yaml") {
        let schemas = CodatSchemas::load(path).unwrap();
        schemas.validate("ErrorMessage", body).unwrap();
        assert!(schemas
            .undeclared_fields("ErrorMessage", body)
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn requests_without_a_valid_key_get_401_and_nothing_else() {
    let (server, _platform, company, connection) = setup().await;
    let paths = [
        "/companies".to_owned(),
        format!("/companies/{company}"),
        format!("/companies/{company}/connections"),
        format!("/companies/{company}/connections/{connection}"),
        format!("/companies/{company}/dataStatus"),
        format!("/companies/{company}/data/history"),
        format!("/companies/{company}/connections/{connection}/data/commerce-customers"),
        format!("/companies/{company}/connections/{connection}/data/commerce-customers/cus_001"),
        format!("/companies/{}", uuid::Uuid::new_v4()),
    ];
    let anonymous = reqwest::Client::new();
    let basic = |key: &str| commerce_server::authorization_header(key);
    let wrong_headers = [
        None,
        Some(basic("not-the-key-0123456789")),
        Some(format!("Bearer {}", crate::support::API_KEY)),
        Some(format!("Basic {}", crate::support::API_KEY)),
        Some("Basic !!!".to_owned()),
    ];
    for path in &paths {
        for header in &wrong_headers {
            let mut request = anonymous.get(server.url(path));
            if let Some(header) = header {
                request = request.header("authorization", header);
            }
            let (status, body) = status_json(request.send().await.unwrap()).await;
            assert_eq!(status, 401, "{path} with {header:?}");
            assert_error_body(&body, 401);
            assert!(!body.to_string().contains("cus_"), "{body}");
        }
    }
    for (method, path) in [
        (reqwest::Method::POST, "/companies".to_owned()),
        (reqwest::Method::DELETE, format!("/companies/{company}")),
        (
            reqwest::Method::POST,
            format!("/companies/{company}/data/all"),
        ),
        (
            reqwest::Method::PATCH,
            format!("/companies/{company}/connections/{connection}"),
        ),
    ] {
        let response = anonymous
            .request(method.clone(), server.url(&path))
            .json(&json!({"name": "x", "status": "Unlinked"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{method} {path}");
    }
    // Nothing changed.
    let (status, _) = server.get(&format!("/companies/{company}")).await;
    assert_eq!(status, 200);
    // The public routes need no key.
    assert_eq!(
        anonymous
            .get(server.url("/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn unknown_ids_and_unsupported_types_are_404() {
    let (server, _platform, company, connection) = setup().await;
    let unknown = uuid::Uuid::new_v4();
    let base = format!("/companies/{company}/connections/{connection}/data");
    let cases = [
        (format!("/companies/{unknown}"), "No company was found"),
        ("/companies/not-a-uuid".to_owned(), "No company was found"),
        (
            format!("/companies/{unknown}/connections"),
            "No company was found",
        ),
        (
            format!("/companies/{company}/connections/{unknown}"),
            "Data connection",
        ),
        (
            format!("/companies/{company}/connections/{unknown}/data/commerce-customers"),
            "Data connection",
        ),
        (
            format!("/companies/{company}/data/history/{unknown}"),
            "Pull operation",
        ),
        (
            format!("{base}/commerce-customers/cus_999"),
            "No commerce-customers record",
        ),
        (
            format!("{base}/commerce-widgets"),
            "Datatype commerce-widgets not found",
        ),
        (format!("{base}/commerce-companyInfo"), "not found"),
        (
            format!("{base}/commerce-orders"),
            "not supported by platform(s) Fake Test",
        ),
        (
            format!("{base}/commerce-orders/ord_1"),
            "not supported by platform(s) Fake Test",
        ),
        (format!("{base}/commerce-info/anything"), "No such resource"),
        ("/nowhere".to_owned(), "No such resource"),
    ];
    for (path, message) in cases {
        let (status, body) = server.get(&path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_error_body(&body, 404);
        assert!(
            body["error"].as_str().unwrap().contains(message),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn data_types_never_synced_are_409() {
    let (server, _platform, company, connection) = setup().await;
    let base = format!("/companies/{company}/connections/{connection}/data");
    // Payments: its first pull was cancelled, none completed.
    let (status, body) = server.get(&format!("{base}/commerce-payments")).await;
    assert_eq!(status, 409, "{body}");
    assert_error_body(&body, 409);
    assert!(body["error"].as_str().unwrap().contains("not been synced"));

    // A fresh connection (never linked): never requested.
    let other = server.create_connection(&company, "fake-test").await;
    let other = other["id"].as_str().unwrap();
    let (status, body) = server
        .get(&format!(
            "/companies/{company}/connections/{other}/data/commerce-customers"
        ))
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"], "The data set has not been requested.");

    // Queueing a type already queued answers the pull already queued (Codat documents no 409
    // for refresh-data-type).
    let (status, first) = server
        .post(
            &format!("/companies/{company}/data/queue/commerce-payments?connectionId={connection}"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["status"], "Queued");
    let (status, second) = server
        .post(
            &format!("/companies/{company}/data/queue/commerce-payments?connectionId={connection}"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["status"], "Queued");
    // Queueing on a connection that is not linked.
    let (status, body) = server
        .post(
            &format!("/companies/{company}/data/queue/commerce-customers?connectionId={other}"),
            json!({}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("PendingAuth"),
        "{body}"
    );
}

#[tokio::test]
async fn bad_queries_and_paging_are_400_saying_what_is_wrong() {
    let (server, _platform, company, connection) = setup().await;
    let list = format!("/companies/{company}/connections/{connection}/data/commerce-customers");
    let cases = [
        ("pageSize=5001", "pageSize must be at most 5000"),
        (
            "pageSize=0",
            "pageSize must be a whole number of at least 1",
        ),
        ("page=0", "page must be a whole number of at least 1"),
        ("page=two", "page must be a whole number"),
        ("query=customerName%3D%3D", "Error parsing query"),
        ("query=%7BcustomerName%3Dx", "Error parsing query"),
        ("orderBy=%2B%2B", "Error parsing query"),
    ];
    for (query, message) in cases {
        let (status, body) = server.get(&format!("{list}?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_error_body(&body, 400);
        assert!(
            body["error"].as_str().unwrap().contains(message),
            "{query}: {body}"
        );
        assert_eq!(body["validation"]["errors"][0]["message"], body["error"]);
    }
    let long = "a".repeat(2049);
    let (status, body) = server.get(&format!("{list}?query=id%3D{long}")).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("maximum is 2048"));
    // The limit counts characters, not bytes: 1,103 characters in 2,203 bytes are fine.
    let accented = "%C3%A9".repeat(1100);
    let (status, body) = server.get(&format!("{list}?query=id%3D{accented}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 0);
    // pageSize 5000 itself is fine.
    let (status, body) = server.get(&format!("{list}?pageSize=5000")).await;
    assert_eq!(status, 200);
    assert_eq!(body["totalResults"], 25);
}

#[tokio::test]
async fn paging_query_and_order_work_with_links() {
    let (server, _platform, company, connection) = setup().await;
    let list = format!("/companies/{company}/connections/{connection}/data/commerce-customers");
    let (_, page) = server.get(&format!("{list}?page=2&pageSize=10")).await;
    assert_eq!(page["pageNumber"], 2);
    assert_eq!(page["totalResults"], 25);
    assert_eq!(page["results"].as_array().unwrap().len(), 10);
    assert_eq!(page["results"][0]["id"], "cus_010");
    assert_eq!(page["_links"]["self"]["href"], list);
    assert_eq!(
        page["_links"]["current"]["href"],
        format!("{list}?page=2&pageSize=10")
    );
    assert_eq!(
        page["_links"]["next"]["href"],
        format!("{list}?page=3&pageSize=10")
    );
    assert_eq!(
        page["_links"]["previous"]["href"],
        format!("{list}?page=1&pageSize=10")
    );

    let (status, filtered) = server
        .get(&format!(
            "{list}?query=defaultCurrency%3DUSD&orderBy=-id&pageSize=5"
        ))
        .await;
    assert_eq!(status, 200, "{filtered}");
    assert_eq!(filtered["totalResults"], 12);
    assert_eq!(filtered["results"][0]["id"], "cus_023");
    assert_eq!(
        filtered["_links"]["next"]["href"],
        format!("{list}?page=2&pageSize=5&query=defaultCurrency%3DUSD&orderBy=-id")
    );
    assert!(filtered.get("previous").is_none());
}

#[tokio::test]
async fn queries_that_cannot_mean_anything_are_400_naming_the_wrong_part() {
    let (server, _platform, company, connection) = setup().await;
    let list = format!("/companies/{company}/connections/{connection}/data/commerce-customers");
    let cases = [
        (
            "query=nosuch%3D1",
            "query",
            "could not resolve property nosuch",
        ),
        ("query=addresses.nosuch%3D1", "query", "addresses.nosuch"),
        (
            "query=createdDate%3Eyesterday",
            "query",
            "createdDate is a date field, and \"yesterday\" is not",
        ),
        (
            "query=createdDate%3D2024-02-30",
            "query",
            "createdDate is a date field",
        ),
        (
            "query=customerName%3E5",
            "query",
            "operator > cannot be used on customerName",
        ),
        (
            "query=createdDate~2024",
            "query",
            "operator ~ cannot be used on createdDate",
        ),
        (
            "orderBy=-nosuch",
            "orderBy",
            "could not resolve property nosuch",
        ),
        ("orderBy=addresses.city", "orderBy", "inside a list"),
        ("page=2147483648", "page", "page must be at most 2147483647"),
        ("pageSize=0", "pageSize", "pageSize must be a whole number"),
    ];
    for (query, item, message) in cases {
        let (status, body) = server.get(&format!("{list}?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_error_body(&body, 400);
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(message), "{query}: {body}");
        // The validation error names the parameter that is wrong.
        assert_eq!(body["validation"]["errors"][0]["itemId"], item, "{query}");
    }
    // Payments: a number field compared with text.
    let payments = format!("/companies/{company}/connections/{connection}/data/commerce-payments");
    let (status, body) = server.get(&format!("{payments}?query=amount%3Dten")).await;
    // Payments were never pulled in this setup: the query is refused before that is looked at.
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("amount is a number field"));

    // A field the type declares but no record carries filters as a field: nothing equals a
    // value, everything differs from it.
    let (status, body) = server.get(&format!("{list}?query=note%3Dx")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 0);
    let (status, body) = server
        .get(&format!("{list}?query=note!%3Dx&orderBy=phone"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 25);
    // The largest page is a page (empty here).
    let (status, body) = server.get(&format!("{list}?page=2147483647")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn company_names_and_descriptions_are_bounded_and_printable() {
    let server = TestServer::start(Vec::new()).await;
    for body in [
        json!({"name": "a".repeat(201)}),
        json!({"name": "Acme\u{0}Ltd"}),
        json!({"name": "Acme\nLtd"}),
        json!({"name": "Acme", "description": "d".repeat(4001)}),
        json!({"name": "Acme", "description": "bell\u{7}"}),
    ] {
        let (status, answer) = server.post("/companies", body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_error_body(&answer, 400);
        let item = &answer["validation"]["errors"][0]["itemId"];
        assert!(item == "name" || item == "description", "{answer}");
    }
    let (_, list) = server.get("/companies").await;
    assert_eq!(list["totalResults"], 0, "nothing was stored");
    let (status, company) = server
        .post(
            "/companies",
            json!({"name": "a".repeat(200), "description": "two\nlines"}),
        )
        .await;
    assert_eq!(status, 200, "{company}");
    assert_eq!(company["description"], "two\nlines");
}

/// The path and paging extractors answer exactly as the handlers did before them: the whole
/// Codat error body (but its random `correlationId`), for each route that uses them.
#[tokio::test]
async fn malformed_ids_and_paging_get_the_same_codat_error_from_every_route() {
    let (server, _platform, company, connection) = setup().await;
    let unknown_company = |id: &str| {
        json!({
            "statusCode": 404,
            "service": "PublicApi",
            "error": format!("No company was found with ID {id}"),
            "validation": {"errors": [], "warnings": []},
            "canBeRetried": "False",
            "detailedErrorCode": 0,
        })
    };
    let bad_page_size = json!({
        "statusCode": 400,
        "service": "PublicApi",
        "error": "pageSize must be a whole number of at least 1, got \"0\"",
        "validation": {"errors": [{
            "itemId": "pageSize",
            "message": "pageSize must be a whole number of at least 1, got \"0\"",
            "validatorName": "QueryValidator",
        }], "warnings": []},
        "canBeRetried": "False",
        "detailedErrorCode": 0,
    });
    let cases = [
        (
            "/companies/not-a-uuid".to_owned(),
            unknown_company("not-a-uuid"),
        ),
        (
            "/companies/not-a-uuid/connections".to_owned(),
            unknown_company("not-a-uuid"),
        ),
        (
            format!("/companies/not-a-uuid/connections/{connection}"),
            unknown_company("not-a-uuid"),
        ),
        (
            "/companies/not-a-uuid/dataStatus".to_owned(),
            unknown_company("not-a-uuid"),
        ),
        (
            "/companies/not-a-uuid/data/history".to_owned(),
            unknown_company("not-a-uuid"),
        ),
        (
            format!("/companies/{company}/connections/x-y"),
            json!({
                "statusCode": 404,
                "service": "PublicApi",
                "error": "Data connection x-y not found",
                "validation": {"errors": [], "warnings": []},
                "canBeRetried": "False",
                "detailedErrorCode": 0,
            }),
        ),
        ("/companies?pageSize=0".to_owned(), bad_page_size.clone()),
        (
            format!("/companies/{company}/connections?pageSize=0"),
            bad_page_size.clone(),
        ),
        (
            format!("/companies/{company}/data/history?pageSize=0"),
            bad_page_size.clone(),
        ),
        // An unknown company is answered before its paging is read.
        (
            "/companies/not-a-uuid/connections?pageSize=0".to_owned(),
            unknown_company("not-a-uuid"),
        ),
    ];
    for (path, expected) in cases {
        let (status, mut body) = server.get(&path).await;
        assert_eq!(u64::from(status), expected["statusCode"], "{path}: {body}");
        assert_error_body(&body, status);
        body.as_object_mut().unwrap().remove("correlationId");
        assert_eq!(body, expected, "{path}");
    }
}
