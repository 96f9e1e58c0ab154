//! Key validation, modes and configuration errors.

use std::time::Duration;

use secrecy::SecretString;
use stripe_client::{ClientConfig, Mode, StripeError, DEFAULT_API_BASE, STRIPE_VERSION};

#[track_caller]
fn check_key(key: &str, expect: Result<(Mode, bool), &str>) {
    let result = ClientConfig::builder(SecretString::from(key)).build();
    match (result, expect) {
        (Ok(config), Ok((mode, _))) => assert_eq!(config.mode(), mode),
        (Err(error), Err(expected_message)) => {
            assert!(
                matches!(error, StripeError::InvalidSecretKey { .. }),
                "{error:?}"
            );
            let message = error.to_string();
            assert_eq!(message, expected_message);
            if key.len() > 3 {
                assert!(!message.contains(key), "{message}");
                assert!(!format!("{error:?}").contains(key));
            }
        }
        (result, expect) => panic!("{key}: got {result:?}, expected {expect:?}"),
    }
}

#[test]
fn key_prefixes_decide_the_mode() {
    check_key("sk_test_abc123", Ok((Mode::Test, false)));
    check_key("rk_test_abc123", Ok((Mode::Test, true)));
    check_key("sk_live_abc123", Ok((Mode::Live, false)));
    check_key("rk_live_abc_123", Ok((Mode::Live, true)));
}

#[test]
fn malformed_keys_are_refused_without_echoing_them() {
    let unknown = "invalid stripe secret key: unknown prefix: expected sk_test_, rk_test_, sk_live_ or rk_live_";
    check_key("pk_test_abc123", Err(unknown));
    check_key("whsec_abc123", Err(unknown));
    check_key("sk_prod_abc123", Err(unknown));
    check_key("", Err(unknown));
    check_key(
        "sk_test_",
        Err("invalid stripe secret key: nothing after the prefix"),
    );
    check_key(
        "sk_live_abc 123\n",
        Err("invalid stripe secret key: contains characters other than ASCII letters, digits and underscores"),
    );
}

#[test]
fn defaults_and_overrides() {
    let config = ClientConfig::builder(SecretString::from("sk_test_abc"))
        .build()
        .unwrap();
    assert_eq!(config.api_base().as_str(), format!("{DEFAULT_API_BASE}/"));
    assert_eq!(config.rate_limit(), 25);
    assert_eq!(config.max_concurrency(), 10);
    assert_eq!(STRIPE_VERSION, "2026-07-29.dahlia");

    let config = ClientConfig::builder(SecretString::from("sk_live_abc"))
        .api_base("http://127.0.0.1:12111/stripe")
        .rate_limit(7)
        .max_concurrency(3)
        .user_agent("tests/1.0")
        .build()
        .unwrap();
    assert_eq!(config.mode(), Mode::Live);
    assert_eq!(config.api_base().as_str(), "http://127.0.0.1:12111/stripe");
    assert_eq!(config.rate_limit(), 7);
    assert_eq!(config.max_concurrency(), 3);
    assert_eq!(config.user_agent(), "tests/1.0");
}

#[track_caller]
fn check_config_error(
    build: impl FnOnce(stripe_client::ClientConfigBuilder) -> stripe_client::ClientConfigBuilder,
    expect: &str,
) {
    let error = build(ClientConfig::builder(SecretString::from("sk_test_abc")))
        .build()
        .unwrap_err();
    assert!(
        matches!(error, StripeError::InvalidConfig { .. }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), expect);
}

#[test]
fn unusable_settings_are_refused() {
    check_config_error(
        |builder| builder.api_base("ftp://example.com"),
        "invalid api_base: must be an http or https URL with a host",
    );
    check_config_error(
        |builder| builder.api_base("not a url"),
        "invalid api_base: not a URL: relative URL without a base",
    );
    check_config_error(
        |builder| builder.api_base("http://127.0.0.1:1/?x=1"),
        "invalid api_base: must not have a query or fragment",
    );
    check_config_error(
        |builder| builder.rate_limit(0),
        "invalid rate_limit: must be from 1 to 1000000 requests per second",
    );
    check_config_error(
        |builder| builder.endpoint_rate_limit(1_000_001),
        "invalid endpoint_rate_limit: must be from 1 to 1000000 requests per second",
    );
    check_config_error(
        |builder| builder.max_concurrency(0),
        "invalid max_concurrency: must be at least 1",
    );
    check_config_error(
        |builder| builder.user_agent("bad\nagent"),
        "invalid user_agent: not a valid header value",
    );
}

#[test]
fn rate_settings_parse_validate_and_apply_by_mode() {
    use stripe_client::{BudgetScope, RateSettings};
    let defaults = RateSettings::from_lookup(|_| None).unwrap();
    assert_eq!(defaults, RateSettings::default());
    assert_eq!(
        (
            defaults.test_rate_limit,
            defaults.live_rate_limit,
            defaults.endpoint_rate_limit
        ),
        (25, 100, 25)
    );
    assert_eq!(defaults.scope, BudgetScope::Account);
    assert_eq!(defaults.patience, Duration::from_secs(600));

    let values = [
        ("STRIPE_TEST_RATE_LIMIT", "10000"),
        ("STRIPE_LIVE_RATE_LIMIT", " 1 "),
        ("STRIPE_ENDPOINT_RATE_LIMIT", "40"),
        ("STRIPE_MAX_CONCURRENCY", "3"),
        ("STRIPE_RATE_LIMIT_SCOPE", "platform"),
        ("STRIPE_RATE_LIMIT_PATIENCE_SECS", "30"),
    ];
    let lookup = |name: &str| {
        values
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| *value)
    };
    let settings = RateSettings::from_lookup(lookup).unwrap();
    assert_eq!(settings.test_rate_limit, 10_000);
    assert_eq!(settings.live_rate_limit, 1);
    assert_eq!(settings.endpoint_rate_limit, 40);
    assert_eq!(settings.max_concurrency, 3);
    assert_eq!(settings.scope, BudgetScope::PlatformKey);
    assert_eq!(settings.patience, Duration::from_secs(30));

    let test = ClientConfig::builder(SecretString::from("sk_test_abc"))
        .rate_settings(&settings)
        .build()
        .unwrap();
    assert_eq!(test.rate_limit(), 10_000);
    assert_eq!(test.endpoint_rate_limit(), 40);
    assert_eq!(test.max_concurrency(), 3);
    assert_eq!(test.budget_scope(), BudgetScope::PlatformKey);
    let live = ClientConfig::builder(SecretString::from("sk_live_abc"))
        .rate_settings(&settings)
        .build()
        .unwrap();
    assert_eq!(live.rate_limit(), 1);

    let bad = [
        ("STRIPE_TEST_RATE_LIMIT", "0"),
        ("STRIPE_LIVE_RATE_LIMIT", "fast"),
        ("STRIPE_ENDPOINT_RATE_LIMIT", "1000001"),
        ("STRIPE_MAX_CONCURRENCY", "0"),
        ("STRIPE_RATE_LIMIT_SCOPE", "merchant"),
        ("STRIPE_RATE_LIMIT_PATIENCE_SECS", "-1"),
    ];
    let problems = RateSettings::from_lookup(|name: &str| {
        bad.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| *value)
    })
    .unwrap_err();
    assert_eq!(problems.len(), 6, "{problems:?}");
    for (name, _) in bad {
        assert!(
            problems.iter().any(|problem| problem.starts_with(name)),
            "{name}: {problems:?}"
        );
    }
}
