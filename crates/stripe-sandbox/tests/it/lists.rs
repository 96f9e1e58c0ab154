//! Stripe list semantics: ordering, paging both ways, filters, limits, bad cursors.

use reqwest::StatusCode;
use serde_json::Value;
use stripe_sandbox::Resource;

use crate::{error_code, start};

#[tokio::test]
async fn lists_are_newest_first_and_page_without_gaps_or_repeats() {
    let env = start(60, |_| {}).await;
    for resource in [
        "customers",
        "charges",
        "payment_intents",
        "refunds",
        "disputes",
        "products",
        "prices",
        "balance_transactions",
        "payouts",
        "events",
    ] {
        let path = format!("/v1/{resource}");
        let by_seven = env.all_ids(&path, 7).await;
        let by_hundred = env.all_ids(&path, 100).await;
        assert_eq!(by_seven, by_hundred, "{resource}");
        let unique: std::collections::HashSet<_> = by_seven.iter().collect();
        assert_eq!(unique.len(), by_seven.len(), "{resource} repeats");
        let resource_kind = Resource::from_path(resource).unwrap();
        if resource != "prices" {
            // Prices list only active ones by default.
            assert_eq!(
                by_seven.len() as u64,
                env.sandbox.count(&env.account, resource_kind).unwrap(),
                "{resource}"
            );
        }
        let page = env.get(&format!("{path}?limit=100")).await;
        let created: Vec<i64> = page.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["created"].as_i64().unwrap())
            .collect();
        assert!(
            created.windows(2).all(|pair| pair[0] >= pair[1]),
            "{resource} not newest first"
        );
        assert_eq!(page.body["url"], format!("/v1/{resource}"));
        assert_eq!(page.body["object"], "list");
    }
}

#[tokio::test]
async fn default_limit_is_ten_and_limit_bounds_are_enforced() {
    let env = start(50, |_| {}).await;
    let page = env.get("/v1/customers").await;
    assert_eq!(page.body["data"].as_array().unwrap().len(), 10);
    assert_eq!(page.body["has_more"], true);
    for bad in ["0", "101", "-1", "ten"] {
        let reply = env.get(&format!("/v1/customers?limit={bad}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.body["error"]["type"], "invalid_request_error");
        assert_eq!(reply.body["error"]["param"], "limit");
    }
    let full = env.get("/v1/customers?limit=100").await;
    assert_eq!(full.body["data"].as_array().unwrap().len(), 50);
    assert_eq!(full.body["has_more"], false);
}

#[tokio::test]
async fn ending_before_pages_backwards() {
    let env = start(40, |_| {}).await;
    let all = env.all_ids("/v1/customers", 100).await;
    let page = env
        .get(&format!("/v1/customers?limit=5&ending_before={}", all[20]))
        .await;
    let ids: Vec<&str> = page.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        all[15..20].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(page.body["has_more"], true);
    let first = env
        .get(&format!("/v1/customers?limit=5&ending_before={}", all[3]))
        .await;
    let ids: Vec<&str> = first.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        all[0..3].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(first.body["has_more"], false);
    let both = env
        .get(&format!(
            "/v1/customers?starting_after={}&ending_before={}",
            all[1], all[3]
        ))
        .await;
    assert_eq!(both.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unknown_cursors_are_resource_missing() {
    let env = start(20, |_| {}).await;
    let other_account = env.sandbox.info().test_accounts()[1].to_owned();
    let foreign = env
        .get_as("/v1/charges?limit=1", Some(&env.key), Some(&other_account))
        .await;
    let foreign_id = foreign.body["data"][0]["id"].as_str().unwrap().to_owned();
    for cursor in [
        "ch_doesnotexist",
        foreign_id.as_str(),
        "cus_1000000000AAAAAA",
    ] {
        let reply = env
            .get(&format!("/v1/charges?starting_after={cursor}"))
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{cursor}");
        assert_eq!(error_code(&reply), Some("resource_missing"));
        assert_eq!(reply.body["error"]["param"], "starting_after");
        assert!(reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(cursor));
    }
    let single = env.get(&format!("/v1/charges/{foreign_id}")).await;
    assert_eq!(single.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn created_filters_select_exact_ranges() {
    let env = start(80, |_| {}).await;
    let page = env.get("/v1/charges?limit=100").await;
    let all: Vec<(String, i64)> = page.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["id"].as_str().unwrap().to_owned(),
                item["created"].as_i64().unwrap(),
            )
        })
        .collect();
    let pivot = all[10].1;
    let low = all[30].1;
    let check = |query: String, keep: Box<dyn Fn(i64) -> bool>| {
        let expected: Vec<String> = all
            .iter()
            .filter(|(_, created)| keep(*created))
            .map(|(id, _)| id.clone())
            .collect();
        (query, expected)
    };
    for (query, expected) in [
        check(
            format!("created[gt]={pivot}"),
            Box::new(move |created| created > pivot),
        ),
        check(
            format!("created[gte]={pivot}"),
            Box::new(move |created| created >= pivot),
        ),
        check(
            format!("created[lt]={pivot}"),
            Box::new(move |created| created < pivot),
        ),
        check(
            format!("created[lte]={pivot}&created[gte]={low}"),
            Box::new(move |created| created <= pivot && created >= low),
        ),
        check(
            format!("created={pivot}"),
            Box::new(move |created| created == pivot),
        ),
    ] {
        let ids = env.all_ids(&format!("/v1/charges?{query}"), 9).await;
        assert_eq!(ids, expected, "{query}");
    }
}

#[tokio::test]
async fn endpoint_filters_work_and_unknown_parameters_are_refused() {
    let env = start(100, |_| {}).await;
    let charge = env.get("/v1/charges?limit=1").await.body["data"][0].clone();
    let intent = charge["payment_intent"].as_str().unwrap();
    let by_intent = env
        .get(&format!("/v1/charges?payment_intent={intent}"))
        .await;
    assert_eq!(by_intent.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(by_intent.body["data"][0]["id"], charge["id"]);

    let events = env
        .get("/v1/events?types[]=charge.succeeded&types[]=customer.created&limit=100")
        .await;
    let types: Vec<&str> = events.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert!(!types.is_empty());
    assert!(types
        .iter()
        .all(|kind| *kind == "charge.succeeded" || *kind == "customer.created"));
    let wildcard = env.get("/v1/events?type=charge.*&limit=100").await;
    assert!(wildcard.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|event| event["type"].as_str().unwrap().starts_with("charge.")));

    let inactive = env.get("/v1/prices?active=false&limit=100").await;
    assert!(inactive.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|price| price["active"] == false));
    let active = env.get("/v1/prices?limit=100").await;
    assert!(active.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|price| price["active"] == true));

    let unknown = env.get("/v1/charges?colour=blue").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&unknown), Some("parameter_unknown"));
    let expand = env.get("/v1/charges?expand[]=data.customer").await;
    assert_eq!(expand.status, StatusCode::OK);
}

#[tokio::test]
async fn pages_deep_in_a_million_objects_are_served() {
    let env = start(1_000_000, |config| config.accounts = 1).await;
    let first = env.get("/v1/charges?limit=100").await;
    assert_eq!(first.body["data"].as_array().unwrap().len(), 100);
    // A cursor near the end of a million charges: same cost as the first page.
    let deep_id = env
        .get("/v1/balance_transactions?limit=1&created[lt]=1780000000")
        .await
        .body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deep = env
        .get(&format!(
            "/v1/balance_transactions?limit=100&starting_after={deep_id}"
        ))
        .await;
    assert_eq!(deep.status, StatusCode::OK);
    assert_eq!(deep.body["data"].as_array().unwrap().len(), 100);
    let last_page = env
        .get("/v1/customers?limit=3&created[lt]=1768500000")
        .await;
    assert_eq!(last_page.status, StatusCode::OK);
}

#[tokio::test]
async fn prices_of_one_product_match_a_scan_of_every_price() {
    let env = start(150, |_| {}).await;
    let mut all = Vec::new();
    for active in ["true", "false"] {
        let mut cursor: Option<String> = None;
        loop {
            let after = cursor
                .as_ref()
                .map(|id| format!("&starting_after={id}"))
                .unwrap_or_default();
            let page = env
                .get(&format!("/v1/prices?active={active}&limit=100{after}"))
                .await;
            let data = page.body["data"].as_array().unwrap().clone();
            cursor = data
                .last()
                .map(|price| price["id"].as_str().unwrap().to_owned());
            all.extend(data);
            if page.body["has_more"] == false {
                break;
            }
        }
    }
    let products = env.all_ids("/v1/products", 100).await;
    assert_eq!(products.len(), 150);
    let mut with_prices = 0;
    for product in &products {
        for active in [true, false] {
            let expected: Vec<&Value> = all
                .iter()
                .filter(|price| price["product"] == product.as_str() && price["active"] == active)
                .collect();
            let page = env
                .get(&format!(
                    "/v1/prices?product={product}&active={active}&limit=100"
                ))
                .await;
            assert_eq!(page.status, StatusCode::OK);
            let got: Vec<&Value> = page.body["data"].as_array().unwrap().iter().collect();
            assert_eq!(got, expected, "{product} active={active}");
            with_prices += usize::from(!got.is_empty());
            if let Some(newest) = got.first().filter(|_| got.len() > 1) {
                // Paging inside the product's prices works too.
                let id = newest["id"].as_str().unwrap();
                let rest = env
                    .get(&format!(
                        "/v1/prices?product={product}&active={active}&starting_after={id}"
                    ))
                    .await;
                assert_eq!(rest.body["data"].as_array().unwrap().len(), got.len() - 1);
                let last = got.last().unwrap()["id"].as_str().unwrap();
                let back = env
                    .get(&format!(
                        "/v1/prices?product={product}&active={active}&ending_before={last}"
                    ))
                    .await;
                assert_eq!(back.body["data"].as_array().unwrap().len(), got.len() - 1);
            }
        }
    }
    assert!(with_prices > 100, "{with_prices}");
    let unknown = env.get("/v1/prices?product=prod_unknown").await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(unknown.body["data"].as_array().unwrap().len(), 0);
}
