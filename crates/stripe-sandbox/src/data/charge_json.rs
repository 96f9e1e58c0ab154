//! Writes a generated charge as JSON straight from its [`ChargeFacts`], without building a
//! `stripe_wire::Charge` or allocating: the hot path of `GET /v1/charges`.
//!
//! The bytes are exactly what `serde_json` makes of [`Merchant::charge`] (the `stripe-wire`
//! type stays the definition of the shape; the tests below compare the two for every kind of
//! charge and every settlement currency). Depends on `data` only.

use super::balance_transactions::BT_CHARGE;
use super::customers::AddressFacts;
use super::{Merchant, Resource, BT_PER_CHARGE};
use crate::ids::write_token;

/// Appends a string known to need no JSON escaping (our generated ASCII text), quoted.
fn quoted(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

fn number(out: &mut Vec<u8>, value: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn boolean(out: &mut Vec<u8>, value: bool) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

fn lowercase(out: &mut Vec<u8>, text: &str) {
    let start = out.len();
    out.extend_from_slice(text.as_bytes());
    if let Some(written) = out.get_mut(start..) {
        written.make_ascii_lowercase();
    }
}

impl Merchant {
    fn write_id(&self, out: &mut Vec<u8>, resource: Resource, index: u64) {
        out.push(b'"');
        self.id_space(resource).write_generated(out, index);
        out.push(b'"');
    }

    fn write_email(out: &mut Vec<u8>, first: &str, last: &str, holder: u64) {
        out.push(b'"');
        lowercase(out, first);
        out.push(b'.');
        lowercase(out, last);
        number(out, holder);
        out.extend_from_slice(b"@example.com\"");
    }

    fn write_address(out: &mut Vec<u8>, roll: u64) {
        let address = AddressFacts::new(roll);
        out.extend_from_slice(b"{\"city\":");
        quoted(out, address.city);
        out.extend_from_slice(b",\"country\":");
        quoted(out, address.country);
        out.extend_from_slice(b",\"line1\":\"");
        number(out, address.street_number);
        out.extend_from_slice(b" Market Street\",\"line2\":");
        match address.suite {
            Some(suite) => {
                out.extend_from_slice(b"\"Suite ");
                number(out, suite);
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"postal_code\":");
        quoted(out, address.postal_code);
        out.extend_from_slice(b",\"state\":");
        out.extend_from_slice(if address.country == "US" {
            b"\"CA\"}"
        } else {
            b"null}"
        });
    }

    /// Appends generated charge `index` as JSON; `false` (nothing written) when that slot
    /// holds no charge.
    pub(crate) fn write_charge_json(&self, out: &mut Vec<u8>, index: u64) -> bool {
        let Some(facts) = self.charge_facts(index) else {
            return false;
        };
        let failed = facts.status == stripe_wire::ChargeStatus::Failed;
        let settled = facts.captured && facts.paid;
        out.extend_from_slice(b"{\"object\":\"charge\",\"id\":");
        let id_start = out.len() + 1;
        self.write_id(out, Resource::Charges, index);
        let id = id_start..out.len() - 1;
        out.extend_from_slice(b",\"amount\":");
        number(out, facts.amount);
        out.extend_from_slice(b",\"amount_captured\":");
        number(out, if settled { facts.amount } else { 0 });
        out.extend_from_slice(b",\"amount_refunded\":");
        number(out, facts.amount_refunded);
        out.extend_from_slice(
            b",\"application\":null,\"application_fee\":null,\"application_fee_amount\":null,\"authorization_code\":",
        );
        if facts.paid {
            let code = facts.roll % 1_000_000;
            out.push(b'"');
            // `{:06}`: left-pad with zeros.
            let mut buffer = itoa::Buffer::new();
            let digits = buffer.format(code);
            out.extend(std::iter::repeat_n(
                b'0',
                6usize.saturating_sub(digits.len()),
            ));
            out.extend_from_slice(digits.as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(b"null");
        }
        out.extend_from_slice(b",\"balance_transaction\":");
        if settled {
            self.write_id(
                out,
                Resource::BalanceTransactions,
                index * BT_PER_CHARGE + BT_CHARGE,
            );
        } else {
            out.extend_from_slice(b"null");
        }
        out.extend_from_slice(b",\"billing_details\":{\"address\":");
        match facts.address_roll {
            Some(roll) => Self::write_address(out, roll),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"email\":");
        let email_start = out.len();
        Self::write_email(out, facts.first, facts.last, facts.holder);
        let email = email_start..out.len();
        out.extend_from_slice(b",\"name\":\"");
        out.extend_from_slice(facts.first.as_bytes());
        out.push(b' ');
        out.extend_from_slice(facts.last.as_bytes());
        out.extend_from_slice(
            b"\",\"phone\":null,\"tax_id\":null},\"calculated_statement_descriptor\":",
        );
        out.extend_from_slice(&self.statement_descriptor_json);
        out.extend_from_slice(b",\"captured\":");
        boolean(out, facts.captured);
        out.extend_from_slice(b",\"created\":");
        number(out, facts.created);
        out.extend_from_slice(b",\"currency\":");
        quoted(out, facts.currency);
        out.extend_from_slice(b",\"customer\":");
        match facts.customer {
            Some(customer) => self.write_id(out, Resource::Customers, customer),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"description\":\"Order #");
        number(out, 100_000 + index);
        out.extend_from_slice(b"\",\"disputed\":");
        boolean(out, facts.disputed);
        out.extend_from_slice(b",\"failure_balance_transaction\":null,\"failure_code\":");
        out.extend_from_slice(if failed {
            b"\"card_declined\",\"failure_message\":\"Your card was declined.\""
        } else {
            b"null,\"failure_message\":null"
        });
        out.extend_from_slice(b",\"fraud_details\":{},\"livemode\":");
        boolean(out, self.livemode());
        out.extend_from_slice(b",\"metadata\":{},\"on_behalf_of\":null,\"outcome\":{\"advice_code\":null,\"network_advice_code\":null,\"network_decline_code\":null,");
        if failed {
            out.extend_from_slice(b"\"network_status\":\"declined_by_network\",\"reason\":\"generic_decline\",\"risk_level\":\"normal\",\"seller_message\":");
            quoted(out, super::charges::CHARGE_DECLINE_MESSAGE);
            out.extend_from_slice(b",\"type\":\"issuer_declined\"}");
        } else {
            out.extend_from_slice(b"\"network_status\":\"approved_by_network\",\"reason\":null,\"risk_level\":\"normal\",\"risk_score\":");
            number(out, facts.roll % 60);
            out.extend_from_slice(
                b",\"seller_message\":\"Payment complete.\",\"type\":\"authorized\"}",
            );
        }
        out.extend_from_slice(b",\"paid\":");
        boolean(out, facts.paid);
        out.extend_from_slice(b",\"payment_intent\":");
        self.write_id(out, Resource::PaymentIntents, index);
        out.extend_from_slice(b",\"payment_method\":\"pm_");
        write_token(out, facts.payment_method_seed, 24);
        out.extend_from_slice(b"\",\"payment_method_details\":{");
        if let Some(card) = facts.card_details() {
            out.extend_from_slice(b"\"card\":{\"brand\":");
            quoted(out, card.brand);
            out.extend_from_slice(b",\"country\":");
            quoted(out, card.country);
            out.extend_from_slice(b",\"exp_month\":");
            number(out, card.exp_month);
            out.extend_from_slice(b",\"exp_year\":");
            number(out, card.exp_year);
            out.extend_from_slice(b",\"fingerprint\":null,\"funding\":\"credit\",\"last4\":");
            quoted(out, card.last4);
            out.extend_from_slice(b",\"network\":\"visa\"},");
        }
        out.extend_from_slice(b"\"type\":");
        quoted(out, facts.method_type());
        out.extend_from_slice(b"},\"receipt_email\":");
        out.extend_from_within(email);
        out.extend_from_slice(b",\"receipt_number\":null,\"receipt_url\":");
        if facts.paid {
            out.extend_from_slice(b"\"https://pay.stripe.sandbox/receipts/");
            out.extend_from_within(id);
            out.push(b'"');
        } else {
            out.extend_from_slice(b"null");
        }
        out.extend_from_slice(b",\"refunded\":");
        boolean(out, facts.refunded);
        out.extend_from_slice(b",\"review\":null,\"shipping\":null,\"source_transfer\":null,\"statement_descriptor\":null,\"statement_descriptor_suffix\":null,\"status\":");
        quoted(out, facts.status.as_str());
        out.extend_from_slice(b",\"transfer_data\":null,\"transfer_group\":null}");
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::data::{Merchant, Resource};
    use crate::mode::Mode;

    #[test]
    fn the_writer_matches_serde_for_every_kind_of_charge() {
        // Accounts 0..5 cover every settlement currency; both modes; 3,000 slots cover every
        // fate (failed, pending, uncaptured, released, refunded, disputed), guests and
        // customers with and without addresses.
        for mode in [Mode::Test, Mode::Live] {
            for account in 0..5 {
                let merchant = Merchant::new(11, account, mode, 3_000, 1_800_000_000, None);
                let mut written = 0;
                for index in 0..merchant.len(Resource::Charges) + 2 {
                    let mut out = b"[".to_vec();
                    let wrote = merchant.write_charge_json(&mut out, index);
                    let typed = merchant.charge(index);
                    assert_eq!(wrote, typed.is_some(), "account {account} slot {index}");
                    if let Some(charge) = typed {
                        let expected = serde_json::to_vec(&charge).unwrap();
                        assert_eq!(
                            String::from_utf8_lossy(&out[1..]),
                            String::from_utf8_lossy(&expected),
                            "account {account} slot {index}"
                        );
                        written += 1;
                    } else {
                        assert_eq!(out, b"[");
                    }
                }
                assert!(written > 2_500, "{written}");
            }
        }
    }
}
