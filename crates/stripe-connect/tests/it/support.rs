//! Shared fixtures: integrations and flows pointed at a wiremock server.

use std::sync::Arc;

use secrecy::SecretString;
use serde_json::json;
use stripe_connect::{
    AuthorizeOptions, Callback, Clock, ConnectFlow, Integration, IntegrationKind, MemoryStateStore,
    StateBinding,
};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(crate) const CLIENT_ID: &str = "ca_TESTCLIENT123";
pub(crate) const TEST_KEY: &str = "sk_test_PLATFORMSECRET0001";
pub(crate) const LIVE_KEY: &str = "sk_live_PLATFORMSECRET0002";
pub(crate) const REDIRECT: &str = "https://commerce.example.com/oauth/stripe/callback";

pub(crate) fn integration(kind: IntegrationKind, connect_base: &str) -> Integration {
    let key = match kind {
        IntegrationKind::Test => TEST_KEY,
        IntegrationKind::Live => LIVE_KEY,
    };
    Integration::builder(kind, CLIENT_ID, SecretString::from(key), REDIRECT)
        .connect_base(connect_base)
        .build()
        .unwrap()
}

pub(crate) fn flow(kind: IntegrationKind, server: &MockServer) -> ConnectFlow {
    ConnectFlow::new(
        integration(kind, &server.uri()),
        Arc::new(MemoryStateStore::new()),
    )
    .unwrap()
}

pub(crate) fn flow_with_clock(server: &MockServer, clock: Arc<dyn Clock>) -> ConnectFlow {
    ConnectFlow::new(
        integration(IntegrationKind::Test, &server.uri()),
        Arc::new(MemoryStateStore::with_clock(clock.clone())),
    )
    .unwrap()
    .with_clock(clock)
}

pub(crate) fn binding() -> StateBinding {
    StateBinding::new("company-1", "connection-1")
}

/// Starts a link for `binding()` and returns the state Stripe would echo back.
pub(crate) async fn issue_state(flow: &ConnectFlow) -> String {
    flow.authorize(&binding(), &AuthorizeOptions::default())
        .await
        .unwrap()
        .state()
        .to_owned()
}

pub(crate) fn success_callback(state: &str) -> Callback {
    Callback::from_query(&format!("code=ac_CODE123&scope=read_only&state={state}")).unwrap()
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
