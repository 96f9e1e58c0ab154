//! `GET /openapi.json`: a valid OpenAPI 3.1 document that describes every route the router
//! serves (and nothing it does not), whose response schemas match what the server answers, and
//! whose shared schemas use Codat's names and fields.

use std::collections::{BTreeMap, BTreeSet};

use commerce_model::schema_check::CodatSchemas;
use commerce_server::{build_router, ApiKeys, AppState};
use commerce_store::{EncryptionKey, Store};
use commerce_sync::{PlatformRegistry, SyncConfig, SyncEngine};
use serde_json::Value;

use crate::support::{shared, status_json, SyncedServer, TempDir, TestServer};

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

async fn document(server: &TestServer) -> (Value, String) {
    let response = reqwest::get(server.url("/openapi.json")).await.unwrap();
    assert_eq!(response.status(), 200, "the document needs no API key");
    let text = response.text().await.unwrap();
    (serde_json::from_str(&text).unwrap(), text)
}

/// The paths the router serves, read from the router itself (axum's `Debug` lists its
/// route table).
async fn router_paths() -> BTreeSet<String> {
    let dir = TempDir::new();
    let store = Store::connect(
        &format!("sqlite://{}", dir.0.join("r.db").display()),
        EncryptionKey::generate(),
    )
    .await
    .unwrap();
    let engine = SyncEngine::new(store, PlatformRegistry::new(), SyncConfig::default());
    let router = build_router(AppState::new(
        engine,
        ApiKeys::new(["router-key-0123456789"]),
        "http://127.0.0.1",
    ));
    let debug = format!("{router:?}");
    // The main route table comes first; the fallback router's own table follows.
    let debug = debug.split("fallback_router").next().unwrap();
    let mut paths = BTreeSet::new();
    let mut rest = debug;
    while let Some(at) = rest.find("RouteId(") {
        rest = &rest[at..];
        let Some(start) = rest.find(": \"") else {
            break;
        };
        let after = &rest[start + 3..];
        let end = after.find('"').unwrap();
        paths.insert(after[..end].to_owned());
        rest = &after[end..];
    }
    assert!(
        paths.len() >= 15 && paths.contains("/companies"),
        "could not read the router's routes from its Debug output: {paths:?}"
    );
    paths
}

/// Whether a router path (`{company_id}` placeholders) serves a documented path: segment by
/// segment, a placeholder matches anything.
fn serves(router_path: &str, documented: &str) -> bool {
    let a: Vec<&str> = router_path.split('/').collect();
    let b: Vec<&str> = documented.split('/').collect();
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x == y || (x.starts_with('{') && x.ends_with('}')))
}

fn is_placeholder(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_valid_openapi_3_1() {
    let server = TestServer::start(Vec::new()).await;
    let (doc, text) = document(&server).await;
    let spec = oas3::from_json(&text).expect("parses as OpenAPI 3.1");
    assert_eq!(spec.validate_version().unwrap().major, 3);
    assert_eq!(doc["openapi"], "3.1.0");

    // Every operation id is unique; every $ref points at a component that exists.
    let ids: Vec<String> = spec
        .operations()
        .map(|(_, _, operation)| operation.operation_id.clone().unwrap())
        .collect();
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate operationId");
    let components = doc["components"]["schemas"].as_object().unwrap();
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 50);
    for reference in refs {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
        assert!(components.contains_key(name), "dangling $ref {reference}");
    }
    // Every path parameter is declared on the operations of its path.
    for (path, item) in doc["paths"].as_object().unwrap() {
        let names: BTreeSet<&str> = path
            .split('/')
            .filter(|s| is_placeholder(s))
            .map(|s| &s[1..s.len() - 1])
            .collect();
        for (_, operation) in item.as_object().unwrap() {
            let declared: BTreeSet<&str> = operation["parameters"]
                .as_array()
                .map(|parameters| {
                    parameters
                        .iter()
                        .filter(|p| p["in"] == "path")
                        .map(|p| p["name"].as_str().unwrap())
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(declared, names, "{path}");
        }
    }
    // The schemas compile as JSON Schema (draft 2020-12, as OpenAPI 3.1 uses).
    let schemas = CodatSchemas::from_yaml_str(&text).unwrap();
    for name in components.keys() {
        // Validating an empty object compiles the schema; its result does not matter here.
        let _ = schemas.validate(name, &serde_json::json!({}));
    }
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, value) in object {
                if key == "$ref" {
                    out.push(value.as_str().unwrap().to_owned());
                } else {
                    collect_refs(value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_described_and_every_description_is_served() {
    let SyncedServer {
        server,
        company,
        connection,
        dataset,
    } = SyncedServer::start("Described Ltd").await;
    let (doc, text) = document(&server).await;
    let schemas = CodatSchemas::from_yaml_str(&text).unwrap();
    let paths = doc["paths"].as_object().unwrap();

    // Router -> document: every route the router serves is described, with exactly the methods
    // it answers (a method not described must be refused with 405).
    let router = router_paths().await;
    for route in &router {
        let documented: Vec<&String> = paths.keys().filter(|p| serves(route, p)).collect();
        assert!(!documented.is_empty(), "route {route} is not described");
    }
    // Document -> router: every described path is one the router has.
    for path in paths.keys() {
        assert!(
            router.iter().any(|route| serves(route, path)),
            "{path} is described but no route serves it"
        );
    }

    // Each described operation is answered by its handler (never the fallback or a 405), with
    // a documented status; JSON answers validate against the documented schema and carry no
    // undeclared field.
    let values = BTreeMap::from([
        ("companyId", company.clone()),
        ("connectionId", connection.clone()),
        ("datasetId", dataset),
        ("dataType", "commerce-customers".to_owned()),
        ("recordId", "cus_1".to_owned()),
        ("deliveryId", uuid::Uuid::new_v4().to_string()),
        ("webhookId", uuid::Uuid::new_v4().to_string()),
        ("consumerId", uuid::Uuid::new_v4().to_string()),
        ("platform", "fake".to_owned()),
        ("platformKey", "fktt".to_owned()),
        ("image", "logo-square.svg".to_owned()),
        ("apiKeyId", uuid::Uuid::new_v4().to_string()),
        ("table", "customers".to_owned()),
    ]);
    let mut checked_schemas = BTreeSet::new();
    // Safe operations first; then the ones that change or delete.
    let mut operations: Vec<(String, String, Value)> = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            operations.push((path.clone(), method.clone(), operation.clone()));
        }
    }
    let rank = |method: &str, path: &str| match method {
        "get" => 0,
        "post" if path.ends_with("/connections") || path == "/companies" => 1,
        "post" => 2,
        "patch" => 3,
        _ if path.ends_with("{connectionId}") => 4,
        _ => 5,
    };
    operations.sort_by_key(|(path, method, _)| rank(method, path));
    for (path, method, operation) in operations {
        let url: String = path
            .split('/')
            .map(|segment| {
                if is_placeholder(segment) {
                    values[&segment[1..segment.len() - 1]].clone()
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let url = if path == "/oauth/{platform}/callback" {
            format!("{url}?state=unknown")
        } else {
            url
        };
        let mut request = server.client.request(
            reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
            server.url(&url),
        );
        request = match operation["operationId"].as_str().unwrap() {
            "create-company" => request.json(&serde_json::json!({"name": "Described"})),
            "create-connection" => request.json(&serde_json::json!({"platformKey": "fake-test"})),
            "unlink-connection" => request.json(&serde_json::json!({"status": "Unlinked"})),
            "replace-company" | "update-company" => {
                request.json(&serde_json::json!({"name": "Described", "tags": {"ref": "r-1"}}))
            }
            "update-profile" => request.json(
                &serde_json::json!({"name": "Described", "redirectUrl": "https://example.com/{companyId}"}),
            ),
            "update-profile-syncSettings" | "set-company-syncSettings" => request.json(
                &serde_json::json!({"settings": [{"dataType": "commerce-payments", "fetchOnFirstLink": false, "syncSchedule": 12, "syncOrder": 0}], "overridesDefaults": true}),
            ),
            "create-api-key" => request.json(&serde_json::json!({"name": "described"})),
            "receive-platform-webhook" => request.body("{}"),
            "create-webhook-consumer" => {
                request.json(&serde_json::json!({"url": "https://hooks.example.com/codat"}))
            }
            // Without the page's token: refused, but by the form's handler.
            "dashboard-sync-now"
            | "dashboard-create-link"
            | "dashboard-create-webhook-consumer"
            | "dashboard-delete-webhook-consumer"
            | "dashboard-create-api-key"
            | "dashboard-delete-api-key" => {
                request.form(&[("csrf", "not-the-token"), ("platform", "fake-test")])
            }
            _ => request,
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let is_json = response
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("application/json"));
        let (_, body) = status_json(response).await;
        assert_ne!(status, 405, "{method} {path}");
        assert!(
            !(status == 404 && body["error"] == "No such resource"),
            "{method} {path} fell through to the fallback"
        );
        let responses = operation["responses"].as_object().unwrap();
        assert!(
            responses.contains_key(&status.to_string()),
            "{method} {url}: {status} is not a documented response ({:?}): {body}",
            responses.keys().collect::<Vec<_>>()
        );
        if let Some(schema) =
            responses[&status.to_string()]["content"]["application/json"]["schema"]["$ref"].as_str()
        {
            assert!(is_json, "{method} {path} should answer JSON");
            let name = schema.rsplit('/').next().unwrap();
            schemas
                .validate(name, &body)
                .unwrap_or_else(|error| panic!("{method} {url} vs {name}: {error}\n{body}"));
            // The document's own inner shape is checked by `the_document_is_valid_openapi_3_1`.
            let undeclared = if name == "OpenApiDocument" {
                Vec::new()
            } else {
                schemas.undeclared_fields(name, &body).unwrap()
            };
            assert!(
                undeclared.is_empty(),
                "{method} {url}: fields not in {name}: {undeclared:?}"
            );
            if (200..300).contains(&status) {
                checked_schemas.insert(name.to_owned());
            }
        }
        // Methods the path does not describe are refused.
        if method == "get" {
            for other in METHODS {
                if !paths[&path].as_object().unwrap().contains_key(*other)
                    && path != "/webhooks/{platform}"
                {
                    let response = server
                        .client
                        .request(
                            reqwest::Method::from_bytes(other.to_uppercase().as_bytes()).unwrap(),
                            server.url(&url),
                        )
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(
                        response.status(),
                        405,
                        "{other} {path} is served but not described"
                    );
                }
            }
        }
    }
    for name in [
        "Companies",
        "Company",
        "Connection",
        "Connections",
        "PullOperation",
        "PullOperations",
        "DataStatuses",
        "Customers",
        "Customer",
        "CompanyInfo",
        "Health",
        "WebhookDeliveries",
        "WebhookConsumers",
        "CreatedWebhookConsumer",
        "Integrations",
        "Integration",
        "Branding",
        "Profile",
        "SyncSettings",
        "CompanySyncSettings",
        "ApiKeys",
        "ApiKeyDetails",
    ] {
        assert!(
            checked_schemas.contains(name),
            "{name} was not checked against a real answer: {checked_schemas:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_schemas_use_codat_names_and_fields() {
    let (Some(commerce), Some(platform)) = (
        shared("codat-openapi/Codat-Commerce.yaml"),
        shared("codat-openapi/Codat-Platform.yaml"),
    ) else {
        return;
    };
    let server = TestServer::start(Vec::new()).await;
    let (doc, _) = document(&server).await;
    let ours = doc["components"]["schemas"].as_object().unwrap();
    let documents: Vec<Value> = [commerce, platform]
        .iter()
        .map(|file| CodatSchemas::load(file).unwrap().document().clone())
        .collect();
    let mut codat: BTreeMap<String, Value> = BTreeMap::new();
    for document in &documents {
        for (name, schema) in document["components"]["schemas"].as_object().unwrap() {
            codat.entry(name.clone()).or_insert(schema.clone());
        }
    }
    // Every schema a Codat route answers with exists here under Codat's name.
    for name in [
        "Company",
        "Companies",
        "CompanyRequestBody",
        "Connection",
        "Connections",
        "UpdateConnectionStatus",
        "PullOperation",
        "PullOperations",
        "DataStatus",
        "DataStatuses",
        "ErrorMessage",
        "CompanyInfo",
        "Customer",
        "Customers",
        "Dispute",
        "Disputes",
        "Location",
        "Locations",
        "Order",
        "Orders",
        "Payment",
        "Payments",
        "PaymentMethod",
        "PaymentMethods",
        "Product",
        "Products",
        "ProductCategory",
        "ProductCategories",
        "TaxComponent",
        "TaxComponents",
        "Transaction",
        "Transactions",
        "WebhookConsumer",
        "CompanyUpdateRequest",
        "Integration",
        "Integrations",
        "Branding",
        "Profile",
        "SyncSetting",
        "SyncSettings",
        "CompanySyncSettings",
        "ApiKeys",
        "ApiKeyDetails",
        "CreateApiKey",
    ] {
        assert!(ours.contains_key(name), "{name} missing");
        assert!(codat.contains_key(name), "{name} is not a Codat schema");
    }
    // Where both have a schema of that name, our fields are Codat's fields, except these
    // documented extensions.
    // (Documented extensions: the company's redirect for the link flow, the unlink answer's
    // `platformAccessRevoked` (shared grants, docs/platform-api.md), and fields that appear in
    // Codat's examples but not in its schemas, which commerce-model keeps.)
    let extensions: BTreeSet<(&str, &str)> = [
        ("CompanyRequestBody", "redirect"),
        ("CompanyUpdateRequest", "redirect"),
        ("ApiKeyDetails", "deletable"),
        ("Connection", "platformAccessRevoked"),
        ("Payment", "type"),
        ("Product", "createdDate"),
        ("Product", "modifiedDate"),
        ("Product", "sourceModifiedDate"),
        ("Product", "productCategoryRefs"),
        ("Product", "status"),
    ]
    .into();
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for (name, schema) in ours {
        let Some(theirs) = codat.get(name) else {
            continue;
        };
        let their_fields = properties(theirs, &documents);
        if their_fields.is_empty() {
            continue;
        }
        compared += 1;
        for field in properties(schema, &[]) {
            if !(their_fields.contains(&field)
                || extensions.contains(&(name.as_str(), field.as_str())))
            {
                mismatches.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "not in Codat's schemas: {mismatches:?}"
    );
    assert!(compared >= 20, "only {compared} schemas compared");
}

/// Property names of a schema, following `allOf` and `$ref`s (JSON pointers into `documents`).
fn properties(schema: &Value, documents: &[Value]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    if let Some(reference) = schema["$ref"].as_str() {
        if let Some(target) = documents
            .iter()
            .find_map(|document| document.pointer(reference.strip_prefix('#')?))
        {
            names.extend(properties(target, documents));
        }
    }
    if let Some(object) = schema["properties"].as_object() {
        names.extend(object.keys().cloned());
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        names.extend(properties(part, documents));
    }
    names
}
