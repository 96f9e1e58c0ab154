//! Events carry a typed `data.object` for every modelled resource, the deleted shape, and raw
//! JSON for any other object; `previous_attributes` and `account` are kept.

use serde_json::{json, Value};
use stripe_wire::{Charge, ChargeStatus, Deleted, Event, EventObject};

use crate::support::fixtures;

fn event_around(object: Value, event_type: &str) -> Value {
    json!({
        "id": "evt_1",
        "object": "event",
        "account": "acct_connected",
        "api_version": "2026-07-29.dahlia",
        "created": 1_760_000_000,
        "data": {"object": object, "previous_attributes": {"status": "pending", "metadata": {}}},
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": "req_1", "idempotency_key": null},
        "type": event_type
    })
}

#[track_caller]
fn check(object: Value, expected_variant: &str) -> Event {
    let input = event_around(object.clone(), "thing.happened");
    let event: Event = stripe_wire::from_str(&input.to_string()).unwrap();
    let variant = format!("{:?}", event.data.object);
    assert!(
        variant.starts_with(expected_variant),
        "expected {expected_variant}, got {variant:.60}"
    );
    assert_eq!(event.account.as_deref(), Some("acct_connected"));
    assert_eq!(event.event_type, "thing.happened");
    assert_eq!(
        event.data.previous_attributes,
        Some(json!({"status": "pending", "metadata": {}}))
    );
    assert_eq!(
        event.data.object.object_type(),
        object["object"].as_str().unwrap()
    );
    let output = serde_json::to_value(&event).unwrap();
    assert_eq!(
        output["data"]["previous_attributes"],
        input["data"]["previous_attributes"]
    );
    assert_eq!(output["account"], "acct_connected");
    // The typed object re-serializes to the same typed object.
    let again: Event = serde_json::from_value(output).unwrap();
    assert_eq!(again, event);
    event
}

#[test]
fn every_modelled_fixture_is_a_typed_event_object() {
    let Some(resources) = fixtures() else { return };
    let cases = [
        ("account", "Account"),
        ("balance", "Balance"),
        ("balance_transaction", "BalanceTransaction"),
        ("charge", "Charge"),
        ("customer", "Customer"),
        ("dispute", "Dispute"),
        ("payment_intent", "PaymentIntent"),
        ("payout", "Payout"),
        ("price", "Price"),
        ("product", "Product"),
        ("refund", "Refund"),
    ];
    for (fixture, variant) in cases {
        let event = check(resources[fixture].clone(), variant);
        assert_eq!(
            event.data.object.id(),
            resources[fixture]["id"].as_str().unwrap_or("")
        );
    }
}

#[test]
fn deleted_fixtures_are_the_deleted_shape() {
    let Some(resources) = fixtures() else { return };
    for fixture in [
        "deleted_customer",
        "deleted_product",
        "deleted_price",
        "deleted_account",
    ] {
        let event = check(resources[fixture].clone(), "Deleted");
        let output = serde_json::to_value(&event.data.object).unwrap();
        assert_eq!(
            output, resources[fixture],
            "{fixture} re-serializes unchanged"
        );
    }
}

#[test]
fn stripe_example_event_keeps_its_unknown_plan_object_as_raw_json() {
    let Some(resources) = fixtures() else { return };
    let input = &resources["event"];
    let event: Event = stripe_wire::from_str(&input.to_string()).unwrap();
    assert_eq!(event.event_type, "plan.created");
    assert_eq!(event.api_version, None);
    match &event.data.object {
        EventObject::Other(raw) => assert_eq!(raw, &input["data"]["object"]),
        other => panic!("expected raw JSON, got {other:?}"),
    }
}

#[test]
fn typed_charge_event_built_in_code() {
    let charge = Charge {
        id: "ch_42".to_owned(),
        amount: 4200,
        currency: "gbp".to_owned(),
        status: ChargeStatus::Failed,
        failure_code: Some("card_declined".to_owned()),
        ..Default::default()
    };
    let event = check(serde_json::to_value(&charge).unwrap(), "Charge");
    match event.data.object {
        EventObject::Charge(decoded) => assert_eq!(*decoded, charge),
        other => panic!("expected a charge, got {other:?}"),
    }
}

#[test]
fn deleted_customer_built_in_code() {
    let deleted = Deleted::new("customer", "cus_9");
    let event = check(serde_json::to_value(&deleted).unwrap(), "Deleted");
    assert_eq!(event.data.object, EventObject::Deleted(deleted));
    assert_eq!(event.data.object.id(), "cus_9");
}

#[test]
fn unknown_object_type_falls_back_to_raw_json() {
    let invoice = json!({"id": "in_1", "object": "invoice", "total": 1000, "lines": {"data": []}});
    let event = check(invoice.clone(), "Other");
    assert_eq!(event.data.object, EventObject::Other(invoice));
    assert_eq!(event.data.object.id(), "in_1");
}

#[test]
fn event_without_previous_attributes_or_account_omits_them() {
    let input = json!({"id": "evt_2", "object": "event", "type": "charge.succeeded", "created": 1,
        "data": {"object": {"id": "ch_1", "object": "charge"}}});
    let event: Event = stripe_wire::from_str(&input.to_string()).unwrap();
    assert_eq!(event.account, None);
    assert_eq!(event.data.previous_attributes, None);
    let output = serde_json::to_value(&event).unwrap();
    assert!(output.get("account").is_none());
    assert!(output["data"].get("previous_attributes").is_none());
}
