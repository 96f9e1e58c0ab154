//! Mutated copies of Stripe's examples still decode: unknown enum values, extra unknown fields,
//! `null` in every nullable field, and any field removed.

use serde_json::Value;

use crate::support::{fixtures, get, get_mut, leaves, members, remove, Path, Step, RESOURCES};

/// Members Stripe documents as never null, which the types therefore model without `Option`:
/// `(type, path)`. `null` there is an error naming the path; every other member accepts null.
/// Paths inside arrays use the fixture's index.
const NOT_NULLABLE: &[(&str, &str)] = &[
    ("Account", "capabilities.card_payments"),
    ("Account", "capabilities.transfers"),
    ("Account", "charges_enabled"),
    ("Account", "deleted"),
    ("Account", "details_submitted"),
    ("Account", "id"),
    ("Account", "metadata"),
    ("Account", "payouts_enabled"),
    ("Account", "settings.payouts.debit_negative_balances"),
    ("Balance", "available"),
    ("Balance", "available[0].amount"),
    ("Balance", "available[0].currency"),
    ("Balance", "available[0].source_types.card"),
    ("Balance", "connect_reserved[0].amount"),
    ("Balance", "connect_reserved[0].currency"),
    ("Balance", "livemode"),
    ("Balance", "pending"),
    ("Balance", "pending[0].amount"),
    ("Balance", "pending[0].currency"),
    ("Balance", "pending[0].source_types.card"),
    ("BalanceTransaction", "amount"),
    ("BalanceTransaction", "available_on"),
    ("BalanceTransaction", "created"),
    ("BalanceTransaction", "currency"),
    ("BalanceTransaction", "fee"),
    ("BalanceTransaction", "fee_details"),
    ("BalanceTransaction", "id"),
    ("BalanceTransaction", "net"),
    ("BalanceTransaction", "reporting_category"),
    ("BalanceTransaction", "status"),
    ("BalanceTransaction", "type"),
    ("Charge", "amount"),
    ("Charge", "amount_captured"),
    ("Charge", "amount_refunded"),
    ("Charge", "captured"),
    ("Charge", "created"),
    ("Charge", "currency"),
    ("Charge", "disputed"),
    ("Charge", "id"),
    ("Charge", "livemode"),
    ("Charge", "metadata"),
    ("Charge", "paid"),
    ("Charge", "payment_method_details.type"),
    ("Charge", "refunded"),
    ("Charge", "refunds.data"),
    ("Charge", "refunds.has_more"),
    ("Charge", "refunds.object"),
    ("Charge", "refunds.url"),
    ("Charge", "status"),
    ("Charge", "transfer_data.destination"),
    ("Charge", "transfer_data.destination.id"),
    ("Customer", "balance"),
    ("Customer", "created"),
    ("Customer", "deleted"),
    ("Customer", "id"),
    ("Customer", "livemode"),
    ("Customer", "metadata"),
    ("Deleted", "deleted"),
    ("Deleted", "id"),
    ("Deleted", "object"),
    ("Dispute", "amount"),
    ("Dispute", "balance_transactions"),
    ("Dispute", "charge"),
    ("Dispute", "created"),
    ("Dispute", "currency"),
    ("Dispute", "enhanced_eligibility_types"),
    ("Dispute", "evidence_details.has_evidence"),
    ("Dispute", "evidence_details.past_due"),
    ("Dispute", "evidence_details.submission_count"),
    ("Dispute", "id"),
    ("Dispute", "is_charge_refundable"),
    ("Dispute", "livemode"),
    ("Dispute", "metadata"),
    ("Dispute", "payment_method_details.type"),
    ("Dispute", "reason"),
    ("Dispute", "status"),
    ("Event", "created"),
    ("Event", "data"),
    ("Event", "id"),
    ("Event", "livemode"),
    ("Event", "pending_webhooks"),
    ("Event", "type"),
    ("PaymentIntent", "amount"),
    ("PaymentIntent", "amount_capturable"),
    ("PaymentIntent", "amount_received"),
    ("PaymentIntent", "created"),
    ("PaymentIntent", "currency"),
    ("PaymentIntent", "id"),
    ("PaymentIntent", "last_payment_error.type"),
    ("PaymentIntent", "livemode"),
    ("PaymentIntent", "metadata"),
    ("PaymentIntent", "payment_method_types"),
    ("PaymentIntent", "status"),
    ("PaymentIntent", "transfer_data.destination"),
    ("PaymentIntent", "transfer_data.destination.id"),
    ("Payout", "amount"),
    ("Payout", "arrival_date"),
    ("Payout", "automatic"),
    ("Payout", "created"),
    ("Payout", "currency"),
    ("Payout", "id"),
    ("Payout", "livemode"),
    ("Payout", "method"),
    ("Payout", "status"),
    ("Payout", "trace_id.status"),
    ("Payout", "type"),
    ("Price", "active"),
    ("Price", "billing_scheme"),
    ("Price", "created"),
    ("Price", "currency"),
    ("Price", "deleted"),
    ("Price", "id"),
    ("Price", "livemode"),
    ("Price", "metadata"),
    ("Price", "product"),
    ("Price", "recurring.interval"),
    ("Price", "recurring.interval_count"),
    ("Price", "recurring.usage_type"),
    ("Price", "transform_quantity.divide_by"),
    ("Price", "transform_quantity.round"),
    ("Price", "type"),
    ("Product", "active"),
    ("Product", "created"),
    ("Product", "deleted"),
    ("Product", "id"),
    ("Product", "images"),
    ("Product", "livemode"),
    ("Product", "marketing_features"),
    ("Product", "metadata"),
    ("Product", "name"),
    ("Product", "package_dimensions.height"),
    ("Product", "package_dimensions.length"),
    ("Product", "package_dimensions.weight"),
    ("Product", "package_dimensions.width"),
    ("Product", "updated"),
    ("Refund", "amount"),
    ("Refund", "created"),
    ("Refund", "currency"),
    ("Refund", "destination_details.type"),
    ("Refund", "id"),
];

/// Members whose absence is an error naming the enclosing object: `(type, path)`.
/// A list page without `data` or `has_more` must not be mistaken for a complete page, and the
/// deleted shape is exactly `{id, object, deleted}`. Every other member may be left out.
const REQUIRED: &[(&str, &str)] = &[
    ("Charge", "refunds.data"),
    ("Charge", "refunds.has_more"),
    ("Deleted", "deleted"),
    ("Deleted", "id"),
    ("Deleted", "object"),
];

/// Members that are maps of data (their keys are values, not field names), where an extra
/// "unknown field" would be an extra entry of the wrong type rather than a new field.
const DATA_MAPS: &[&str] = &["capabilities", "source_types", "metadata"];

fn listed(list: &[(&str, &str)], type_name: &str, path: &Path) -> bool {
    let shown = path.to_string();
    list.iter()
        .any(|(listed_type, listed_path)| *listed_type == type_name && *listed_path == shown)
}

fn last_key(path: &Path) -> &str {
    match path.0.last() {
        Some(Step::Key(key)) => key,
        _ => "",
    }
}

#[test]
fn unknown_value_in_every_string_field_parses_and_round_trips() {
    let Some(resources) = fixtures() else { return };
    let unknown = Value::String("zz_value_added_by_stripe_next_month".to_owned());
    let mut problems = Vec::new();
    for (resource, _, roundtrip) in RESOURCES {
        let input = &resources[*resource];
        let baseline = roundtrip(&input.to_string()).unwrap();
        for (path, leaf) in leaves(input) {
            // Only strings the type models (they survive the baseline round trip).
            // The `object` member is each type's constant tag, not an enum.
            if !leaf.is_string()
                || last_key(&path) == "object"
                || get(&baseline, &path) != Some(&leaf)
            {
                continue;
            }
            let mut mutated = input.clone();
            *get_mut(&mut mutated, &path).unwrap() = unknown.clone();
            match roundtrip(&mutated.to_string()) {
                Ok(output) if get(&output, &path) == Some(&unknown) => {}
                Ok(output) => problems.push(format!(
                    "{resource}.{path}: unknown value came back as {:?}",
                    get(&output, &path)
                )),
                Err(error) => problems.push(format!("{resource}.{path}: {error}")),
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn extra_unknown_fields_everywhere_are_ignored() {
    let Some(resources) = fixtures() else { return };
    for (resource, _, roundtrip) in RESOURCES {
        let input = &resources[*resource];
        let mut mutated = input.clone();
        add_unknown_fields(&mut mutated);
        let expected = roundtrip(&input.to_string()).unwrap();
        let actual = roundtrip(&mutated.to_string())
            .unwrap_or_else(|error| panic!("{resource} with extra fields: {error}"));
        // Raw-JSON parts (e.g. an event's unknown object) keep the extra fields; drop them.
        let mut actual = actual;
        drop_unknown_fields(&mut actual);
        assert_eq!(
            actual, expected,
            "{resource}: extra fields changed the decoded value"
        );
    }
}

const EXTRA_FIELD: &str = "zz_field_added_by_stripe_next_month";

fn add_unknown_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, member) in map.iter_mut() {
                if !DATA_MAPS.contains(&key.as_str()) {
                    add_unknown_fields(member);
                }
            }
            let extra = serde_json::json!({"nested": [1, "two", {"three": null}], "flag": true});
            map.insert(EXTRA_FIELD.to_owned(), extra);
        }
        Value::Array(items) => items.iter_mut().for_each(add_unknown_fields),
        _ => {}
    }
}

fn drop_unknown_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove(EXTRA_FIELD);
            map.values_mut().for_each(drop_unknown_fields);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_unknown_fields),
        _ => {}
    }
}

#[test]
fn null_in_every_nullable_field_parses_and_fails_with_path_elsewhere() {
    let Some(resources) = fixtures() else { return };
    let mut problems = Vec::new();
    for (resource, type_name, roundtrip) in RESOURCES {
        let input = &resources[*resource];
        for (path, member) in members(input) {
            if member.is_null() {
                continue;
            }
            let mut mutated = input.clone();
            *get_mut(&mut mutated, &path).unwrap() = Value::Null;
            let result = roundtrip(&mutated.to_string());
            match (result, listed(NOT_NULLABLE, type_name, &path)) {
                (Ok(_), false) => {}
                (Err(error), true) if error.path() == path.to_string() => {}
                (Err(error), true) => problems.push(format!(
                    "{resource}.{path}: error names `{}` instead",
                    error.path()
                )),
                (Ok(_), true) => problems.push(format!(
                    "{resource}.{path}: listed as not nullable but accepts null"
                )),
                (Err(error), false) => {
                    problems.push(format!("    (\"{type_name}\", \"{path}\"), // {error}"))
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_field_can_be_removed() {
    let Some(resources) = fixtures() else { return };
    let mut problems = Vec::new();
    for (resource, type_name, roundtrip) in RESOURCES {
        let input = &resources[*resource];
        for (path, _) in members(input) {
            let mut mutated = input.clone();
            remove(&mut mutated, &path);
            let result = roundtrip(&mutated.to_string());
            let parent = Path(path.0[..path.0.len() - 1].to_vec()).to_string();
            let parent = if parent.is_empty() {
                ".".to_owned()
            } else {
                parent
            };
            match (result, listed(REQUIRED, type_name, &path)) {
                (Ok(_), false) => {}
                (Err(error), true) if error.path() == parent => {}
                (Err(error), _) => problems.push(format!("{resource} without {path}: {error}")),
                (Ok(_), true) => problems.push(format!("{resource}: {path} is listed as required")),
            }
        }
        // And everything at once but the id.
        let mut bare = serde_json::Map::new();
        if let Some(id) = input.get("id") {
            bare.insert("id".to_owned(), id.clone());
        }
        let has_required = REQUIRED.iter().any(|(listed_type, listed_path)| {
            listed_type == type_name && !listed_path.contains(['.', '['])
        });
        match roundtrip(&Value::Object(bare).to_string()) {
            Ok(_) if has_required => problems.push(format!("{type_name} parsed from an id only")),
            Err(error) if !has_required => {
                problems.push(format!("{resource} with only an id: {error}"))
            }
            _ => {}
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
