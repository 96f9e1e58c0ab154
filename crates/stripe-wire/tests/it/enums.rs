//! String enums: known values map to variants, unknown values are kept and written back as sent
//! (these run without `../shared`).

use serde_json::json;
use stripe_wire::{BalanceTransaction, BalanceTransactionType, Charge, ChargeStatus, FeeType};

#[test]
fn known_and_unknown_values() {
    let charge: Charge =
        serde_json::from_value(json!({"id": "ch_1", "status": "succeeded"})).unwrap();
    assert_eq!(charge.status, ChargeStatus::Succeeded);

    let charge: Charge =
        serde_json::from_value(json!({"id": "ch_1", "status": "on_hold"})).unwrap();
    assert_eq!(charge.status, ChargeStatus::Unknown("on_hold".to_owned()));
    assert_eq!(serde_json::to_value(&charge).unwrap()["status"], "on_hold");
}

#[test]
fn unknown_values_in_nested_arrays_round_trip() {
    let input = json!({"id": "txn_1", "type": "crypto_settlement",
        "fee_details": [{"amount": 5, "currency": "usd", "type": "carbon_levy"},
                        {"amount": 7, "currency": "usd", "type": "stripe_fee"}]});
    let transaction: BalanceTransaction = serde_json::from_value(input.clone()).unwrap();
    assert_eq!(
        transaction.transaction_type,
        BalanceTransactionType::Unknown("crypto_settlement".to_owned())
    );
    assert_eq!(transaction.fee_details[1].fee_type, FeeType::StripeFee);
    let output = serde_json::to_value(&transaction).unwrap();
    assert_eq!(output["type"], input["type"]);
    assert_eq!(output["fee_details"][0]["type"], "carbon_levy");
}

#[test]
fn as_str_display_and_from_agree() {
    for value in ["charge", "payout", "stripe_fx_fee", "something_new"] {
        let parsed = BalanceTransactionType::from(value);
        assert_eq!(parsed.as_str(), value);
        assert_eq!(parsed.to_string(), value);
    }
    assert_eq!(
        BalanceTransactionType::from("payout"),
        BalanceTransactionType::Payout
    );
}
