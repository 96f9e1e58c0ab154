//! Every status the server answers on an operation shared with Codat is one Codat's own
//! OpenAPI (`../shared/codat-openapi`) lists for that operation: the test walks Codat's
//! operations, matches them with the router's (through `/openapi.json`, which the `openapi`
//! tests check against the router both ways), and sends each one requests that provoke every
//! error it can meet — no or a wrong API key, unknown and malformed ids, bad paging and
//! queries, malformed and invalid bodies, data never synced, connections in each state —
//! plus the request that succeeds.

use std::collections::{BTreeMap, BTreeSet};

use commerce_model::schema_check::CodatSchemas;
use serde_json::{json, Value};

use crate::support::{shared, status_json, SyncedServer, TestServer, API_KEY};

/// Codat's operations: (method, path) -> (operation id, documented statuses).
type CodatOperations = BTreeMap<(String, String), (String, BTreeSet<u16>)>;

fn codat_operations() -> Option<CodatOperations> {
    let mut operations = BTreeMap::new();
    for file in [
        "codat-openapi/Codat-Platform.yaml",
        "codat-openapi/Codat-Commerce.yaml",
    ] {
        let path = shared(file)?;
        let document = CodatSchemas::load(&path).unwrap().document().clone();
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let Some(responses) = operation["responses"].as_object() else {
                    continue;
                };
                let statuses = responses
                    .keys()
                    .filter_map(|status| status.parse().ok())
                    .collect();
                operations.insert(
                    (method.clone(), path.clone()),
                    (
                        operation["operationId"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        statuses,
                    ),
                );
            }
        }
    }
    Some(operations)
}

/// Whether Codat's path (its own parameter names) and ours name the same route.
fn same_path(codat: &str, ours: &str) -> bool {
    let a: Vec<&str> = codat.split('/').collect();
    let b: Vec<&str> = ours.split('/').collect();
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x == y || (x.starts_with('{') && y.starts_with('{')))
}

struct Fixture {
    server: TestServer,
    values: BTreeMap<&'static str, String>,
}

async fn fixture() -> Fixture {
    let SyncedServer {
        server,
        company,
        connection,
        dataset,
    } = SyncedServer::start("Walked Ltd").await;
    let values = BTreeMap::from([
        ("companyId", company),
        ("connectionId", connection),
        ("datasetId", dataset),
        ("dataType", "commerce-customers".to_owned()),
        ("platformKey", "fktt".to_owned()),
        ("apiKeyId", uuid::Uuid::new_v4().to_string()),
        ("webhookId", uuid::Uuid::new_v4().to_string()),
    ]);
    Fixture { server, values }
}

/// The id of a record for Codat's record path parameters (`customerId`, `paymentId`, ...).
fn value_of(values: &BTreeMap<&'static str, String>, name: &str) -> String {
    match values.get(name) {
        Some(value) => value.clone(),
        None if name.ends_with("Id") => "cus_1".to_owned(),
        None => panic!("no value for {{{name}}}"),
    }
}

fn fill(
    path: &str,
    values: &BTreeMap<&'static str, String>,
    replace: Option<(&str, &str)>,
) -> String {
    path.split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => match replace {
                    Some((which, with)) if which == name => with.to_owned(),
                    _ => value_of(values, name),
                },
                None => segment.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// A good body for an operation that takes one.
fn good_body(operation_id: &str, values: &BTreeMap<&'static str, String>) -> Option<Value> {
    Some(match operation_id {
        "create-company" | "replace-company" | "update-company" => {
            json!({"name": "Walked Co", "description": "walked", "tags": {"ref": "w-1"}})
        }
        "create-connection" => json!({"platformKey": "fktt"}),
        "unlink-connection" => json!({"status": "Unlinked"}),
        "update-profile" => {
            json!({"name": "Walker", "redirectUrl": "https://example.com/{companyId}"})
        }
        "update-profile-syncSettings" => json!({
            "clientId": uuid::Uuid::new_v4(),
            "settings": [{"dataType": "commerce-payments", "fetchOnFirstLink": true, "syncSchedule": 24, "syncOrder": 0}],
            "overridesDefaults": true,
        }),
        "set-company-syncSettings" => json!({
            "companyId": values["companyId"],
            "settings": [{"dataType": "commerce-payments", "fetchOnFirstLink": true, "syncSchedule": 24, "syncOrder": 0}],
            "overridesDefaults": true,
        }),
        "create-api-key" => json!({"name": "walker"}),
        "update-connection-authorization" => {
            json!({"apiKey": commerce_testkit::linked::GOOD_API_KEY})
        }
        "create-webhook-consumer" => json!({
            "url": "https://hooks.example.com/walker",
            "eventTypes": ["read.completed"],
            "disabled": true,
        }),
        _ => return None,
    })
}

/// Bodies that cannot be applied (raw text, sent as JSON).
const BAD_BODIES: &[&str] = &[
    "{not json",
    "[]",
    "{}",
    r#"{"name": ""}"#,
    r#"{"name": 5, "platformKey": 7, "status": "Linked"}"#,
    r#"{"platformKey": "zzzz"}"#,
    r#"{"platformKey": "exgd"}"#,
    r#"{"name": "x", "tags": {"a": 1}}"#,
    r#"{"name": "x", "tags": {"1": "a", "2": "a", "3": "a", "4": "a", "5": "a", "6": "a", "7": "a", "8": "a", "9": "a", "10": "a", "11": "a"}}"#,
    r#"{"name": "x", "redirectUrl": "not a url"}"#,
    r#"{"settings": [{"dataType": "invoices", "fetchOnFirstLink": true, "syncSchedule": 24, "syncOrder": 0}]}"#,
    r#"{"settings": [{"dataType": "commerce-payments", "fetchOnFirstLink": true, "syncSchedule": 0, "syncOrder": 0}]}"#,
    r#"{"settings": [{"dataType": "commerce-payments"}]}"#,
    r#"{"companyId": "00000000-0000-0000-0000-000000000000", "settings": []}"#,
    r#"{"name": "a name that is far longer than the fifty characters Codat allows for keys"}"#,
];

const BAD_QUERIES: &[&str] = &[
    "page=0",
    "page=abc",
    "pageSize=0",
    "pageSize=5001",
    "query=%3D%3D%3D",
    "query=nosuchfield%3D1",
    "orderBy=-",
    "connectionId=not-a-uuid",
    "connectionId=00000000-0000-0000-0000-000000000000",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_on_a_codat_operation_has_a_status_codat_documents() {
    let Some(codat) = codat_operations() else {
        return;
    };
    let Fixture { server, mut values } = fixture().await;
    let (_, ours) = status_json(reqwest::get(server.url("/openapi.json")).await.unwrap()).await;
    let our_paths = ours["paths"].as_object().unwrap();

    // Codat's operations this server serves, each with our path.
    let mut served: Vec<(String, String, String, BTreeSet<u16>)> = Vec::new();
    for ((method, path), (id, statuses)) in &codat {
        let Some(our_path) = our_paths
            .iter()
            .find(|(ours, item)| same_path(path, ours) && item.get(method).is_some())
            .map(|(ours, _)| ours.clone())
        else {
            continue;
        };
        // The one deliberate addition: linking with a pasted key answers a refused key with a
        // Codat-shaped 400 (issue 14 asks for it; Codat documents no 400 on this operation).
        let mut statuses = statuses.clone();
        if id == "update-connection-authorization" {
            statuses.insert(400);
        }
        let statuses = &statuses;
        // What /openapi.json promises for it is within what Codat documents.
        let promised: BTreeSet<u16> = our_paths[&our_path][method]["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(|status| status.parse().unwrap())
            .collect();
        assert!(
            promised.is_subset(statuses),
            "{method} {our_path} ({id}) documents {promised:?}, Codat only {statuses:?}"
        );
        served.push((method.clone(), path.clone(), id.clone(), statuses.clone()));
    }
    let ids: BTreeSet<&str> = served.iter().map(|(_, _, id, _)| id.as_str()).collect();
    for expected in [
        "list-companies",
        "create-company",
        "get-company",
        "delete-company",
        "replace-company",
        "update-company",
        "list-connections",
        "create-connection",
        "get-connection",
        "delete-connection",
        "unlink-connection",
        "get-company-data-status",
        "refresh-company-data",
        "refresh-data-type",
        "list-pull-operations",
        "get-pull-operation",
        "list-integrations",
        "get-integration",
        "get-integrations-branding",
        "get-profile",
        "update-profile",
        "get-profile-syncSettings",
        "update-profile-syncSettings",
        "get-company-syncSettings",
        "set-company-syncSettings",
        "list-api-keys",
        "create-api-key",
        "delete-api-key",
        "list-webhook-consumers",
        "create-webhook-consumer",
        "delete-webhook-consumer",
        "list-customers",
        "get-customer",
        "get-company-info",
        "list-payments",
        "get-payment",
        "list-transactions",
        "list-disputes",
        "list-products",
    ] {
        assert!(ids.contains(expected), "{expected} is not served: {ids:?}");
    }

    // A fresh connection (PendingAuth, never synced) for the state-dependent answers.
    let pending = server
        .create_connection(&values["companyId"], "fake-test")
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut failures = Vec::new();
    let mut seen: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
    // Reads and safe changes first; the ones that delete last.
    served.sort_by_key(|(method, path, _, _)| match method.as_str() {
        "get" => 0,
        "post" | "put" => 1,
        // Unlinking the connection comes after the operations that need it linked.
        "patch" => 2,
        _ if path.contains("{connectionId}") => 3,
        _ => 4,
    });
    let bare = reqwest::Client::new();
    for (method, path, id, documented) in &served {
        let http = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut requests: Vec<(String, reqwest::RequestBuilder)> = Vec::new();
        let good = fill(path, &values, None);
        let with_body = |request: reqwest::RequestBuilder, body: Option<String>| match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(body),
            None => request,
        };
        let good_json = good_body(id, &values).map(|body| body.to_string());
        // No key, a wrong key, a key in a scheme Codat does not use.
        requests.push((
            "no key".into(),
            with_body(
                bare.request(http.clone(), server.url(&good)),
                good_json.clone(),
            ),
        ));
        requests.push((
            "wrong key".into(),
            with_body(
                bare.request(http.clone(), server.url(&good)).header(
                    "authorization",
                    commerce_server::authorization_header("not-a-key-0123456789"),
                ),
                good_json.clone(),
            ),
        ));
        requests.push((
            "bearer".into(),
            with_body(
                bare.request(http.clone(), server.url(&good))
                    .header("authorization", format!("Bearer {API_KEY}")),
                good_json.clone(),
            ),
        ));
        // Each path parameter unknown, then malformed.
        for segment in path.split('/') {
            let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                continue;
            };
            for wrong in [
                uuid::Uuid::new_v4().to_string(),
                "not-an-id".to_owned(),
                "zzzz".to_owned(),
            ] {
                let url = fill(path, &values, Some((name, &wrong)));
                requests.push((
                    format!("{name}={wrong}"),
                    with_body(
                        server.client.request(http.clone(), server.url(&url)),
                        good_json.clone(),
                    ),
                ));
            }
        }
        // The pending connection in place of the linked one.
        if path.contains("{connectionId}") && *method != "delete" {
            let url = fill(path, &values, Some(("connectionId", &pending)));
            requests.push((
                "pending connection".into(),
                with_body(
                    server.client.request(http.clone(), server.url(&url)),
                    good_json.clone(),
                ),
            ));
        }
        // Bad paging, queries and parameters.
        for query in BAD_QUERIES {
            requests.push((
                format!("?{query}"),
                with_body(
                    server
                        .client
                        .request(http.clone(), server.url(&format!("{good}?{query}"))),
                    good_json.clone(),
                ),
            ));
        }
        requests.push((
            "?connectionId=pending".into(),
            with_body(
                server.client.request(
                    http.clone(),
                    server.url(&format!("{good}?connectionId={pending}")),
                ),
                good_json.clone(),
            ),
        ));
        // Bad bodies, where the operation takes one.
        if good_json.is_some() || matches!(method.as_str(), "post" | "put" | "patch") {
            for body in BAD_BODIES {
                requests.push((
                    format!("body {body}"),
                    with_body(
                        server.client.request(http.clone(), server.url(&good)),
                        Some((*body).to_owned()),
                    ),
                ));
            }
            requests.push((
                "no body".into(),
                server.client.request(http.clone(), server.url(&good)),
            ));
        }
        // Last: the request that succeeds.
        requests.push((
            "good".into(),
            with_body(
                server.client.request(http.clone(), server.url(&good)),
                good_json.clone(),
            ),
        ));

        for (what, request) in requests {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let (_, body) = status_json(response).await;
            if id == "create-api-key" && what == "good" {
                values.insert("apiKeyId", body["id"].as_str().unwrap().to_owned());
            }
            if id == "create-webhook-consumer" && what == "good" {
                values.insert("webhookId", body["id"].as_str().unwrap().to_owned());
            }
            seen.entry(id.clone()).or_default().insert(status);
            if !documented.contains(&status) {
                failures.push(format!(
                    "{method} {path} ({id}) [{what}]: {status} not in Codat's {documented:?}: {body}"
                ));
            } else if status >= 400 && !(body["statusCode"] == status && body["error"].is_string())
            {
                failures.push(format!(
                    "{method} {path} ({id}) [{what}]: {status} without Codat's ErrorMessage: {body}"
                ));
            }
        }
        // A connection deleted by delete-connection is gone for the operations after it.
        if id == "delete-connection" {
            values.insert("connectionId", pending.clone());
        }
    }
    assert!(
        failures.is_empty(),
        "{} answers with undocumented statuses:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // The walk provoked the errors it claims to: every served operation answered 401 and a
    // success, and the operations with ids answered 404.
    for (method, path, id, _) in &served {
        let statuses = &seen[id];
        assert!(statuses.contains(&401), "{id}: {statuses:?}");
        // Record reads are asked for `cus_1`, which only the customers have.
        let record_read = path.split('/').filter(|s| s.starts_with('{')).count() == 3
            && !path.ends_with("{dataType}");
        if !record_read || id == "get-customer" {
            assert!(
                statuses.iter().any(|s| (200..300).contains(s)),
                "{method} {path} ({id}) never succeeded: {statuses:?}"
            );
        }
        if path.contains('{') {
            assert!(statuses.contains(&404), "{id}: {statuses:?}");
        }
    }
    for (id, status) in [
        ("list-customers", 400),
        ("list-customers", 409),
        ("create-company", 400),
        ("update-company", 403),
        ("update-profile", 403),
        ("set-company-syncSettings", 400),
        ("create-api-key", 400),
        ("refresh-data-type", 400),
    ] {
        assert!(
            seen[id].contains(&status),
            "{id} never answered {status}: {:?}",
            seen[id]
        );
    }
}
