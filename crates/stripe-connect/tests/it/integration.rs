//! Integration configuration: what is refused at build time, and how.

use secrecy::SecretString;
use stripe_connect::{Integration, Mode, Scope};

use crate::support::{CLIENT_ID, REDIRECT};

#[track_caller]
fn check_refused(mode: Mode, client_id: &str, key: &str, redirect: &str, expect: &str) {
    let err = Integration::builder(mode, client_id, SecretString::from(key), redirect)
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
        Mode::Test,
        CLIENT_ID,
        "sk_live_51Habcdefghijkl",
        REDIRECT,
        "the secret key is a live key but test mode needs a test key (sk_test_... or rk_test_...)",
    );
    check_refused(
        Mode::Test,
        CLIENT_ID,
        "rk_live_51Habcdefghijkl",
        REDIRECT,
        "the secret key is a live key but test mode needs a test key (sk_test_... or rk_test_...)",
    );
}

#[test]
fn test_key_in_live_integration_is_refused() {
    check_refused(
        Mode::Live,
        CLIENT_ID,
        "sk_test_51Habcdefghijkl",
        REDIRECT,
        "the secret key is a test key but live mode needs a live key (sk_live_... or rk_live_...)",
    );
    check_refused(
        Mode::Live,
        CLIENT_ID,
        "rk_test_51Habcdefghijkl",
        REDIRECT,
        "the secret key is a test key but live mode needs a live key (sk_live_... or rk_live_...)",
    );
}

#[test]
fn keys_that_are_not_secret_keys_are_refused() {
    check_refused(
        Mode::Test,
        CLIENT_ID,
        "pk_test_51Habcdefghijkl",
        REDIRECT,
        "the test-mode secret key is not a Stripe secret key: it is a publishable key (pk_...), not a secret key",
    );
    check_refused(
        Mode::Test,
        CLIENT_ID,
        "whsec_51Habcdefghijkl",
        REDIRECT,
        "the test-mode secret key is not a Stripe secret key: it does not start with sk_test_, sk_live_, rk_test_ or rk_live_",
    );
    check_refused(
        Mode::Live,
        CLIENT_ID,
        "",
        REDIRECT,
        "the live-mode secret key is not a Stripe secret key: it is empty",
    );
}

#[test]
fn bad_client_ids_are_refused() {
    check_refused(
        Mode::Test,
        "",
        "sk_test_51Habcdefghijkl",
        REDIRECT,
        "the test-mode client id is invalid: it is empty",
    );
    check_refused(
        Mode::Live,
        "acct_123",
        "sk_live_51Habcdefghijkl",
        REDIRECT,
        "the live-mode client id is invalid: it does not start with ca_",
    );
}

#[test]
fn bad_urls_are_refused() {
    check_refused(
        Mode::Live,
        CLIENT_ID,
        "sk_live_51Habcdefghijkl",
        "http://commerce.example.com/oauth/stripe/callback",
        "the live-mode redirect uri is invalid: live-mode redirect uris must use https",
    );
    check_refused(
        Mode::Test,
        CLIENT_ID,
        "sk_test_51Habcdefghijkl",
        "/oauth/stripe/callback",
        "the test-mode redirect uri is invalid: relative URL without a base",
    );
    let err = Integration::builder(
        Mode::Test,
        CLIENT_ID,
        SecretString::from("sk_test_51Habcdefghijkl"),
        REDIRECT,
    )
    .connect_base("ftp://connect.example.com")
    .build()
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the test-mode connect base url is invalid: the scheme is ftp, not http or https"
    );
}

#[test]
fn good_configs_build_with_defaults() {
    // Test mode may use a plain-http redirect (local development); restricted keys work.
    let test = Integration::builder(
        Mode::Test,
        CLIENT_ID,
        SecretString::from("rk_test_51Habcdefghijkl"),
        "http://localhost:8080/oauth/stripe/callback",
    )
    .build()
    .unwrap();
    assert_eq!(test.mode(), Mode::Test);
    assert_eq!(test.scope(), Scope::ReadOnly);
    assert_eq!(test.connect_base().as_str(), "https://connect.stripe.com/");
    assert_eq!(test.client_id(), CLIENT_ID);

    let live = Integration::builder(
        Mode::Live,
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
fn modes_speak_stripe_words() {
    assert_eq!(Mode::Test.to_string(), "test");
    assert_eq!(Mode::Live.to_string(), "live");
    assert_eq!(Mode::from_livemode(true), Mode::Live);
    assert!(!Mode::Test.is_live());
}
