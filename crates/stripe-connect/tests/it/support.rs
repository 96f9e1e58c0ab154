//! Shared fixtures: settings and clients pointed at a wiremock server.

use secrecy::SecretString;
use serde_json::json;
use stripe_connect::{Integration, Mode, OAuthClient};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(crate) const CLIENT_ID: &str = "ca_TESTCLIENT123";
pub(crate) const TEST_KEY: &str = "sk_test_PLATFORMSECRET0001";
pub(crate) const LIVE_KEY: &str = "sk_live_PLATFORMSECRET0002";
pub(crate) const REDIRECT: &str = "https://commerce.example.com/oauth/stripe/callback";

pub(crate) fn integration(mode: Mode, connect_base: &str) -> Integration {
    let key = match mode {
        Mode::Test => TEST_KEY,
        Mode::Live => LIVE_KEY,
    };
    Integration::builder(mode, CLIENT_ID, key, REDIRECT)
        .connect_base(connect_base)
        .build()
        .unwrap()
}

pub(crate) fn client(mode: Mode, server: &MockServer) -> OAuthClient {
    OAuthClient::new(integration(mode, &server.uri())).unwrap()
}

pub(crate) fn code() -> SecretString {
    SecretString::from("ac_CODE123")
}

pub(crate) fn token_body(livemode: bool) -> serde_json::Value {
    json!({
        "access_token": "sk_test_CONNECTEDACCESS",
        "refresh_token": "rt_REFRESHTOKEN",
        "token_type": "bearer",
        "stripe_publishable_key": "pk_test_PUBLISHABLE",
        "stripe_user_id": "acct_1032D82eZvKYlo2C",
        "scope": "read_only",
        "livemode": livemode
    })
}

/// A token endpoint that answers the code exchange `expected` times.
pub(crate) async fn mount_token(server: &MockServer, response: ResponseTemplate, expected: u64) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .respond_with(response)
        .expect(expected)
        .mount(server)
        .await;
}
