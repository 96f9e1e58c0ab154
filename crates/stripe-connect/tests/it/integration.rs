//! Integration configuration: what is refused at build time, and how.

use secrecy::SecretString;
use stripe_connect::{Integration, IntegrationKind, Scope};

use crate::support::{CLIENT_ID, REDIRECT};

#[track_caller]
fn check_refused(kind: IntegrationKind, client_id: &str, key: &str, redirect: &str, expect: &str) {
    let err = Integration::builder(kind, client_id, SecretString::from(key), redirect)
        .build()
        .expect_err("the config must be refused");
    let message = err.to_string();
    assert_eq!(message, expect);
    if key.len() > 8 {
        assert!(
            !message.contains(key),
            "the message echoes the key: {message}"
        );
        assert!(
            !format!("{err:?}").contains(key),
            "Debug echoes the key: {err:?}"
        );
    }
}

#[test]
fn live_key_in_test_integration_is_refused() {
    check_refused(
        IntegrationKind::Test,
        CLIENT_ID,
        "sk_live_51Habcdefghijkl",
        REDIRECT,
        "the secret key is a live key but the Stripe Test integration needs a test key (sk_test_... or rk_test_...)",
    );
    check_refused(
        IntegrationKind::Test,
        CLIENT_ID,
        "rk_live_51Habcdefghijkl",
        REDIRECT,
        "the secret key is a live key but the Stripe Test integration needs a test key (sk_test_... or rk_test_...)",
    );
}

#[test]
fn test_key_in_live_integration_is_refused() {
    check_refused(
        IntegrationKind::Live,
        CLIENT_ID,
        "sk_test_51Habcdefghijkl",
        REDIRECT,
        "the secret key is a test key but the Stripe integration needs a live key (sk_live_... or rk_live_...)",
    );
    check_refused(
        IntegrationKind::Live,
        CLIENT_ID,
        "rk_test_51Habcdefghijkl",
        REDIRECT,
        "the secret key is a test key but the Stripe integration needs a live key (sk_live_... or rk_live_...)",
    );
}

#[test]
fn keys_that_are_not_secret_keys_are_refused() {
    check_refused(
        IntegrationKind::Test,
        CLIENT_ID,
        "pk_test_51Habcdefghijkl",
        REDIRECT,
        "the secret key for the Stripe Test integration is not a Stripe secret key: it is a publishable key (pk_...), not a secret key",
    );
    check_refused(
        IntegrationKind::Test,
        CLIENT_ID,
        "whsec_51Habcdefghijkl",
        REDIRECT,
        "the secret key for the Stripe Test integration is not a Stripe secret key: it does not start with sk_test_, sk_live_, rk_test_ or rk_live_",
    );
    check_refused(
        IntegrationKind::Live,
        CLIENT_ID,
        "",
        REDIRECT,
        "the secret key for the Stripe integration is not a Stripe secret key: it is empty",
    );
}

#[test]
fn bad_client_ids_are_refused() {
    check_refused(
        IntegrationKind::Test,
        "",
        "sk_test_51Habcdefghijkl",
        REDIRECT,
        "the client id for the Stripe Test integration is invalid: it is empty",
    );
    check_refused(
        IntegrationKind::Live,
        "acct_123",
        "sk_live_51Habcdefghijkl",
        REDIRECT,
        "the client id for the Stripe integration is invalid: it does not start with ca_",
    );
}

#[test]
fn bad_urls_are_refused() {
    check_refused(
        IntegrationKind::Live,
        CLIENT_ID,
        "sk_live_51Habcdefghijkl",
        "http://commerce.example.com/oauth/stripe/callback",
        "the redirect uri for the Stripe integration is invalid: live-mode redirect uris must use https",
    );
    check_refused(
        IntegrationKind::Test,
        CLIENT_ID,
        "sk_test_51Habcdefghijkl",
        "/oauth/stripe/callback",
        "the redirect uri for the Stripe Test integration is invalid: relative URL without a base",
    );
    let err = Integration::builder(
        IntegrationKind::Test,
        CLIENT_ID,
        SecretString::from("sk_test_51Habcdefghijkl"),
        REDIRECT,
    )
    .connect_base("ftp://connect.example.com")
    .build()
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the connect base url for the Stripe Test integration is invalid: the scheme is ftp, not http or https"
    );
}

#[test]
fn good_configs_build_with_defaults() {
    // Test mode may use a plain-http redirect (local development); restricted keys work.
    let test = Integration::builder(
        IntegrationKind::Test,
        CLIENT_ID,
        SecretString::from("rk_test_51Habcdefghijkl"),
        "http://localhost:8080/oauth/stripe/callback",
    )
    .build()
    .unwrap();
    assert_eq!(test.kind(), IntegrationKind::Test);
    assert_eq!(test.scope(), Scope::ReadOnly);
    assert_eq!(test.connect_base().as_str(), "https://connect.stripe.com/");
    assert_eq!(test.client_id(), CLIENT_ID);

    let live = Integration::builder(
        IntegrationKind::Live,
        CLIENT_ID,
        SecretString::from("sk_live_51Habcdefghijkl"),
        REDIRECT,
    )
    .scope(Scope::ReadWrite)
    .connect_base("http://127.0.0.1:9999/connect/")
    .build()
    .unwrap();
    assert_eq!(live.scope().as_str(), "read_write");
    assert_eq!(
        live.connect_base().as_str(),
        "http://127.0.0.1:9999/connect/"
    );
}

#[test]
fn kinds_have_codat_names_and_platform_keys() {
    assert_eq!(IntegrationKind::Test.to_string(), "Stripe Test");
    assert_eq!(IntegrationKind::Live.to_string(), "Stripe");
    assert_eq!(IntegrationKind::Test.platform_key(), "stripe-test");
    assert_eq!(IntegrationKind::Live.platform_key(), "stripe");
}
