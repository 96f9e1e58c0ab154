//! Single-object GETs: headers sent, and how each kind of failure maps onto `StripeError`.

use stripe_client::{StripeClient, StripeError, STRIPE_VERSION};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::{charge_json, client, config, error_json, Charge, KEY};

#[tokio::test]
async fn get_sends_auth_version_and_connected_account_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/charges/ch_1"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("stripe-version", STRIPE_VERSION))
        .and(header("stripe-account", "acct_1Merchant"))
        .and(query_param("expand[]", "customer"))
        .respond_with(ResponseTemplate::new(200).set_body_json(charge_json("ch_1", 1250)))
        .expect(1)
        .mount(&server)
        .await;
    let merchant = client(&server).on_behalf_of("acct_1Merchant").unwrap();
    assert_eq!(merchant.stripe_account(), Some("acct_1Merchant"));
    let charge: Charge = merchant
        .get("/v1/charges/ch_1", &[("expand[]", "customer")])
        .await
        .unwrap();
    assert_eq!(
        charge,
        Charge {
            id: "ch_1".to_owned(),
            amount: 1250
        }
    );
}

#[tokio::test]
async fn platform_requests_carry_no_stripe_account() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/account"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(|request: &Request| !request.headers.contains_key("stripe-account"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "acct_platform"})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let platform = client(&server);
    let account: serde_json::Value = platform.get("/v1/account", &[]).await.unwrap();
    assert_eq!(account["id"], "acct_platform");
    // A connected-account view can go back to acting as the platform.
    let back = platform.on_behalf_of("acct_1").unwrap().as_platform();
    let _: serde_json::Value = back.get("/v1/account", &[]).await.unwrap();
}

#[tokio::test]
async fn an_api_base_with_a_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(path("/stripe/v1/charges/ch_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(charge_json("ch_1", 1)))
        .expect(1)
        .mount(&server)
        .await;
    let config = config(&server)
        .api_base(format!("{}/stripe/", server.uri()))
        .build()
        .unwrap();
    let client = StripeClient::new(config).unwrap();
    let charge: Charge = client.get("/v1/charges/ch_1", &[]).await.unwrap();
    assert_eq!(charge.id, "ch_1");
}

#[tokio::test]
async fn bad_arguments_are_refused_before_any_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    for bad_path in ["v1/charges", "/v1/charges?limit=1", "/v1/charges#x"] {
        let error = client
            .get::<Charge>(bad_path, &[])
            .await
            .expect_err(bad_path);
        assert!(
            matches!(error, StripeError::InvalidConfig { field: "path", .. }),
            "{error:?}"
        );
    }
    for bad_account in ["", "acct_", "cus_123", "acct_1\r\nX-Evil: 1", "acct_1/2"] {
        let error = client.on_behalf_of(bad_account).expect_err(bad_account);
        assert!(
            matches!(
                error,
                StripeError::InvalidConfig {
                    field: "stripe_account",
                    ..
                }
            ),
            "{error:?}"
        );
    }
}

/// Mounts one response for `GET /v1/charges/ch_1` (expected once) and returns the error.
async fn error_for(response: ResponseTemplate, stripe_account: Option<&str>) -> StripeError {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/charges/ch_1"))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    let mut client = client(&server);
    if let Some(account) = stripe_account {
        client = client.on_behalf_of(account).unwrap();
    }
    client
        .get::<Charge>("/v1/charges/ch_1", &[])
        .await
        .unwrap_err()
}

#[tokio::test]
async fn not_found_is_typed_and_carries_the_request_id() {
    let error = error_for(
        ResponseTemplate::new(404)
            .insert_header("request-id", "req_404")
            .set_body_json(error_json(
                "invalid_request_error",
                Some("resource_missing"),
                "No such charge: 'ch_1'",
            )),
        Some("acct_1"),
    )
    .await;
    assert!(error.is_not_found(), "{error:?}");
    assert!(!error.is_retryable());
    assert!(!error.is_access_revoked());
    assert_eq!(error.request_id(), Some("req_404"));
    assert_eq!(
        error.to_string(),
        "stripe object not found: No such charge: 'ch_1'"
    );
}

#[tokio::test]
async fn a_rejected_platform_key_is_an_invalid_key() {
    let error = error_for(
        ResponseTemplate::new(401)
            .insert_header("request-id", "req_401")
            .set_body_json(error_json(
                "invalid_request_error",
                None,
                "Invalid API Key provided: sk_test_********************ests",
            )),
        None,
    )
    .await;
    assert!(error.is_invalid_api_key(), "{error:?}");
    assert!(!error.is_access_revoked());
    assert_eq!(error.request_id(), Some("req_401"));
    assert_eq!(error.status(), Some(401));
}

#[tokio::test]
async fn an_unknown_or_revoked_connected_account_needs_relinking() {
    // What Stripe answers when the platform cannot reach the account any more.
    let error = error_for(
        ResponseTemplate::new(403)
            .insert_header("request-id", "req_403")
            .set_body_json(error_json(
                "invalid_request_error",
                Some("account_invalid"),
                "The provided key 'sk_test_****ests' does not have access to account \
                 'acct_1Gone' (or that account does not exist). Application access may have \
                 been revoked.",
            )),
        Some("acct_1Gone"),
    )
    .await;
    assert!(error.is_access_revoked(), "{error:?}");
    assert!(!error.is_retryable());
    assert_eq!(error.request_id(), Some("req_403"));
    match &error {
        StripeError::AccountAccessRevoked {
            account,
            status,
            code,
            ..
        } => {
            assert_eq!(account, "acct_1Gone");
            assert_eq!(*status, 403);
            assert_eq!(code.as_deref(), Some("account_invalid"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_revoked_oauth_grant_without_a_code_is_recognised_by_its_message() {
    let error = error_for(
        ResponseTemplate::new(401).set_body_json(error_json(
            "invalid_request_error",
            None,
            "Expired API Key provided. Application access may have been revoked.",
        )),
        Some("acct_1Gone"),
    )
    .await;
    assert!(error.is_access_revoked(), "{error:?}");
}

#[tokio::test]
async fn a_permission_error_on_a_connected_account_is_not_a_revocation() {
    let error = error_for(
        ResponseTemplate::new(403).set_body_json(error_json(
            "invalid_request_error",
            None,
            "The provided key does not have the required permissions for this endpoint.",
        )),
        Some("acct_1"),
    )
    .await;
    assert!(!error.is_access_revoked(), "{error:?}");
    assert!(
        matches!(
            &error,
            StripeError::Api {
                status: 403,
                attempts: 1,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn other_api_errors_keep_status_type_code_and_message() {
    let error = error_for(
        ResponseTemplate::new(400)
            .insert_header("request-id", "req_400")
            .set_body_json(error_json(
                "invalid_request_error",
                Some("parameter_invalid_integer"),
                "Invalid integer: abc",
            )),
        None,
    )
    .await;
    match &error {
        StripeError::Api {
            status,
            error_type,
            code,
            message,
            attempts,
            request_id,
            ..
        } => {
            assert_eq!(*status, 400);
            assert_eq!(error_type.as_deref(), Some("invalid_request_error"));
            assert_eq!(code.as_deref(), Some("parameter_invalid_integer"));
            assert_eq!(message.as_deref(), Some("Invalid integer: abc"));
            assert_eq!(*attempts, 1);
            assert_eq!(request_id.as_deref(), Some("req_400"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "stripe api error (status 400, type invalid_request_error, code parameter_invalid_integer): Invalid integer: abc"
    );
}

#[track_caller]
fn check_decode_error(error: &StripeError, expect_path: &str) {
    match error {
        StripeError::Decode {
            status,
            path,
            request_id,
            ..
        } => {
            assert_eq!(*status, 200);
            assert_eq!(path, expect_path);
            assert_eq!(request_id.as_deref(), Some("req_decode"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_malformed_body_names_the_json_path() {
    let error = error_for(
        ResponseTemplate::new(200)
            .insert_header("request-id", "req_decode")
            .set_body_raw(r#"{"id": "ch_1", "amount": "12.50"}"#, "application/json"),
        None,
    )
    .await;
    check_decode_error(&error, "amount");

    let error = error_for(
        ResponseTemplate::new(200)
            .insert_header("request-id", "req_decode")
            .set_body_raw(
                r#"{"id": "ch_1", "amount": 1} trailing"#,
                "application/json",
            ),
        None,
    )
    .await;
    check_decode_error(&error, ".");
}

#[tokio::test]
async fn a_truncated_body_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/charges"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("request-id", "req_decode")
                .set_body_raw(
                    r#"{"object": "list", "has_more": true, "data": [{"id": "ch_1", "amount": 1}, {"id": "ch_2", "amo"#,
                    "application/json",
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server)
        .list_page::<Charge>("/v1/charges", &stripe_client::ListParams::new())
        .await
        .unwrap_err();
    // The body ends inside the second object.
    check_decode_error(&error, "data[1].?");
}

#[tokio::test]
async fn an_html_page_from_a_proxy_is_an_unexpected_response() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/charges/ch_1"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
            "text/html",
        ))
        .expect(3)
        .mount(&server)
        .await;
    let error = client(&server)
        .get::<Charge>("/v1/charges/ch_1", &[])
        .await
        .unwrap_err();
    match &error {
        StripeError::UnexpectedResponse {
            status,
            content_type,
            attempts,
            request_id,
        } => {
            assert_eq!(*status, 502);
            assert_eq!(content_type.as_deref(), Some("text/html"));
            assert_eq!(*attempts, 3);
            assert_eq!(*request_id, None);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.is_retryable());
}
