//! Products full pulls read prices a page at a time beside the products list (not per
//! product): the same records, far fewer requests, prices held across product pages until their
//! product comes, and resumed pulls that re-read only the price lists.

use std::collections::{BTreeMap, BTreeSet};

use commerce_model::DataType;
use serde_json::{json, Value};
use stripe_sandbox::{Activity, RequestRecord};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{apply, linked, platform_for, pull_all, start, try_pull};

fn prices_requests(requests: &[RequestRecord]) -> Vec<&RequestRecord> {
    requests
        .iter()
        .filter(|request| request.path == "/v1/prices")
        .collect()
}

/// The `product=` of a per-product price request.
fn product_filter(query: &str) -> Option<&str> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("product="))
}

#[tokio::test]
async fn a_products_pull_reads_the_price_lists_a_page_at_a_time_not_per_product() {
    let env = start(1000, |_| {}).await;
    let account = env.account.external_id.clone();
    // A deleted product's prices stay listed: they are never used, and do no harm.
    let products = env.list_all("/v1/products").await;
    let deleted = products[150]["id"].as_str().unwrap().to_owned();
    env.sandbox
        .apply(&account, Activity::DeleteProduct { product: deleted })
        .unwrap();
    let products = env.list_all("/v1/products").await;
    let active = env.list_all("/v1/prices?active=true").await;
    let inactive = env.list_all("/v1/prices?active=false").await;
    let expected = env.expected(DataType::Products).await;

    env.sandbox.clear_requests();
    let batches = pull_all(&env, DataType::Products, None).await;
    let requests = env.sandbox.requests();

    // The same records as mapping every product with every price of it.
    assert!(batches.iter().all(|batch| batch.issues.is_empty()));
    let mut state = BTreeMap::new();
    apply(&mut state, &batches);
    let pulled: usize = batches.iter().map(|batch| batch.records.len()).sum();
    assert_eq!(pulled, state.len(), "no record twice");
    assert_eq!(state.len(), products.len());
    assert!(state == expected, "products content differs");

    // Requests: one per products page, and the two price lists read once each, a page at a time.
    let product_pages: Vec<usize> = requests
        .iter()
        .enumerate()
        .filter(|(_, request)| request.path == "/v1/products")
        .map(|(index, _)| index)
        .collect();
    assert_eq!(product_pages.len(), products.len().div_ceil(100));
    let prices = prices_requests(&requests);
    assert!(prices
        .iter()
        .all(|request| product_filter(&request.query).is_none()
            && request.query.contains("limit=100")));
    let queries: BTreeSet<&str> = prices
        .iter()
        .map(|request| request.query.as_str())
        .collect();
    assert_eq!(queries.len(), prices.len(), "no price page read twice");
    let mut list_pages = 0;
    for (flag, list) in [("active=true", &active), ("active=false", &inactive)] {
        let pages = prices
            .iter()
            .filter(|request| request.query.contains(flag))
            .count();
        assert_eq!(
            pages,
            list.len().div_ceil(100).max(1),
            "{flag}: every page once"
        );
        list_pages += pages;

        // Each products page reads a list only until its last price is older than the page's
        // oldest product: exactly the pages holding the prices created at or after it, plus the
        // page where they end.
        for (page, chunk) in products.chunks(100).enumerate() {
            let oldest = chunk.iter().map(|p| p["created"].as_i64().unwrap()).min();
            let newer = list
                .iter()
                .filter(|price| Some(price["created"].as_i64().unwrap()) >= oldest)
                .count();
            let end = product_pages
                .get(page + 1)
                .copied()
                .unwrap_or(requests.len());
            let read_by_then = requests[..end]
                .iter()
                .filter(|r| r.path == "/v1/prices" && r.query.contains(flag))
                .count();
            assert_eq!(
                read_by_then,
                (newer / 100 + 1).min(list.len().div_ceil(100).max(1)),
                "{flag} pages read by the end of products page {page}"
            );
        }
    }
    assert_eq!(prices.len(), list_pages);
    eprintln!(
        "{} products ({} active, {} inactive prices): {} products pages, {} price requests \
         (per product: {})",
        products.len(),
        active.len(),
        inactive.len(),
        product_pages.len(),
        prices.len(),
        2 * products.len()
    );
    assert!(
        prices.len() * 20 < products.len(),
        "{} price requests",
        prices.len()
    );
}

#[tokio::test]
async fn a_products_pull_resumed_mid_way_reads_the_price_lists_again_and_ends_the_same() {
    let env = start(450, |_| {}).await;
    let full = pull_all(&env, DataType::Products, None).await;
    assert_eq!(full.len(), 5);
    let mut expected = BTreeMap::new();
    apply(&mut expected, &full);
    assert!(expected == env.expected(DataType::Products).await);
    let products = env.list_all("/v1/products").await;
    let mut all_prices = env.list_all("/v1/prices?active=true").await;
    all_prices.extend(env.list_all("/v1/prices?active=false").await);

    for stop in [0, 2, 3] {
        let cursor = full[stop].cursor.clone();
        let decoded: Value = serde_json::from_str(cursor.as_str()).unwrap();
        let after = decoded["after"].as_str().unwrap();
        env.sandbox.clear_requests();
        let resumed = pull_all(&env, DataType::Products, Some(cursor)).await;
        let requests = env.sandbox.requests();

        let mut state = BTreeMap::new();
        apply(&mut state, &full[..=stop]);
        apply(&mut state, &resumed);
        assert!(state == expected, "resumed after batch {stop}");
        assert!(resumed.iter().all(|batch| batch.issues.is_empty()));
        assert_eq!(resumed.len(), full.len() - stop - 1);
        assert_eq!(
            resumed.last().unwrap().cursor,
            full.last().unwrap().cursor,
            "ends at the same incremental position"
        );

        // The products list resumes after the cursor and reads nothing before it.
        let product_pages: Vec<&RequestRecord> = requests
            .iter()
            .filter(|request| request.path == "/v1/products")
            .collect();
        assert_eq!(product_pages.len(), resumed.len());
        assert!(product_pages[0]
            .query
            .contains(&format!("starting_after={after}")));
        // The price lists start again from their top; the prices of products stored before the
        // cursor are not kept. The products of the first page with a price created at or after
        // its newest product (the sandbox creates prices 0-2 s after their product: its first
        // product) have their prices read per product.
        let prices = prices_requests(&requests);
        let lists = prices
            .iter()
            .filter(|request| product_filter(&request.query).is_none());
        let tops = lists
            .clone()
            .filter(|request| !request.query.contains("starting_after"))
            .count();
        assert_eq!(tops, 2, "both lists from the top");
        let per_product: BTreeSet<&str> = prices
            .iter()
            .filter_map(|request| product_filter(&request.query))
            .collect();
        let first_page = &products[(stop + 1) * 100..((stop + 2) * 100).min(products.len())];
        let newest = first_page
            .iter()
            .map(|product| product["created"].as_i64().unwrap())
            .max()
            .unwrap();
        let late: BTreeSet<&str> = all_prices
            .iter()
            .filter(|price| price["created"].as_i64().unwrap() >= newest)
            .map(|price| price["product"].as_str().unwrap())
            .filter(|id| first_page.iter().any(|product| product["id"] == *id))
            .collect();
        assert!(!late.is_empty() && late.len() <= 2, "{late:?}");
        assert_eq!(per_product, late, "read per product");
        assert_eq!(prices.len() - lists.count(), 2 * per_product.len());
    }
}

fn list(url: &str, data: Vec<Value>, has_more: bool) -> Value {
    json!({"object": "list", "url": url, "has_more": has_more, "data": data})
}

fn product(id: &str, created: i64) -> Value {
    json!({"id": id, "object": "product", "active": true, "name": id, "created": created,
           "updated": created})
}

fn price(id: &str, product: &str, created: i64, active: bool) -> Value {
    json!({"id": id, "object": "price", "active": active, "billing_scheme": "per_unit",
           "created": created, "currency": "usd", "product": product, "type": "one_time",
           "unit_amount": 500})
}

async fn mount_page(server: &MockServer, list_path: &str, query: &[(&str, &str)], body: Value) {
    let mut mock = Mock::given(method("GET")).and(path(list_path));
    let mut after = None;
    for (key, value) in query {
        if *key == "starting_after" {
            after = Some(*value);
        } else {
            mock = mock.and(query_param(*key, *value));
        }
    }
    let mock = match after {
        Some(after) => mock.and(query_param("starting_after", after)),
        None => mock.and(query_param_is_missing("starting_after")),
    };
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn prices_wait_for_their_product_across_pages_and_a_bad_price_is_its_products_issue() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/events"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list("/v1/events", vec![], false)))
        .mount(&server)
        .await;
    // Two products pages (has_more on the first): prod_d, prod_c, prod_b, then prod_a.
    mount_page(
        &server,
        "/v1/products",
        &[],
        list(
            "/v1/products",
            vec![
                product("prod_d", 400),
                product("prod_c", 300),
                product("prod_b", 200),
            ],
            true,
        ),
    )
    .await;
    mount_page(
        &server,
        "/v1/products",
        &[("starting_after", "prod_b")],
        list("/v1/products", vec![product("prod_a", 100)], false),
    )
    .await;
    // Active prices, four pages. prod_a's price_a_late was created long after prod_a: read on
    // the first page, it waits for prod_a's page, as does price_a_1, read for the first
    // products page (its page goes on past `created` 200). price_orphan names no product.
    let mut orphan = price("price_orphan", "", 260, true);
    orphan["product"] = json!(7);
    mount_page(
        &server,
        "/v1/prices",
        &[("active", "true")],
        list(
            "/v1/prices",
            vec![
                price("price_a_late", "prod_a", 5000, true),
                price("price_d_1", "prod_d", 400, true),
                price("price_c_1", "prod_c", 300, true),
                orphan,
                price("price_b_1", "prod_b", 250, true),
            ],
            true,
        ),
    )
    .await;
    // A page ending exactly at the oldest product's second: the next page may hold more of that
    // second (price_b_3), so it is read too.
    mount_page(
        &server,
        "/v1/prices",
        &[("active", "true"), ("starting_after", "price_b_1")],
        list(
            "/v1/prices",
            vec![price("price_b_2", "prod_b", 200, true)],
            true,
        ),
    )
    .await;
    mount_page(
        &server,
        "/v1/prices",
        &[("active", "true"), ("starting_after", "price_b_2")],
        list(
            "/v1/prices",
            vec![
                price("price_b_3", "prod_b", 200, true),
                price("price_a_1", "prod_a", 150, true),
            ],
            true,
        ),
    )
    .await;
    // Only read for the second products page: after price_a_1 (150 < 200) the first page has
    // every price it needs.
    mount_page(
        &server,
        "/v1/prices",
        &[("active", "true"), ("starting_after", "price_a_1")],
        list(
            "/v1/prices",
            vec![price("price_a_0", "prod_a", 100, true)],
            false,
        ),
    )
    .await;
    // Inactive prices, one page: an unreadable price of prod_d and a price of prod_c.
    let mut bad = price("price_d_bad", "prod_d", 410, false);
    bad["currency"] = json!(840);
    mount_page(
        &server,
        "/v1/prices",
        &[("active", "false")],
        list(
            "/v1/prices",
            vec![bad, price("price_c_old", "prod_c", 310, false)],
            false,
        ),
    )
    .await;

    let platform = platform_for(&server.uri(), "ca_test1", "sk_test_1", None);
    let batches = try_pull(&platform, &linked("acct_1"), DataType::Products, None)
        .await
        .unwrap();
    assert_eq!(batches.len(), 2);
    let variants = |record: &commerce_model::platform::Record| -> Vec<String> {
        record.json["variants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|variant| variant["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let first = &batches[0];
    assert!(!first.complete);
    let ids: Vec<&str> = first.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["prod_c", "prod_b"]);
    assert_eq!(variants(&first.records[0]), ["price_c_1", "price_c_old"]);
    assert_eq!(
        variants(&first.records[1]),
        ["price_b_2", "price_b_3", "price_b_1"],
        "ordered by created, then id"
    );
    let issues: Vec<(Option<&str>, &str)> = first
        .issues
        .iter()
        .map(|issue| (issue.id.as_deref(), issue.message.as_str()))
        .collect();
    assert_eq!(issues.len(), 2, "{issues:?}");
    assert_eq!(issues[0].0, Some("price_orphan"));
    assert_eq!(issues[1].0, Some("prod_d"));
    assert!(
        issues[1]
            .1
            .starts_with("product prod_d: price price_d_bad: cannot read `currency`"),
        "{}",
        issues[1].1
    );

    let second = &batches[1];
    assert!(second.complete && second.issues.is_empty());
    let ids: Vec<&str> = second.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["prod_a"]);
    assert_eq!(
        variants(&second.records[0]),
        ["price_a_0", "price_a_1", "price_a_late"],
        "ordered by created"
    );

    // The last active page was read after the second products page, not before; every page
    // was read once (`expect(1)`, checked when the server drops) and none per product.
    let received = server.received_requests().await.unwrap();
    let position = |list_path: &str, after: &str| {
        received
            .iter()
            .position(|request| {
                request.url.path() == list_path
                    && request
                        .url
                        .query_pairs()
                        .any(|(key, value)| key == "starting_after" && value == after)
            })
            .unwrap()
    };
    assert!(position("/v1/prices", "price_a_1") > position("/v1/products", "prod_b"));
    assert!(received
        .iter()
        .all(|request| !request.url.query().unwrap_or("").contains("product=")));
}
