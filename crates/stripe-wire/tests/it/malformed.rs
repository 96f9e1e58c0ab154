//! Malformed input fails with a `WireError` naming the JSON path, never a panic.

use stripe_wire::{BalanceTransaction, Charge, ChargeStatus, Event, List, Price, WireError};

#[track_caller]
fn check_error<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str, expected_path: &str) {
    let error: WireError = stripe_wire::from_str::<T>(json).expect_err("malformed input decoded");
    assert_eq!(error.path(), expected_path, "error was: {error}");
    assert!(
        error.to_string().contains(&format!("`{expected_path}`")),
        "the message names the path: {error}"
    );
    // Same result from bytes.
    let from_bytes = stripe_wire::from_slice::<T>(json.as_bytes()).expect_err("bytes decoded");
    assert_eq!(from_bytes.path(), expected_path);
}

#[test]
fn wrong_type_at_top_level_names_the_field() {
    check_error::<Charge>(r#"{"id": "ch_1", "amount": "100"}"#, "amount");
}

#[test]
fn wrong_type_deep_in_a_list_page_names_the_index() {
    let page = r#"{"object": "list", "url": "/v1/charges", "has_more": false, "data": [
        {"id": "ch_1", "amount": 100},
        {"id": "ch_2", "amount": 100, "billing_details": {"address": {"city": 7}}}
    ]}"#;
    check_error::<List<Charge>>(page, "data[1].billing_details.address.city");
}

#[test]
fn wrong_type_inside_an_expanded_object_names_the_path() {
    let charge =
        r#"{"id": "ch_1", "customer": {"id": "cus_1", "object": "customer", "balance": "x"}}"#;
    check_error::<Charge>(charge, "customer.balance");
}

#[test]
fn expandable_that_is_neither_id_nor_object_names_the_field() {
    check_error::<Charge>(
        r#"{"id": "ch_1", "balance_transaction": 42}"#,
        "balance_transaction",
    );
}

#[test]
fn enum_field_with_a_number_names_the_field() {
    check_error::<BalanceTransaction>(r#"{"id": "txn_1", "type": 3}"#, "type");
}

#[test]
fn fee_detail_error_names_the_index() {
    let transaction = r#"{"id": "txn_1", "fee_details": [{"amount": 1}, {"amount": 1.5}]}"#;
    check_error::<BalanceTransaction>(transaction, "fee_details[1].amount");
}

#[test]
fn amount_out_of_i64_range_is_an_error() {
    check_error::<Price>(
        r#"{"id": "price_1", "unit_amount": 99999999999999999999}"#,
        "unit_amount",
    );
}

#[test]
fn event_object_error_names_the_path_inside_the_object() {
    let event = r#"{"id": "evt_1", "type": "charge.succeeded",
        "data": {"object": {"object": "charge", "id": "ch_1", "captured": "yes"}}}"#;
    let error = stripe_wire::from_str::<Event>(event).unwrap_err();
    assert_eq!(error.path(), "data.object");
    assert!(error.to_string().contains("`captured`"), "{error}");
}

#[test]
fn not_json_fails_at_the_document() {
    check_error::<Charge>("<html><body>502 Bad Gateway</body></html>", ".");
    check_error::<Charge>("", ".");
    check_error::<Charge>("null", ".");
    check_error::<Charge>(r#""ch_1""#, ".");
}

#[test]
fn array_for_an_object_is_accepted_positionally() {
    // FIXME: serde's derived struct visitor accepts a JSON array as the fields in order, and
    // `#[serde(default)]` fills the rest, so `["ch_1"]` decodes as a charge with id `ch_1`.
    // Stripe never sends arrays for objects; rejecting them needs hand-written visitors.
    let charge: Charge = stripe_wire::from_str(r#"["ch_1"]"#).unwrap();
    assert_eq!(charge.id, "ch_1");
}

#[test]
fn trailing_garbage_is_an_error() {
    check_error::<Charge>(r#"{"id": "ch_1"} {"id": "ch_2"}"#, ".");
}

#[test]
fn every_truncation_of_a_list_page_is_an_error_not_a_panic() {
    let charge = Charge {
        id: "ch_1".to_owned(),
        amount: 1234,
        currency: "eur".to_owned(),
        status: ChargeStatus::Succeeded,
        customer: Some("cus_1".into()),
        ..Default::default()
    };
    let page = serde_json::to_string(&List::new(
        vec![charge.clone(), charge],
        true,
        "/v1/charges",
    ))
    .unwrap();
    let decoded: List<Charge> = stripe_wire::from_str(&page).unwrap();
    assert_eq!(decoded.data.len(), 2);
    for end in 0..page.len() {
        let truncated = &page[..end];
        assert!(
            stripe_wire::from_str::<List<Charge>>(truncated).is_err(),
            "a page cut at byte {end} decoded"
        );
    }
}
