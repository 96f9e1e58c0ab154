//! Segment edges against a list where many objects share each `created` second (wiremock
//! serving Stripe's list semantics over a fixed set): the first page ends inside a second and
//! every interior bound falls on a second holding 30 customers, yet every customer is pulled
//! exactly once, also when the pull is resumed from any batch.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use commerce_model::platform::Batch;
use commerce_model::DataType;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::{linked, platform_for, try_pull};

/// Where the customers start; the account was created 10 s earlier.
const BASE: i64 = 1_700_000_000;
const PER_SECOND: i64 = 30;
const CUSTOMERS: i64 = 1_000;

/// Customer `index`: created `BASE + index / 30`, so each second holds 30 of them.
fn created(index: i64) -> i64 {
    BASE + index / PER_SECOND
}

/// The `created` bounds of each list request: (`created[gte]`, `created[lt]`).
type Asked = Arc<Mutex<Vec<(Option<i64>, Option<i64>)>>>;

/// `/v1/customers` with Stripe's semantics: newest first (ties by descending id, a total
/// order), `created[gte]`/`created[lt]`, `starting_after`, `limit`, `has_more`. Records the
/// bounds it was asked for.
struct Customers {
    asked: Asked,
}

impl Respond for Customers {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut gte = None;
        let mut lt = None;
        let mut after = None;
        let mut limit = 10_usize;
        for (name, value) in request.url.query_pairs() {
            match name.as_ref() {
                "created[gte]" => gte = value.parse::<i64>().ok(),
                "created[lt]" => lt = value.parse::<i64>().ok(),
                "starting_after" => after = Some(value.into_owned()),
                "limit" => limit = value.parse().unwrap_or(10),
                _ => {}
            }
        }
        self.asked.lock().unwrap().push((gte, lt));
        // Newest first: higher index first (ids sort with the index).
        let all: Vec<i64> = (0..CUSTOMERS)
            .rev()
            .filter(|index| gte.is_none_or(|gte| created(*index) >= gte))
            .filter(|index| lt.is_none_or(|lt| created(*index) < lt))
            .collect();
        let start = match &after {
            Some(id) => match all.iter().position(|index| &id_of(*index) == id) {
                Some(position) => position + 1,
                None => {
                    return ResponseTemplate::new(400).set_body_json(json!({"error": {
                        "type": "invalid_request_error",
                        "message": format!("starting_after {id} is not in this list"),
                    }}))
                }
            },
            None => 0,
        };
        let page: Vec<Value> = all
            .iter()
            .skip(start)
            .take(limit)
            .map(|index| {
                json!({"id": id_of(*index), "object": "customer", "created": created(*index)})
            })
            .collect();
        let has_more = all.len() > start + page.len();
        ResponseTemplate::new(200).set_body_json(json!({
            "object": "list", "url": "/v1/customers", "has_more": has_more, "data": page
        }))
    }
}

fn id_of(index: i64) -> String {
    format!("cus_{index:05}")
}

async fn server() -> (MockServer, Asked) {
    let server = MockServer::start().await;
    let asked = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path("/v1/events"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object": "list", "data": [], "has_more": false, "url": "/v1/events"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "acct_1", "object": "account", "created": BASE - 10
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/customers"))
        .respond_with(Customers {
            asked: asked.clone(),
        })
        .mount(&server)
        .await;
    (server, asked)
}

fn ids_once(batches: &[Batch]) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for record in batches.iter().flat_map(|batch| &batch.records) {
        assert!(ids.insert(record.id.clone()), "{} pulled twice", record.id);
    }
    ids
}

#[tokio::test]
async fn objects_sharing_a_second_at_a_segment_bound_are_pulled_once() {
    let (server, asked) = server().await;
    let platform = platform_for(&server.uri(), "ca_test1", "sk_test_1", None);
    let account = linked("acct_1");
    let full = try_pull(&platform, &account, DataType::Customers, None)
        .await
        .unwrap();
    let everyone: BTreeSet<String> = (0..CUSTOMERS).map(id_of).collect();
    assert_eq!(ids_once(&full), everyone);

    // The first page ended inside a second (100 is not a multiple of 30): the top segment
    // starts at that second and continues after the page's last id.
    let first: Value = serde_json::from_str(full[0].cursor.as_str()).unwrap();
    let segments = first["segments"].as_array().unwrap().clone();
    assert_eq!(segments[0]["gte"], json!(created(CUSTOMERS - 100)));
    assert_eq!(segments[0]["after"], json!(id_of(CUSTOMERS - 100)));
    // Interior bounds fall on populated seconds (30 customers each).
    let interior: Vec<i64> = segments
        .iter()
        .filter_map(|segment| segment["gte"].as_i64())
        .filter(|gte| *gte >= BASE && *gte < created(CUSTOMERS - 100))
        .collect();
    assert!(interior.len() >= 2, "{segments:?}");
    let asked = asked.lock().unwrap().clone();
    for bound in &interior {
        assert!(asked.iter().any(|(gte, _)| gte == &Some(*bound)));
        assert!(asked.iter().any(|(_, lt)| lt == &Some(*bound)));
    }

    // A crash after any batch: the resumed pull adds exactly the customers not yet stored.
    for stop in 0..full.len() - 1 {
        let resumed = try_pull(
            &platform,
            &account,
            DataType::Customers,
            Some(full[stop].cursor.clone()),
        )
        .await
        .unwrap();
        let before = ids_once(&full[..=stop]);
        let after = ids_once(&resumed);
        assert!(
            before.is_disjoint(&after),
            "after batch {stop}: pulled twice"
        );
        assert_eq!(
            before.union(&after).cloned().collect::<BTreeSet<_>>(),
            everyone,
            "after batch {stop}: missed some"
        );
    }
}
