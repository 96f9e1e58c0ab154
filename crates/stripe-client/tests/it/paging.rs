//! List endpoints: paging, resuming from a cursor, filters kept on every page.

use futures::{StreamExt, TryStreamExt};
use stripe_client::{ListParams, Page, StripeError};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::{client, error_json, list_json, Charge};

/// Matches requests without a `starting_after` parameter.
fn first_page(request: &Request) -> bool {
    !request
        .url
        .query_pairs()
        .any(|(key, _)| key == "starting_after")
}

/// Mounts `GET /v1/charges` answering `ids` for `starting_after=cursor` (or no cursor).
async fn mount_page(server: &MockServer, cursor: Option<&str>, ids: &[&str], has_more: bool) {
    let mock = Mock::given(method("GET"))
        .and(path("/v1/charges"))
        .and(query_param("limit", "100"))
        .and(query_param("created[gte]", "1700000000"))
        .and(query_param("expand[]", "data.balance_transaction"))
        .and(query_param("stripe_filter", "kept"));
    let mock = match cursor {
        Some(cursor) => mock.and(query_param("starting_after", cursor)),
        None => mock.and(first_page),
    };
    mock.respond_with(ResponseTemplate::new(200).set_body_json(list_json(ids, has_more)))
        .expect(1)
        .mount(server)
        .await;
}

fn params() -> ListParams {
    ListParams::new()
        .created_gte(1_700_000_000)
        .expand("data.balance_transaction")
        .filter("stripe_filter", "kept")
}

fn summary(pages: &[Page<Charge>]) -> Vec<(Vec<String>, bool, Option<String>)> {
    pages
        .iter()
        .map(|page| {
            let ids = page.data.iter().map(|charge| charge.id.clone()).collect();
            (ids, page.has_more, page.cursor.clone())
        })
        .collect()
}

fn owned(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| (*id).to_owned()).collect()
}

#[tokio::test]
async fn pages_are_followed_with_the_same_filters_until_has_more_is_false() {
    let server = MockServer::start().await;
    mount_page(&server, None, &["ch_5", "ch_4"], true).await;
    mount_page(&server, Some("ch_4"), &["ch_3", "ch_2"], true).await;
    mount_page(&server, Some("ch_2"), &["ch_1"], false).await;
    let pages: Vec<Page<Charge>> = client(&server)
        .list("/v1/charges", params())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        summary(&pages),
        vec![
            (owned(&["ch_5", "ch_4"]), true, Some("ch_4".to_owned())),
            (owned(&["ch_3", "ch_2"]), true, Some("ch_2".to_owned())),
            (owned(&["ch_1"]), false, Some("ch_1".to_owned())),
        ]
    );
}

#[tokio::test]
async fn listing_resumes_after_a_stored_cursor() {
    let server = MockServer::start().await;
    mount_page(&server, Some("ch_4"), &["ch_3", "ch_2"], true).await;
    mount_page(&server, Some("ch_2"), &["ch_1"], false).await;
    let ids: Vec<String> = client(&server)
        .list_objects::<Charge>("/v1/charges", params().starting_after("ch_4"))
        .map_ok(|charge| charge.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, owned(&["ch_3", "ch_2", "ch_1"]));
}

#[tokio::test]
async fn an_empty_list_is_one_empty_page() {
    let server = MockServer::start().await;
    mount_page(&server, Some("ch_1"), &[], false).await;
    let pages: Vec<Page<Charge>> = client(&server)
        .list("/v1/charges", params().starting_after("ch_1"))
        .try_collect()
        .await
        .unwrap();
    // The cursor stays where it was, so a later run resumes from the same place.
    assert_eq!(
        summary(&pages),
        vec![(vec![], false, Some("ch_1".to_owned()))]
    );
}

#[tokio::test]
async fn filters_are_encoded_as_stripe_expects() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/events"))
        .and(|request: &Request| {
            request.url.query()
                == Some(
                    "limit=50&created%5Bgt%5D=10&created%5Blte%5D=20\
                     &expand%5B%5D=data.object&types%5B%5D=charge.succeeded\
                     &types%5B%5D=charge.refunded",
                )
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(list_json(&["evt_1"], false)))
        .expect(1)
        .mount(&server)
        .await;
    let params = ListParams::new()
        .limit(50)
        .created_gt(10)
        .created_lte(20)
        .expand("data.object")
        .filter("types[]", "charge.succeeded")
        .filter("types[]", "charge.refunded");
    let pages: Vec<Page<Charge>> = client(&server)
        .list("/v1/events", params)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
}

#[tokio::test]
async fn an_error_mid_list_ends_the_stream_after_the_pages_before_it() {
    let server = MockServer::start().await;
    mount_page(&server, None, &["ch_3", "ch_2"], true).await;
    Mock::given(path("/v1/charges"))
        .and(query_param("starting_after", "ch_2"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("request-id", "req_gone")
                .set_body_json(error_json(
                    "invalid_request_error",
                    Some("resource_missing"),
                    "No such charge: 'ch_2'",
                )),
        )
        .expect(1)
        .mount(&server)
        .await;
    let results: Vec<Result<Page<Charge>, StripeError>> = client(&server)
        .list("/v1/charges", params())
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().cursor.as_deref(), Some("ch_2"));
    let error = results[1].as_ref().unwrap_err();
    assert!(error.is_not_found());
    assert_eq!(error.request_id(), Some("req_gone"));
}

#[tokio::test]
async fn a_list_that_does_not_advance_is_an_error_not_a_loop() {
    let server = MockServer::start().await;
    mount_page(&server, None, &["ch_3", "ch_2"], true).await;
    mount_page(&server, Some("ch_2"), &["ch_2"], true).await;
    let results: Vec<Result<Page<Charge>, StripeError>> = client(&server)
        .list("/v1/charges", params())
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert!(
        matches!(
            results[1],
            Err(StripeError::PagingStalled { ref cursor, .. }) if cursor == "ch_2"
        ),
        "{:?}",
        results[1]
    );
}
