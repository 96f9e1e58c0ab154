//! Every example object in Stripe's `fixtures3.json` that this crate models decodes, and
//! re-serializing keeps every field the type models (diffed leaf by leaf, by JSON path).

use crate::support::{fixtures, lost_leaves, RESOURCES};

/// Fields the types deliberately do not model: `(fixture, path prefix, why)`.
/// A new Stripe field either round-trips or is added here after review.
const NOT_MODELLED: &[(&str, &str, &str)] = &[
    (
        "account",
        "external_accounts",
        "bank accounts and cards of the account: not read",
    ),
    (
        "account",
        "requirements.alternatives",
        "verification alternatives: onboarding detail",
    ),
    (
        "account",
        "requirements.errors",
        "verification errors: onboarding detail",
    ),
    (
        "account",
        "future_requirements.alternatives",
        "verification alternatives",
    ),
    (
        "account",
        "future_requirements.errors",
        "verification errors",
    ),
    (
        "account",
        "settings.bacs_debit_payments",
        "payment-method settings: not read",
    ),
    (
        "account",
        "settings.card_issuing",
        "issuing settings: not read",
    ),
    (
        "account",
        "settings.card_payments",
        "card-payment settings: not read",
    ),
    ("account", "settings.invoices", "invoice settings: not read"),
    (
        "account",
        "settings.sepa_debit_payments",
        "payment-method settings: not read",
    ),
    (
        "account",
        "settings.payments.statement_descriptor_kana",
        "Japanese descriptor variants",
    ),
    (
        "account",
        "settings.payments.statement_descriptor_kanji",
        "Japanese descriptor variants",
    ),
    (
        "account",
        "settings.payments.statement_descriptor_prefix_kana",
        "Japanese variants",
    ),
    (
        "account",
        "settings.payments.statement_descriptor_prefix_kanji",
        "Japanese variants",
    ),
    (
        "account",
        "tos_acceptance",
        "terms-of-service acceptance (IP, user agent): personal data",
    ),
    (
        "customer",
        "discount",
        "billing discounts: subscriptions are out of scope",
    ),
    (
        "customer",
        "invoice_settings",
        "invoicing defaults: out of scope",
    ),
    ("charge", "source", "deprecated Sources API object"),
    (
        "charge",
        "payment_method_details.card.amount_authorized",
        "card authorization detail",
    ),
    (
        "charge",
        "payment_method_details.card.authorization_code",
        "card authorization detail",
    ),
    (
        "charge",
        "payment_method_details.card.checks",
        "AVS/CVC check results",
    ),
    (
        "charge",
        "payment_method_details.card.extended_authorization",
        "card feature flag",
    ),
    (
        "charge",
        "payment_method_details.card.incremental_authorization",
        "card feature flag",
    ),
    (
        "charge",
        "payment_method_details.card.installments",
        "installment plan",
    ),
    (
        "charge",
        "payment_method_details.card.mandate",
        "mandate id",
    ),
    (
        "charge",
        "payment_method_details.card.multicapture",
        "card feature flag",
    ),
    (
        "charge",
        "payment_method_details.card.network_token",
        "card feature flag",
    ),
    (
        "charge",
        "payment_method_details.card.network_transaction_id",
        "network detail",
    ),
    (
        "charge",
        "payment_method_details.card.overcapture",
        "card feature flag",
    ),
    (
        "charge",
        "payment_method_details.card.regulated_status",
        "issuer regulation detail",
    ),
    (
        "charge",
        "payment_method_details.card.three_d_secure",
        "3-D Secure result",
    ),
    (
        "charge",
        "payment_method_details.card.transaction_link_id",
        "network detail",
    ),
    (
        "charge",
        "payment_method_details.card.wallet",
        "wallet detail",
    ),
    ("payment_intent", "amount_details", "tip details"),
    (
        "payment_intent",
        "automatic_payment_methods",
        "checkout configuration",
    ),
    (
        "payment_intent",
        "client_secret",
        "a secret for browsers: never carried (see module docs)",
    ),
    (
        "payment_intent",
        "excluded_payment_method_types",
        "checkout configuration",
    ),
    (
        "payment_intent",
        "managed_payments",
        "checkout configuration",
    ),
    (
        "payment_intent",
        "next_action",
        "client-side action to take: not read",
    ),
    (
        "payment_intent",
        "payment_method_configuration_details",
        "checkout configuration",
    ),
    (
        "payment_intent",
        "payment_method_options",
        "per-method options",
    ),
    (
        "payment_intent",
        "processing",
        "in-flight processing detail",
    ),
    (
        "payment_intent",
        "source",
        "deprecated Sources API reference",
    ),
    (
        "refund",
        "destination_details.card",
        "per-method refund detail (type is modelled)",
    ),
    (
        "dispute",
        "evidence.enhanced_evidence",
        "card-network programme evidence",
    ),
    (
        "dispute",
        "evidence_details.enhanced_eligibility",
        "card-network programme state",
    ),
    (
        "dispute",
        "payment_method_details.card",
        "per-method dispute detail (type is modelled)",
    ),
];

#[test]
fn every_fixture_round_trips_every_modelled_field() {
    let Some(resources) = fixtures() else { return };
    let mut problems = Vec::new();
    let mut omissions_used = vec![false; NOT_MODELLED.len()];
    for (resource, _, roundtrip) in RESOURCES {
        let input = &resources[*resource];
        let output = match roundtrip(&input.to_string()) {
            Ok(output) => output,
            Err(error) => {
                problems.push(format!("{resource}: does not decode: {error}"));
                continue;
            }
        };
        for (path, shown) in lost_leaves(input, &output) {
            let listed = NOT_MODELLED
                .iter()
                .position(|(listed, prefix, _)| listed == resource && path.starts_with(prefix));
            match listed {
                Some(listed) => omissions_used[listed] = true,
                None => problems.push(format!("{resource}: lost {path}: {shown}")),
            }
        }
        assert_eq!(
            output["object"], input["object"],
            "{resource}: the object member is written back"
        );
    }
    for (listed, used) in NOT_MODELLED.iter().zip(omissions_used) {
        if !used {
            problems.push(format!(
                "stale NOT_MODELLED entry (it round-trips now): {listed:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn reserialized_fixture_decodes_to_the_same_value() {
    let Some(resources) = fixtures() else { return };
    for (resource, _, roundtrip) in RESOURCES {
        let once = roundtrip(&resources[*resource].to_string()).unwrap();
        let twice = roundtrip(&once.to_string()).unwrap();
        assert_eq!(once, twice, "{resource}: serialization is a fixed point");
    }
}
