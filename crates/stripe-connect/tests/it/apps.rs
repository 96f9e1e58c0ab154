//! Stripe Apps OAuth: the install link, the `/v1/oauth/token` parser and the client's two calls.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use stripe_connect::{
    app_install_url, parse_app_token_response, AppOAuthClient, ConnectError, Mode, OAuthErrorCode,
};
use wiremock::matchers::{basic_auth, body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{CLIENT_ID, LIVE_KEY, REDIRECT, TEST_KEY};

#[track_caller]
fn check_install(install: &str, expected: &str) {
    let url = app_install_url(install, CLIENT_ID, REDIRECT, "st-1").unwrap();
    assert_eq!(url.as_str(), expected);
}

#[test]
fn install_url_adds_client_id_redirect_and_state() {
    check_install(
        "https://marketplace.stripe.com/oauth/v2/authorize",
        "https://marketplace.stripe.com/oauth/v2/authorize?client_id=ca_TESTCLIENT123&redirect_uri=https%3A%2F%2Fcommerce.example.com%2Foauth%2Fstripe%2Fcallback&state=st-1",
    );
}

#[test]
fn install_url_keeps_an_existing_query_and_replaces_our_parameters() {
    check_install(
        "https://marketplace.stripe.com/oauth/v2/chnlink_1/authorize?install_link=il_9&state=old&client_id=ca_old",
        "https://marketplace.stripe.com/oauth/v2/chnlink_1/authorize?install_link=il_9&client_id=ca_TESTCLIENT123&redirect_uri=https%3A%2F%2Fcommerce.example.com%2Foauth%2Fstripe%2Fcallback&state=st-1",
    );
}

#[test]
fn install_url_refuses_what_it_cannot_use() {
    for (install, client_id, redirect, state) in [
        ("not a url", CLIENT_ID, REDIRECT, "s"),
        ("ftp://x.example/install", CLIENT_ID, REDIRECT, "s"),
        ("https://x.example/install", "", REDIRECT, "s"),
        ("https://x.example/install", CLIENT_ID, "/relative", "s"),
        ("https://x.example/install", CLIENT_ID, REDIRECT, ""),
    ] {
        let error = app_install_url(install, client_id, redirect, state).unwrap_err();
        assert!(
            matches!(error, ConnectError::InvalidAuthorizeUrl { .. }),
            "{error}"
        );
    }
}

fn token_body(livemode: bool, expires_in: Option<u64>) -> serde_json::Value {
    let mut body = json!({
        "access_token": "sk_test_APPACCESSTOKEN1",
        "refresh_token": "rt_APPREFRESH1",
        "token_type": "bearer",
        "stripe_user_id": "acct_1AppUser",
        "scope": "stripe_apps",
        "livemode": livemode,
    });
    if let Some(expires_in) = expires_in {
        body["expires_in"] = json!(expires_in);
    }
    body
}

#[test]
fn parses_tokens_with_expires_in() {
    let body = serde_json::to_vec(&token_body(false, Some(2))).unwrap();
    let tokens = parse_app_token_response(200, &body, Mode::Test).unwrap();
    assert_eq!(tokens.stripe_user_id(), "acct_1AppUser");
    assert!(!tokens.livemode());
    assert_eq!(tokens.scope(), Some("stripe_apps"));
    assert_eq!(
        tokens.access_token().expose_secret(),
        "sk_test_APPACCESSTOKEN1"
    );
    assert_eq!(tokens.refresh_token().expose_secret(), "rt_APPREFRESH1");
    assert_eq!(tokens.expires_in(), Duration::from_secs(2));
    let debug = format!("{tokens:?}");
    assert!(
        !debug.contains("APPACCESSTOKEN1") && !debug.contains("APPREFRESH1"),
        "{debug}"
    );
}

#[test]
fn without_expires_in_the_token_lives_one_hour() {
    let body = serde_json::to_vec(&token_body(true, None)).unwrap();
    let tokens = parse_app_token_response(200, &body, Mode::Live).unwrap();
    assert_eq!(tokens.expires_in(), Duration::from_secs(3600));
}

#[test]
fn a_token_of_the_other_mode_is_refused() {
    let body = serde_json::to_vec(&token_body(true, Some(3600))).unwrap();
    let error = parse_app_token_response(200, &body, Mode::Test).unwrap_err();
    assert!(
        matches!(error, ConnectError::LivemodeMismatch { livemode: true, .. }),
        "{error}"
    );
}

#[test]
fn invalid_grant_and_garbage_are_typed_and_quote_no_token() {
    let body =
        br#"{"error":"invalid_grant","error_description":"Refresh token has already been used"}"#;
    let error = parse_app_token_response(400, body, Mode::Test).unwrap_err();
    assert!(
        matches!(
            error,
            ConnectError::OAuth {
                code: OAuthErrorCode::InvalidGrant,
                ..
            }
        ),
        "{error}"
    );
    let body = br#"{"access_token":"sk_test_SECRETLEAK","refresh_token":"#;
    let error = parse_app_token_response(200, body, Mode::Test).unwrap_err();
    assert!(matches!(error, ConnectError::UnexpectedResponse { .. }));
    assert!(!error.to_string().contains("SECRETLEAK"));
    let body = br#"{"stripe_user_id":"acct_1","livemode":false}"#;
    assert!(parse_app_token_response(200, body, Mode::Test).is_err());
}

#[test]
fn the_client_refuses_a_key_of_the_other_mode() {
    let error = AppOAuthClient::new(Mode::Test, LIVE_KEY, "https://api.stripe.com").unwrap_err();
    assert!(
        matches!(error, ConnectError::KeyModeMismatch { .. }),
        "{error}"
    );
    let debug = format!(
        "{:?}",
        AppOAuthClient::new(Mode::Test, TEST_KEY, "https://api.stripe.com").unwrap()
    );
    assert!(!debug.contains(TEST_KEY), "{debug}");
}

#[tokio::test]
async fn exchange_and_refresh_post_to_v1_oauth_token_with_basic_auth() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .and(basic_auth(TEST_KEY, ""))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=ac_APPCODE"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(false, Some(3600))))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .and(basic_auth(TEST_KEY, ""))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=rt_APPREFRESH1"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant",
            "error_description": "Refresh token has already been used"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = AppOAuthClient::new(Mode::Test, TEST_KEY, &server.uri()).unwrap();
    let tokens = client
        .exchange_code(&SecretString::from("ac_APPCODE"))
        .await
        .unwrap();
    assert_eq!(tokens.stripe_user_id(), "acct_1AppUser");
    let error = client.refresh(tokens.refresh_token()).await.unwrap_err();
    assert!(
        matches!(
            error,
            ConnectError::OAuth {
                code: OAuthErrorCode::InvalidGrant,
                ..
            }
        ),
        "{error}"
    );
    assert!(!error.to_string().contains("rt_APPREFRESH1"));
}
