//! The currency table (`commerce_model::currency`, ISO 4217) knows every currency Stripe's own
//! example objects (`../shared/stripe-openapi/fixtures3.json`, read in place) and the sandbox
//! use, and Stripe's exponents differ from it only where `stripe_wire::currency` documents it.

use std::collections::BTreeSet;

use serde_json::Value;

/// Three-letter values of fields whose name mentions a currency, and the keys of
/// currency-keyed maps (`currency_options`).
fn collect(value: &Value, key: Option<&str>, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (name, child) in map {
                if key == Some("currency_options") {
                    found.insert(name.clone());
                }
                collect(child, Some(name), found);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect(item, key, found);
            }
        }
        Value::String(text)
            if key.is_some_and(|key| key.contains("currenc"))
                && text.len() == 3
                && text.bytes().all(|byte| byte.is_ascii_lowercase()) =>
        {
            found.insert(text.clone());
        }
        _ => {}
    }
}

fn check(code: &str) {
    let iso = commerce_model::currency::exponent(code);
    assert!(iso.is_some(), "{code} is not in the ISO 4217 table");
    let stripe = commerce_stripe::currency_exponent(code);
    let exception = stripe_wire::currency::STRIPE_EXCEPTIONS
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(code));
    match exception {
        Some((_, digits)) => assert_eq!(stripe, *digits, "{code}"),
        None => assert_eq!(Some(stripe), iso, "{code}: Stripe and ISO disagree"),
    }
}

#[test]
fn every_currency_in_stripes_fixtures_is_in_the_table() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/stripe-openapi/fixtures3.json"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        println!("skipped: ../shared not found");
        return;
    };
    let document: Value = serde_json::from_str(&text).unwrap();
    let mut found = BTreeSet::new();
    collect(&document, None, &mut found);
    assert!(found.contains("usd"), "{found:?}");
    for code in &found {
        check(code);
    }
}

#[test]
fn every_sandbox_currency_is_in_the_table() {
    for code in stripe_sandbox::CURRENCIES {
        check(code);
    }
}

#[test]
fn isk_is_whole_kronur_in_the_model_and_two_digits_on_stripes_wire() {
    assert_eq!(commerce_model::currency::exponent("isk"), Some(0));
    assert_eq!(commerce_stripe::currency_exponent("isk"), 2);
}
