//! Runs the `commerce` binary on files and standard input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod demo;
mod errors;
mod help;
mod link;
mod rotate_keys;
mod schemathesis;
mod support;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures")).join(relative)
}

fn commerce(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_commerce"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        // A usage error exits before reading stdin, so a broken pipe here is expected then.
        let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// `commerce map --type <data_type> -` with `input` on stdin prints `expected` and exits 0.
#[track_caller]
fn check(data_type: &str, input: &str, expected: Value) {
    let output = commerce(&["map", "--type", data_type, "-"], Some(input));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed, expected);
}

/// `commerce map` with these arguments exits 2 with exactly this one line on stderr.
#[track_caller]
fn check_bad(args: &[&str], stdin: Option<&str>, expected_stderr: &str) {
    let output = commerce(args, stdin);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(stderr.trim_end(), expected_stderr);
}

const CHARGE: &str = r#"{"object": "charge", "id": "ch_1", "amount": 1099, "currency": "usd", "status": "succeeded", "captured": true, "created": 1605804966}"#;
const REFUND: &str = r#"{"object": "refund", "id": "re_1", "amount": 500, "currency": "jpy", "status": "succeeded", "created": 1605804966}"#;

fn charge_payment() -> Value {
    json!({"id": "ch_1", "amount": 10.99, "currency": "USD", "status": "Paid", "paymentProvider": "Stripe", "createdDate": "2020-11-19T16:56:06Z"})
}

fn refund_payment() -> Value {
    json!({"id": "re_1", "amount": -500, "currency": "JPY", "status": "Paid", "paymentProvider": "Stripe", "createdDate": "2020-11-19T16:56:06Z"})
}

#[test]
fn every_input_shape_gives_one_array_in_input_order() {
    let both = json!([charge_payment(), refund_payment()]);
    check("commerce-payments", CHARGE, json!([charge_payment()]));
    check(
        "commerce-payments",
        &format!("[{CHARGE}, {REFUND}]"),
        both.clone(),
    );
    check(
        "commerce-payments",
        &format!("{CHARGE}\n{REFUND}\n"),
        both.clone(),
    );
    check(
        "commerce-payments",
        &format!(
            r#"{{"object": "list", "data": [{CHARGE}, {REFUND}], "has_more": false, "url": "/v1/charges"}}"#
        ),
        both,
    );
}

#[test]
fn products_take_products_and_prices_together() {
    let input = r#"[{"object": "price", "id": "price_1", "product": "prod_1", "currency": "gbp", "unit_amount": 1500, "created": 2, "active": true},
                    {"object": "product", "id": "prod_1", "name": "Mug", "active": true, "created": 1, "updated": 1}]"#;
    let output = commerce(&["map", "--type", "commerce-products", "-"], Some(input));
    assert!(output.status.success());
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        printed[0]["variants"][0]["prices"],
        json!([{"currency": "GBP", "unitPrice": 15}])
    );
    assert_eq!(
        printed[0]["variants"][0]["name"],
        json!("Mug - Standard Price")
    );
}

#[test]
fn company_info_takes_the_account_and_its_balance_by_key_or_url_segment() {
    let input = r#"{"object": "account", "id": "acct_1", "email": "shop@example.com", "default_currency": "jpy"}
{"object": "balance", "available": [{"amount": 500, "currency": "jpy"}], "pending": []}"#;
    let expected = json!([{
        "companyName": "shop@example.com", "commercePlatformRef": "acct_1", "baseCurrency": "JPY",
        "accountBalances": [{"available": 500, "pending": 0, "reserved": 0, "currency": "JPY"}]
    }]);
    check("commerce-companyInfo", input, expected.clone());
    check("commerce-info", input, expected);
}

#[test]
fn a_fixture_file_maps_to_its_golden() {
    for (data_type, resource, case) in [
        (
            "commerce-transactions",
            "balance_transaction",
            "several_fees.json",
        ),
        ("commerce-products", "product", "two_products_list.json"),
        ("commerce-customers", "customer", "deleted.json"),
    ] {
        let input = fixture(&format!("stripe/{resource}/{case}"));
        let output = commerce(&["map", "--type", data_type, input.to_str().unwrap()], None);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let golden =
            std::fs::read_to_string(fixture(&format!("commerce/{resource}/{case}"))).unwrap();
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            golden,
            "{resource}/{case}"
        );
    }
}

#[test]
fn bad_input_is_one_line_naming_the_file_and_json_path_with_exit_code_2() {
    let bad_amount = r#"{"object": "list", "data": [{"object": "charge", "id": "ch_1", "amount": "ten", "currency": "usd"}]}"#;
    check_bad(
        &["map", "--type", "commerce-payments", "-"],
        Some(bad_amount),
        "commerce map: <stdin>: $.data[0].amount: invalid type: string \"ten\", expected i64",
    );
    check_bad(
        &["map", "--type", "commerce-payments", "-"],
        Some(&format!(
            "{CHARGE}\n{{\"object\": \"charge\", \"id\": \"ch_2\", \"amount\": 1}}"
        )),
        "commerce map: <stdin>: $[1]: charge ch_2: required field `currency` is missing",
    );
    check_bad(
        &["map", "--type", "commerce-customers", "-"],
        Some(CHARGE),
        "commerce map: <stdin>: $: a `charge` object cannot be mapped to commerce-customers",
    );
    check_bad(
        &["map", "--type", "commerce-payments", "-"],
        Some("{\"object\": \"charge\",\n"),
        "commerce map: <stdin>: $: EOF while parsing a value at line 2 column 0",
    );

    let dir = std::env::temp_dir().join(format!("commerce-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("charges.json");
    std::fs::write(&file, format!("[{CHARGE}, 7]")).unwrap();
    let path = file.to_str().unwrap();
    check_bad(
        &["map", "--type", "commerce-payments", path],
        None,
        &format!("commerce map: {path}: $[1]: expected a Stripe object, found a number"),
    );
    let missing = dir.join("missing.json");
    let output = commerce(
        &[
            "map",
            "--type",
            "commerce-payments",
            missing.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.json"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unsupported_or_unknown_data_types_are_usage_errors() {
    for data_type in ["commerce-orders", "commerce-nonsense"] {
        let output = commerce(&["map", "--type", data_type, "-"], Some(CHARGE));
        assert_eq!(output.status.code(), Some(2), "{data_type}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(data_type), "{stderr}");
    }
}
