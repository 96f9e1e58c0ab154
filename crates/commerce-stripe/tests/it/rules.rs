//! One check helper per rule family; each test is a table of one-liners.

use commerce_model as commerce;
use commerce_stripe::{
    map_account, map_balance_transaction, map_charge, map_customer, map_dispute, map_document,
    map_payment_intent, map_product, map_refund, MapError,
};
use serde_json::{json, Value};
use stripe_wire as stripe;

fn wire<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

// ---------------------------------------------------------------- amounts and currencies

/// A charge of `amount` minor units in `currency` maps to `expected` (the JSON text of the amount).
#[track_caller]
fn check_amount(amount: i64, currency: &str, expected: &str) {
    let charge: stripe::Charge = wire(json!({
        "object": "charge", "id": "ch_amount", "amount": amount, "currency": currency,
        "status": "succeeded", "captured": true, "created": 1_700_000_000
    }));
    let payment = to_json(&map_charge(&charge).unwrap());
    assert_eq!(
        payment["amount"].to_string(),
        expected,
        "{amount} {currency}"
    );
    assert_eq!(payment["currency"], json!(currency.to_ascii_uppercase()));
}

#[test]
fn amounts_use_the_currency_exponent() {
    check_amount(1099, "usd", "10.99");
    check_amount(1050, "gbp", "10.5");
    check_amount(1000, "eur", "10");
    check_amount(1, "usd", "0.01");
    check_amount(0, "usd", "0");
    check_amount(500, "jpy", "500");
    check_amount(500, "krw", "500");
    check_amount(5120, "kwd", "5.12");
    check_amount(5125, "bhd", "5.125");
    check_amount(-250, "usd", "-2.5");
    check_amount(i64::MAX, "usd", "92233720368547758.07");
    check_amount(i64::MIN, "jpy", "-9223372036854775808");
}

#[test]
fn currency_exponent_table() {
    for (currency, exponent) in [
        ("JPY", 0),
        ("jpy", 0),
        ("XPF", 0),
        ("KWD", 3),
        ("TND", 3),
        ("USD", 2),
        ("ZZZ", 2),
    ] {
        assert_eq!(
            commerce_stripe::currency_exponent(currency),
            exponent,
            "{currency}"
        );
    }
}

#[test]
fn refunds_are_negative_and_exact() {
    let refund: stripe::Refund = wire(json!({
        "object": "refund", "id": "re_1", "amount": 5120, "currency": "kwd",
        "status": "succeeded", "created": 1_700_000_000
    }));
    assert_eq!(
        to_json(&map_refund(&refund).unwrap())["amount"].to_string(),
        "-5.12"
    );
}

// ---------------------------------------------------------------- dates

#[track_caller]
fn check_created(created: i64, expected: Option<&str>) {
    let charge: stripe::Charge = wire(json!({
        "object": "charge", "id": "ch_date", "amount": 1, "currency": "usd", "status": "succeeded",
        "captured": true, "created": created
    }));
    let payment = to_json(&map_charge(&charge).unwrap());
    assert_eq!(
        payment.get("createdDate").and_then(Value::as_str),
        expected,
        "{created}"
    );
}

#[test]
fn dates_are_rfc3339_utc_and_zero_is_left_out() {
    check_created(1_605_804_966, Some("2020-11-19T16:56:06Z"));
    check_created(1_700_000_000, Some("2023-11-14T22:13:20Z"));
    check_created(0, None);
}

#[test]
fn a_negative_time_is_a_typed_error() {
    let charge: stripe::Charge = wire(json!({
        "object": "charge", "id": "ch_neg", "amount": 1, "currency": "usd", "created": -5
    }));
    let err = map_charge(&charge).unwrap_err();
    assert!(
        matches!(&err, MapError::InvalidField { object: "charge", id, field: "created", value } if id == "ch_neg" && value == "-5"),
        "{err:?}"
    );
}

// ---------------------------------------------------------------- status tables

#[track_caller]
fn check_charge_status(status: &str, captured: bool, refunded: bool, expected: &str) {
    let charge: stripe::Charge = wire(json!({
        "object": "charge", "id": "ch_s", "amount": 100, "currency": "usd",
        "status": status, "captured": captured, "refunded": refunded, "created": 1
    }));
    assert_eq!(
        to_json(&map_charge(&charge).unwrap())["status"],
        json!(expected),
        "{status} captured={captured} refunded={refunded}"
    );
}

#[test]
fn charge_statuses() {
    check_charge_status("succeeded", true, false, "Paid");
    check_charge_status("succeeded", true, true, "Paid");
    check_charge_status("succeeded", false, false, "Authorized");
    check_charge_status("succeeded", false, true, "Cancelled");
    check_charge_status("failed", false, true, "Cancelled");
    check_charge_status("pending", true, false, "Pending");
    check_charge_status("pending", false, false, "Pending");
    check_charge_status("failed", false, false, "Failed");
    check_charge_status("something_new", true, false, "Unknown");
}

#[track_caller]
fn check_refund_status(status: Option<&str>, expected: &str) {
    let refund: stripe::Refund = wire(json!({
        "object": "refund", "id": "re_s", "amount": 100, "currency": "usd", "status": status, "created": 1
    }));
    assert_eq!(
        to_json(&map_refund(&refund).unwrap())["status"],
        json!(expected),
        "{status:?}"
    );
}

#[test]
fn refund_statuses() {
    check_refund_status(Some("succeeded"), "Paid");
    check_refund_status(Some("pending"), "Pending");
    check_refund_status(Some("requires_action"), "Pending");
    check_refund_status(Some("failed"), "Failed");
    check_refund_status(Some("canceled"), "Cancelled");
    check_refund_status(Some("brand_new"), "Unknown");
    check_refund_status(None, "Unknown");
}

#[track_caller]
fn check_intent_status(status: &str, expected: Option<&str>) {
    let intent: stripe::PaymentIntent = wire(json!({
        "object": "payment_intent", "id": "pi_s", "amount": 100, "currency": "usd", "status": status,
        "created": 1, "latest_charge": null
    }));
    let payment = map_payment_intent(&intent)
        .unwrap()
        .map(|payment| to_json(&payment));
    assert_eq!(
        payment.as_ref().map(|payment| payment["status"].clone()),
        expected.map(|status| json!(status)),
        "{status}"
    );
}

#[test]
fn payment_intent_statuses() {
    check_intent_status("requires_payment_method", Some("Pending"));
    check_intent_status("requires_confirmation", Some("Pending"));
    check_intent_status("requires_action", Some("Pending"));
    check_intent_status("requires_capture", Some("Pending"));
    check_intent_status("processing", Some("Pending"));
    check_intent_status("canceled", Some("Cancelled"));
    check_intent_status("succeeded", Some("Unknown"));
    check_intent_status("future_status", Some("Unknown"));
}

#[test]
fn a_payment_intent_with_a_charge_is_not_a_payment() {
    for latest_charge in [json!("ch_1"), json!({"object": "charge", "id": "ch_1"})] {
        let intent: stripe::PaymentIntent = wire(json!({
            "object": "payment_intent", "id": "pi_c", "amount": 100, "currency": "usd",
            "status": "succeeded", "created": 1, "latest_charge": latest_charge
        }));
        assert_eq!(map_payment_intent(&intent).unwrap(), None);
    }
}

#[track_caller]
fn check_dispute_status(status: &str, expected: &str) {
    let dispute: stripe::Dispute = wire(json!({
        "object": "dispute", "id": "dp_s", "amount": 100, "currency": "gbp", "charge": "ch_1",
        "status": status, "reason": "general", "created": 1
    }));
    assert_eq!(
        to_json(&map_dispute(&dispute).unwrap())["status"],
        json!(expected),
        "{status}"
    );
}

#[test]
fn dispute_statuses() {
    check_dispute_status("warning_needs_response", "InquiryEvidenceRequired");
    check_dispute_status("warning_under_review", "InquiryProcessing");
    check_dispute_status("warning_closed", "InquiryClosed");
    check_dispute_status("needs_response", "EvidenceRequired");
    check_dispute_status("under_review", "Processing");
    check_dispute_status("charge_refunded", "ChargeRefunded");
    check_dispute_status("won", "Won");
    check_dispute_status("lost", "Lost");
    check_dispute_status("prevented", "Unknown");
    check_dispute_status("escalated", "Unknown");
}

#[test]
fn dispute_keeps_the_raw_reason_and_links_the_charge() {
    let dispute: stripe::Dispute = wire(json!({
        "object": "dispute", "id": "dp_r", "amount": 2500, "currency": "gbp", "charge": "ch_disputed",
        "status": "lost", "reason": "a_reason_stripe_adds_later", "created": 1605804966,
        "evidence_details": {"due_by": 1606953599}
    }));
    let mapped = to_json(&map_dispute(&dispute).unwrap());
    assert_eq!(mapped["reason"], json!("a_reason_stripe_adds_later"));
    assert_eq!(mapped["totalAmount"].to_string(), "25");
    assert_eq!(
        mapped["disputedTransactions"],
        json!([{"id": "ch_disputed", "type": "Payment"}])
    );
    assert_eq!(mapped["dueDate"], json!("2020-12-02T23:59:59Z"));
}

// ---------------------------------------------------------------- transactions

#[track_caller]
fn check_transaction_type(stripe_type: &str, expected: &str) {
    let txn: stripe::BalanceTransaction = wire(json!({
        "object": "balance_transaction", "id": "txn_t", "amount": 100, "net": 100, "fee": 0,
        "fee_details": [], "currency": "usd", "type": stripe_type, "created": 1
    }));
    let rows = map_balance_transaction(&txn).unwrap();
    let main = to_json(&rows[0]);
    assert_eq!(main["type"], json!(expected), "{stripe_type}");
    assert_eq!(main["subType"], json!(stripe_type));
}

#[test]
fn transaction_types() {
    for (stripe_type, expected) in [
        ("charge", "Payment"),
        ("payment", "Payment"),
        ("refund", "Refund"),
        ("payment_refund", "Refund"),
        ("payment_failure_refund", "Refund"),
        ("payout", "Payout"),
        ("payout_cancel", "FailedPayout"),
        ("payout_failure", "FailedPayout"),
        ("transfer", "Transfer"),
        ("transfer_cancel", "Transfer"),
        ("transfer_failure", "Transfer"),
        ("transfer_refund", "Transfer"),
        ("stripe_fee", "PaymentFee"),
        ("application_fee", "PaymentFee"),
        ("stripe_fx_fee", "PaymentFee"),
        ("tax_fee", "PaymentFee"),
        ("application_fee_refund", "PaymentFeeRefund"),
        ("adjustment", "Unknown"),
        ("reserve_hold", "Unknown"),
        ("topup", "Unknown"),
        ("not_yet_invented", "Unknown"),
    ] {
        check_transaction_type(stripe_type, expected);
    }
}

#[track_caller]
fn check_source(source: Value, expected: Option<Value>) {
    let txn: stripe::BalanceTransaction = wire(json!({
        "object": "balance_transaction", "id": "txn_src", "amount": 100, "net": 100, "fee": 0,
        "fee_details": [], "currency": "usd", "type": "charge", "created": 1, "source": source
    }));
    let main = to_json(&map_balance_transaction(&txn).unwrap()[0]);
    assert_eq!(
        main.get("transactionSourceRef").cloned(),
        expected,
        "{source}"
    );
}

#[test]
fn transaction_source_refs() {
    for (source, source_type) in [
        ("ch_1", "Payment"),
        ("py_1", "Payment"),
        ("re_1", "Payment"),
        ("pyr_1", "Payment"),
        ("pi_1", "Payment"),
        ("fee_1", "Fee"),
        ("fr_1", "Fee"),
        ("po_1", "Unknown"),
        ("tr_1", "Unknown"),
    ] {
        check_source(
            json!(source),
            Some(json!({"id": source, "type": source_type})),
        );
    }
    check_source(
        json!({"object": "charge", "id": "ch_expanded"}),
        Some(json!({"id": "ch_expanded", "type": "Payment"})),
    );
    check_source(Value::Null, None);
}

/// The rows of a balance transaction with these fee details: `(id, totalAmount, type, subType)`.
#[track_caller]
fn check_fee_rows(amount: i64, currency: &str, fees: Value, expected: &[(&str, &str, &str, &str)]) {
    let fee_total: i64 = fees
        .as_array()
        .unwrap()
        .iter()
        .map(|fee| fee["amount"].as_i64().unwrap())
        .sum();
    let net = amount - fee_total;
    let txn: stripe::BalanceTransaction = wire(json!({
        "object": "balance_transaction", "id": "txn_f", "amount": amount, "fee": fee_total, "net": net,
        "fee_details": fees, "currency": currency, "type": "charge", "created": 1, "source": "ch_1"
    }));
    let rows: Vec<Value> = map_balance_transaction(&txn)
        .unwrap()
        .iter()
        .map(to_json)
        .collect();
    let actual: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|row| {
            (
                row["id"].as_str().unwrap().to_owned(),
                row["totalAmount"].to_string(),
                row["type"].as_str().unwrap().to_owned(),
                row["subType"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(id, total, kind, sub)| {
            (
                (*id).to_owned(),
                (*total).to_owned(),
                (*kind).to_owned(),
                (*sub).to_owned(),
            )
        })
        .collect();
    assert_eq!(actual, expected);
    // The rows add up to the transaction's net, exactly.
    let sum: rust_decimal::Decimal = rows
        .iter()
        .map(|row| {
            row["totalAmount"]
                .to_string()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    let exponent = commerce_stripe::currency_exponent(currency);
    assert_eq!(sum, rust_decimal::Decimal::new(net, exponent));
    for row in &rows {
        assert_eq!(row["currency"], json!(currency.to_ascii_uppercase()));
        assert_eq!(
            row["transactionSourceRef"],
            json!({"id": "ch_1", "type": "Payment"})
        );
        assert_eq!(row["createdDate"], json!("1970-01-01T00:00:01Z"));
    }
}

#[test]
fn fee_rows() {
    check_fee_rows(
        5000,
        "gbp",
        json!([{"amount": 90, "currency": "gbp", "description": "Stripe processing fees", "type": "stripe_fee"}]),
        &[
            ("txn_f", "50", "Payment", "charge"),
            (
                "txn_f:Stripe processing fees",
                "-0.9",
                "PaymentFee",
                "stripe_fee",
            ),
        ],
    );
    check_fee_rows(
        10000,
        "usd",
        json!([
            {"amount": 175, "currency": "usd", "description": "Stripe processing fees", "type": "stripe_fee"},
            {"amount": 35, "currency": "usd", "description": "VAT", "type": "tax"},
            {"amount": 25, "currency": "usd", "description": "Stripe processing fees", "type": "stripe_fee"},
            {"amount": 0, "currency": "usd", "description": "Nothing", "type": "stripe_fee"},
            {"amount": -10, "currency": "usd", "description": "Stripe processing fees", "type": "stripe_fee"},
            {"amount": 5, "currency": "usd", "description": null, "type": "application_fee"}
        ]),
        &[
            ("txn_f", "100", "Payment", "charge"),
            (
                "txn_f:Stripe processing fees",
                "-1.75",
                "PaymentFee",
                "stripe_fee",
            ),
            ("txn_f:VAT", "-0.35", "PaymentFee", "tax"),
            (
                "txn_f:Stripe processing fees:2",
                "-0.25",
                "PaymentFee",
                "stripe_fee",
            ),
            (
                "txn_f:Stripe processing fees:3",
                "0.1",
                "PaymentFeeRefund",
                "stripe_fee",
            ),
            (
                "txn_f:application_fee",
                "-0.05",
                "PaymentFee",
                "application_fee",
            ),
        ],
    );
    check_fee_rows(
        500,
        "jpy",
        json!([{"amount": 18, "currency": "jpy", "description": "Stripe processing fees", "type": "stripe_fee"}]),
        &[
            ("txn_f", "500", "Payment", "charge"),
            (
                "txn_f:Stripe processing fees",
                "-18",
                "PaymentFee",
                "stripe_fee",
            ),
        ],
    );
    check_fee_rows(
        5120,
        "kwd",
        json!([{"amount": 154, "currency": "kwd", "description": "Stripe processing fees", "type": "stripe_fee"}]),
        &[
            ("txn_f", "5.12", "Payment", "charge"),
            (
                "txn_f:Stripe processing fees",
                "-0.154",
                "PaymentFee",
                "stripe_fee",
            ),
        ],
    );
}

// ---------------------------------------------------------------- bad records are typed errors

#[track_caller]
fn check_error(data_type: commerce::DataType, document: Value, expected: &str) {
    let err = map_document(data_type, document.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), expected);
}

#[test]
fn bad_records_are_errors_naming_object_id_and_field() {
    use commerce::DataType;
    check_error(
        DataType::Payments,
        json!([{"object": "charge", "id": "ch_ok", "amount": 1, "currency": "usd", "created": 1},
               {"object": "charge", "id": "ch_nocur", "amount": 1, "created": 1}]),
        "$[1]: charge ch_nocur: required field `currency` is missing",
    );
    check_error(
        DataType::Payments,
        json!({"object": "refund", "id": "re_bad", "amount": 1, "currency": "dollars", "created": 1}),
        "$: refund re_bad: field `currency` has an invalid value \"dollars\"",
    );
    check_error(
        DataType::Disputes,
        json!({"object": "list", "data": [{"object": "dispute", "id": "dp_1", "amount": 1, "charge": "ch_1", "created": 1}]}),
        "$.data[0]: dispute dp_1: required field `currency` is missing",
    );
    check_error(
        DataType::Transactions,
        json!({"object": "balance_transaction", "id": "txn_x", "amount": 100, "net": 99, "fee": 0, "fee_details": [], "currency": "usd", "type": "charge", "created": 1}),
        "$: balance_transaction txn_x: field `net` has an invalid value \"99\"",
    );
    check_error(
        DataType::Transactions,
        json!({"object": "balance_transaction", "id": "txn_y", "amount": 100, "net": 90, "fee": 10, "currency": "usd", "type": "charge", "created": 1,
               "fee_details": [{"amount": 10, "currency": "eur", "description": "Fee", "type": "stripe_fee"}]}),
        "$: balance_transaction txn_y: field `fee_details.currency` has an invalid value \"eur\"",
    );
    check_error(
        DataType::Products,
        json!([{"object": "product", "id": "prod_1", "name": "Mug", "created": 1, "updated": 1},
               {"object": "price", "id": "price_1", "product": "prod_1", "currency": "usd", "unit_amount_decimal": "12.x", "created": 1}]),
        "$[0]: price price_1: field `unit_amount_decimal` has an invalid value \"12.x\"",
    );
    check_error(
        DataType::Payments,
        json!({"object": "charge", "amount": 1, "currency": "usd", "created": 1}),
        "$: charge : required field `id` is missing",
    );
}

#[test]
fn a_price_of_another_product_is_refused() {
    let product: stripe::Product =
        wire(json!({"object": "product", "id": "prod_a", "name": "A", "created": 1, "updated": 1}));
    let price: stripe::Price = wire(
        json!({"object": "price", "id": "price_b", "product": "prod_b", "currency": "usd", "unit_amount": 1, "created": 1}),
    );
    let err = map_product(&product, &[price]).unwrap_err();
    assert!(
        matches!(&err, MapError::InvalidField { object: "price", field: "product", value, .. } if value == "prod_b"),
        "{err:?}"
    );
}

#[test]
fn document_errors_name_the_json_path() {
    use commerce::DataType;
    check_error(
        DataType::Payments,
        json!({"object": "list", "data": [{"object": "charge", "id": "ch_1", "amount": "ten", "currency": "usd"}]}),
        "$.data[0].amount: invalid type: string \"ten\", expected i64",
    );
    check_error(
        DataType::Customers,
        json!([{"object": "customer", "id": "cus_1"}, {"object": "charge", "id": "ch_1"}]),
        "$[1]: a `charge` object cannot be mapped to commerce-customers",
    );
    check_error(
        DataType::Products,
        json!([{"object": "price", "id": "price_1", "product": "prod_gone", "currency": "usd", "created": 1}]),
        "$[0]: price price_1 needs product prod_gone, which is not in the document",
    );
    check_error(
        DataType::CompanyInfo,
        json!([{"object": "balance", "available": [], "pending": []}]),
        "$[0]: balance  needs an account before it, which is not in the document",
    );
}

// ---------------------------------------------------------------- deletions

#[test]
fn deleted_objects_are_deletions() {
    let customer: stripe::Customer =
        wire(json!({"object": "customer", "id": "cus_gone", "deleted": true}));
    let mapped = map_customer(&customer).unwrap();
    assert_eq!(
        mapped.deletion().map(|deletion| deletion.id.as_str()),
        Some("cus_gone")
    );
    assert!(mapped.record().is_none());

    let product: stripe::Product =
        wire(json!({"object": "product", "id": "prod_gone", "deleted": true}));
    assert_eq!(
        map_product(&product, &[])
            .unwrap()
            .deletion()
            .map(|deletion| deletion.id.as_str()),
        Some("prod_gone")
    );

    let account: stripe::Account =
        wire(json!({"object": "account", "id": "acct_gone", "deleted": true}));
    assert!(map_account(&account, None).unwrap().deletion().is_some());

    let document = json!([{"object": "customer", "id": "cus_gone", "deleted": true}]).to_string();
    let out = to_json(&map_document(commerce::DataType::Customers, document.as_bytes()).unwrap());
    assert_eq!(out, json!([{"id": "cus_gone", "deleted": true}]));
}

// ---------------------------------------------------------------- company info, customers, products

#[test]
fn company_name_fallbacks() {
    for (account, expected) in [
        (
            json!({"business_profile": {"name": "Profile"}, "settings": {"dashboard": {"display_name": "Dash"}}, "company": {"name": "Legal"}, "email": "e@x.test"}),
            Some("Profile"),
        ),
        (
            json!({"business_profile": {"name": null}, "settings": {"dashboard": {"display_name": "Dash"}}, "company": {"name": "Legal"}}),
            Some("Dash"),
        ),
        (
            json!({"company": {"name": "Legal"}, "email": "e@x.test"}),
            Some("Legal"),
        ),
        (json!({"email": "e@x.test"}), Some("e@x.test")),
        (json!({}), None),
    ] {
        let mut object = account.clone();
        object["object"] = json!("account");
        object["id"] = json!("acct_1");
        let account_wire: stripe::Account = wire(object);
        let mapped = to_json(
            &map_account(&account_wire, None)
                .unwrap()
                .record()
                .unwrap()
                .clone(),
        );
        assert_eq!(
            mapped.get("companyName").and_then(Value::as_str),
            expected,
            "{account}"
        );
        assert_eq!(mapped["commercePlatformRef"], json!("acct_1"));
    }
}

#[test]
fn balances_sum_per_currency_in_major_units() {
    let account: stripe::Account =
        wire(json!({"object": "account", "id": "acct_b", "default_currency": "gbp"}));
    let balance: stripe::Balance = wire(json!({"object": "balance",
        "available": [{"amount": 1000, "currency": "gbp"}, {"amount": 500, "currency": "jpy"}, {"amount": 99, "currency": "gbp"}],
        "pending": [{"amount": -300, "currency": "gbp"}, {"amount": 5120, "currency": "kwd"}],
        "connect_reserved": [{"amount": 7, "currency": "gbp"}]}));
    let mapped = to_json(
        &map_account(&account, Some(&balance))
            .unwrap()
            .record()
            .unwrap()
            .clone(),
    );
    assert_eq!(mapped["baseCurrency"], json!("GBP"));
    assert_eq!(
        mapped["accountBalances"].to_string(),
        json!([
            {"available": 10.99, "pending": -3, "reserved": 0.07, "currency": "GBP"},
            {"available": 500, "pending": 0, "reserved": 0, "currency": "JPY"},
            {"available": 0, "pending": 5.12, "reserved": 0, "currency": "KWD"}
        ])
        .to_string()
    );
}

#[test]
fn customer_addresses_and_names() {
    let customer: stripe::Customer = wire(
        json!({"object": "customer", "id": "cus_a", "created": 1, "currency": "gbp",
        "business_name": "Acme Ltd", "address": {"line1": "1 A St", "state": "Kent", "postal_code": "CT1", "country": "GB"},
        "shipping": {"address": {"city": "Leeds", "country": "GB"}}}),
    );
    let mapped = to_json(&map_customer(&customer).unwrap().record().unwrap().clone());
    assert_eq!(mapped["customerName"], json!("Acme Ltd"));
    assert_eq!(mapped["defaultCurrency"], json!("GBP"));
    assert_eq!(
        mapped["addresses"],
        json!([
            {"type": "Billing", "line1": "1 A St", "region": "Kent", "country": "GB", "postalCode": "CT1"},
            {"type": "Delivery", "city": "Leeds", "country": "GB"}
        ])
    );
    let bare: stripe::Customer = wire(json!({"object": "customer", "id": "cus_b", "created": 1,
        "address": {"line1": null, "city": null}, "shipping": {}}));
    let mapped = to_json(&map_customer(&bare).unwrap().record().unwrap().clone());
    assert_eq!(mapped["addresses"], json!([]));
    assert!(mapped.get("customerName").is_none());
}

#[test]
fn product_variants_follow_prices_by_creation() {
    let product: stripe::Product = wire(
        json!({"object": "product", "id": "prod_v", "name": "Tea", "active": false,
        "created": 10, "updated": 20, "shippable": true, "unit_label": "box"}),
    );
    let prices: Vec<stripe::Price> = vec![
        wire(
            json!({"object": "price", "id": "price_late", "product": "prod_v", "currency": "usd", "unit_amount": 3000, "created": 30, "active": true, "tax_behavior": "exclusive", "nickname": "US"}),
        ),
        wire(
            json!({"object": "price", "id": "price_early", "product": "prod_v", "currency": "gbp", "unit_amount": 1500, "created": 15, "active": false, "tax_behavior": "unspecified"}),
        ),
        wire(
            json!({"object": "price", "id": "price_tiered", "product": "prod_v", "currency": "gbp", "unit_amount": null, "billing_scheme": "tiered", "created": 40, "active": true}),
        ),
        wire(
            json!({"object": "price", "id": "price_decimal", "product": "prod_v", "currency": "usd", "unit_amount": null, "unit_amount_decimal": "1999.5", "created": 50, "active": true, "tax_behavior": "inclusive"}),
        ),
        wire(
            json!({"object": "price", "id": "price_deleted", "product": "prod_v", "deleted": true}),
        ),
    ];
    let mapped = to_json(
        &map_product(&product, &prices)
            .unwrap()
            .record()
            .unwrap()
            .clone(),
    );
    assert_eq!(mapped["status"], json!("Unpublished"));
    assert_eq!(mapped["isGiftCard"], json!(false));
    assert_eq!(mapped["sourceModifiedDate"], json!("1970-01-01T00:00:20Z"));
    let variants = mapped["variants"].as_array().unwrap();
    let summary: Vec<String> = variants
        .iter()
        .map(|variant| {
            format!(
                "{} {} {} {} {} {}",
                variant["id"].as_str().unwrap(),
                variant["name"].as_str().unwrap(),
                variant["prices"][0]
                    .get("unitPrice")
                    .map_or("-".to_owned(), Value::to_string),
                variant["status"].as_str().unwrap(),
                variant["isTaxEnabled"],
                variant["unitOfMeasure"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "price_early Tea - Standard Price 15 Unpublished false box",
            "price_late US 30 Published true box",
            "price_tiered Tea - Standard Price - Published false box",
            "price_decimal Tea - Standard Price 19.995 Published true box",
        ]
    );
    assert!(variants
        .iter()
        .all(|variant| variant["shippingRequired"] == json!(true)));

    let lonely: stripe::Product = wire(
        json!({"object": "product", "id": "prod_none", "name": "Solo", "active": true, "created": 1, "updated": 1}),
    );
    let mapped = to_json(&map_product(&lonely, &[]).unwrap().record().unwrap().clone());
    assert_eq!(mapped["variants"], json!([]));
    assert_eq!(mapped["status"], json!("Published"));
}

#[test]
fn payment_method_ref_falls_back_to_the_type() {
    for (payment_method, details, expected) in [
        (
            json!("pm_1"),
            json!({"type": "card", "card": {}}),
            Some(json!({"id": "pm_1", "name": "card"})),
        ),
        (
            Value::Null,
            json!({"type": "bacs_debit"}),
            Some(json!({"id": "bacs_debit", "name": "bacs_debit"})),
        ),
        (json!("card_1"), Value::Null, Some(json!({"id": "card_1"}))),
        (Value::Null, Value::Null, None),
    ] {
        let charge: stripe::Charge = wire(
            json!({"object": "charge", "id": "ch_pm", "amount": 1, "currency": "usd",
            "status": "succeeded", "captured": true, "created": 1, "payment_method": payment_method,
            "payment_method_details": details}),
        );
        let mapped = to_json(&map_charge(&charge).unwrap());
        assert_eq!(mapped.get("paymentMethodRef").cloned(), expected);
        assert_eq!(mapped["paymentProvider"], json!("Stripe"));
    }
}
