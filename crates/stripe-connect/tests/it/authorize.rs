//! The authorize URL and the state it carries.

use std::sync::Arc;

use base64::Engine as _;
use secrecy::SecretString;
use stripe_connect::{
    AuthorizeOptions, ConnectFlow, Integration, IntegrationKind, Landing, MemoryStateStore, Scope,
};

use crate::support::{binding, CLIENT_ID, REDIRECT, TEST_KEY};

fn flow(scope: Scope, connect_base: &str) -> ConnectFlow {
    let integration = Integration::builder(
        IntegrationKind::Test,
        CLIENT_ID,
        SecretString::from(TEST_KEY),
        REDIRECT,
    )
    .scope(scope)
    .connect_base(connect_base)
    .build()
    .unwrap();
    ConnectFlow::new(integration, Arc::new(MemoryStateStore::new())).unwrap()
}

/// The authorize URL with its random state replaced by `STATE`.
async fn authorize_url(flow: &ConnectFlow, options: &AuthorizeOptions) -> String {
    let redirect = flow.authorize(&binding(), options).await.unwrap();
    let url = redirect.url().as_str().to_owned();
    assert_eq!(url.matches(redirect.state()).count(), 1);
    url.replace(redirect.state(), "STATE")
}

#[tokio::test]
async fn default_authorize_url() {
    let flow = flow(Scope::ReadOnly, "https://connect.stripe.com");
    insta::assert_snapshot!(
        authorize_url(&flow, &AuthorizeOptions::default()).await,
        @"https://connect.stripe.com/oauth/authorize?response_type=code&client_id=ca_TESTCLIENT123&state=STATE&redirect_uri=https%3A%2F%2Fcommerce.example.com%2Foauth%2Fstripe%2Fcallback&scope=read_only"
    );
}

#[tokio::test]
async fn authorize_url_with_every_option() {
    let flow = flow(Scope::ReadWrite, "http://127.0.0.1:12111/connect/");
    let options = AuthorizeOptions::default()
        .landing(Landing::Register)
        .always_prompt(true)
        .email("owner@shop.example")
        .url("https://shop.example")
        .country("GB")
        .business_name("Jo's Shop & Café");
    insta::assert_snapshot!(
        authorize_url(&flow, &options).await,
        @"http://127.0.0.1:12111/connect/oauth/authorize?response_type=code&client_id=ca_TESTCLIENT123&state=STATE&redirect_uri=https%3A%2F%2Fcommerce.example.com%2Foauth%2Fstripe%2Fcallback&scope=read_write&stripe_landing=register&always_prompt=true&stripe_user%5Bemail%5D=owner%40shop.example&stripe_user%5Burl%5D=https%3A%2F%2Fshop.example&stripe_user%5Bcountry%5D=GB&stripe_user%5Bbusiness_name%5D=Jo%27s+Shop+%26+Caf%C3%A9"
    );
}

#[tokio::test]
async fn login_landing() {
    let flow = flow(Scope::ReadOnly, "https://connect.stripe.com");
    let url = authorize_url(&flow, &AuthorizeOptions::default().landing(Landing::Login)).await;
    assert!(
        url.ends_with("&scope=read_only&stripe_landing=login"),
        "{url}"
    );
}

#[tokio::test]
async fn states_are_32_random_url_safe_bytes_and_never_repeat() {
    let flow = flow(Scope::ReadOnly, "https://connect.stripe.com");
    let mut seen = std::collections::HashSet::new();
    for _ in 0..50 {
        let redirect = flow
            .authorize(&binding(), &AuthorizeOptions::default())
            .await
            .unwrap();
        let state = redirect.state().to_owned();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&state)
            .unwrap();
        assert_eq!(bytes.len(), 32);
        assert!(state
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert!(seen.insert(state), "a state repeated");
    }
}
