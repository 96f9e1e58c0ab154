//! Token exchange and refresh against a wiremock `/oauth/token`.

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use stripe_connect::{ConnectError, Mode, OAuthErrorCode};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{client, code, mount_token, token_body, CLIENT_ID, TEST_KEY};

#[tokio::test]
async fn a_full_link_exchanges_the_code_with_the_secret_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(header("accept", "application/json"))
        .and(body_string(format!(
            "grant_type=authorization_code&code=ac_CODE123&client_id={CLIENT_ID}&client_secret={TEST_KEY}"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(false)))
        .expect(1)
        .mount(&server)
        .await;
    let flow = client(Mode::Test, &server);
    let account = flow.exchange_code(&code()).await.unwrap();
    assert_eq!(account.stripe_user_id(), "acct_1032D82eZvKYlo2C");
    assert!(!account.livemode());
    assert_eq!(account.scope(), Some("read_only"));
    assert_eq!(account.token_type(), "bearer");
    assert_eq!(
        account.access_token().expose_secret(),
        "sk_test_CONNECTEDACCESS"
    );
    assert_eq!(
        account.refresh_token().map(|token| token.expose_secret()),
        Some("rt_REFRESHTOKEN")
    );
    assert_eq!(
        account.stripe_publishable_key(),
        Some("pk_test_PUBLISHABLE")
    );
}

#[tokio::test]
async fn a_connect_base_with_a_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(false)))
        .expect(1)
        .mount(&server)
        .await;
    let integration = crate::support::integration(Mode::Test, &format!("{}/connect", server.uri()));
    let flow = stripe_connect::OAuthClient::new(integration).unwrap();
    let account = flow
        .exchange_code(&SecretString::from("ac_CODE123"))
        .await
        .unwrap();
    assert_eq!(account.stripe_user_id(), "acct_1032D82eZvKYlo2C");
}

#[tokio::test]
async fn a_used_or_expired_code_is_invalid_grant() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant",
            "error_description": "Authorization code does not exist: ac_CODE123"
        })),
        1,
    )
    .await;
    let flow = client(Mode::Test, &server);
    let err = flow.exchange_code(&code()).await.unwrap_err();
    let ConnectError::OAuth { code, description } = &err else {
        panic!("expected an oauth error, got {err:?}");
    };
    assert_eq!(code, &OAuthErrorCode::InvalidGrant);
    assert_eq!(
        description.as_deref(),
        Some("Authorization code does not exist: ac_CODE123")
    );
    assert_eq!(
        err.to_string(),
        "stripe refused the oauth request: invalid_grant (Authorization code does not exist: ac_CODE123)"
    );
}

#[track_caller]
fn check_oauth_code(err: &ConnectError, expect: OAuthErrorCode) {
    match err {
        ConnectError::OAuth { code, .. } => assert_eq!(code, &expect),
        other => panic!("expected an oauth error, got {other:?}"),
    }
}

#[tokio::test]
async fn other_oauth_errors_are_typed() {
    for (status, error, expect) in [
        (401, "invalid_client", OAuthErrorCode::InvalidClient),
        (400, "invalid_request", OAuthErrorCode::InvalidRequest),
        (400, "invalid_scope", OAuthErrorCode::InvalidScope),
        (
            400,
            "unsupported_grant_type",
            OAuthErrorCode::UnsupportedGrantType,
        ),
        (
            400,
            "brand_new_error",
            OAuthErrorCode::Other("brand_new_error".to_owned()),
        ),
    ] {
        let server = MockServer::start().await;
        mount_token(
            &server,
            ResponseTemplate::new(status)
                .set_body_json(json!({"error": error, "error_description": "nope"})),
            1,
        )
        .await;
        let flow = client(Mode::Test, &server);
        let err = flow
            .exchange_code(&SecretString::from("ac_CODE123"))
            .await
            .unwrap_err();
        check_oauth_code(&err, expect);
    }
}

#[tokio::test]
async fn a_body_that_is_not_oauth_is_an_unexpected_response_without_the_body() {
    let server = MockServer::start().await;
    // A 200 missing stripe_user_id: the token must not leak into the error.
    let mut body = token_body(false);
    body.as_object_mut().unwrap().remove("stripe_user_id");
    mount_token(&server, ResponseTemplate::new(200).set_body_json(body), 1).await;
    let flow = client(Mode::Test, &server);
    let err = flow
        .exchange_code(&SecretString::from("ac_CODE123"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectError::UnexpectedResponse { .. }),
        "{err:?}"
    );
    assert!(
        !err.to_string().contains("sk_test_CONNECTEDACCESS"),
        "{err}"
    );
    assert!(
        !format!("{err:?}").contains("sk_test_CONNECTEDACCESS"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_live_token_never_lands_in_the_test_integration() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        ResponseTemplate::new(200).set_body_json(token_body(true)),
        1,
    )
    .await;
    let flow = client(Mode::Test, &server);
    let err = flow.exchange_code(&code()).await.unwrap_err();
    assert!(
        matches!(
            err,
            ConnectError::LivemodeMismatch {
                mode: Mode::Test,
                livemode: true
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the token is for a live-mode account but the settings are for test mode"
    );
}

#[tokio::test]
async fn a_test_token_never_lands_in_the_live_integration() {
    let server = MockServer::start().await;
    mount_token(
        &server,
        ResponseTemplate::new(200).set_body_json(token_body(false)),
        1,
    )
    .await;
    let flow = client(Mode::Live, &server);
    let err = flow
        .exchange_code(&SecretString::from("ac_CODE123"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConnectError::LivemodeMismatch {
                mode: Mode::Live,
                livemode: false
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn refresh_mints_a_new_access_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(format!(
            "grant_type=refresh_token&refresh_token=rt_REFRESHTOKEN&client_id={CLIENT_ID}&client_secret={TEST_KEY}"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "sk_test_NEWACCESS",
            "refresh_token": "rt_REFRESHTOKEN",
            "token_type": "bearer",
            "stripe_publishable_key": "pk_test_PUBLISHABLE",
            "stripe_user_id": "acct_1032D82eZvKYlo2C",
            "scope": "read_only",
            "livemode": false
        })))
        .expect(1)
        .mount(&server)
        .await;
    let flow = client(Mode::Test, &server);
    let account = flow
        .refresh(&SecretString::from("rt_REFRESHTOKEN"))
        .await
        .unwrap();
    assert_eq!(account.access_token().expose_secret(), "sk_test_NEWACCESS");
    assert_eq!(account.stripe_user_id(), "acct_1032D82eZvKYlo2C");
}

#[tokio::test]
async fn a_revoked_refresh_token_is_invalid_grant() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant",
            "error_description": "Refresh token does not exist"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let flow = client(Mode::Test, &server);
    let err = flow
        .refresh(&SecretString::from("rt_GONE"))
        .await
        .unwrap_err();
    check_oauth_code(&err, OAuthErrorCode::InvalidGrant);
}
