//! Turning Stripe objects (list items or event objects) into records, deletions and per-record
//! issues with the mapping functions, for pulls and webhooks alike.

use commerce_model::platform::{Record, RecordIssue};
use commerce_model::{CommerceRecord, Timestamp, COMPANY_INFO_RECORD_ID};
use serde::de::DeserializeOwned;
use serde_json::Value;
use stripe_wire as stripe;
use stripe_wire::{EventObject, HasId};

use crate::{
    map_account, map_balance_transaction, map_charge, map_customer, map_dispute,
    map_payment_intent, map_product, map_refund, Mapped,
};

/// What a page (or an event) changes: records to upsert, ids to delete, objects that failed.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    pub(crate) records: Vec<Record>,
    pub(crate) deleted_ids: Vec<String>,
    pub(crate) issues: Vec<RecordIssue>,
}

/// How a payment intent that has a charge is treated: left out (full pulls, where the charge is
/// listed too) or deleted (changes, where the intent may have been stored while it had none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChargedIntent {
    Skip,
    Delete,
}

impl Changes {
    pub(crate) fn issue(&mut self, id: &str, message: impl Into<String>) {
        self.issues.push(RecordIssue {
            id: (!id.is_empty()).then(|| id.to_owned()),
            message: message.into(),
        });
    }

    fn push<T: CommerceRecord>(&mut self, id: &str, value: &T) {
        match Record::new(value) {
            Ok(record) => self.records.push(record),
            Err(error) => self.issue(id, error.to_string()),
        }
    }

    /// Maps one typed object. `modified` is the `created` of the event it came with, stamped as
    /// `sourceModifiedDate` where the record has no better one.
    ///
    /// Products, prices, accounts and balances need other objects and are not handled here
    /// (they give an issue); objects of other kinds (payouts, raw JSON) are ignored.
    pub(crate) fn apply(
        &mut self,
        object: &EventObject,
        modified: Option<i64>,
        charged_intent: ChargedIntent,
    ) {
        let stamp = modified.and_then(Timestamp::from_unix_seconds);
        let id = object.id();
        match object {
            EventObject::Customer(customer) => match map_customer(customer) {
                Ok(Mapped::Record(mut record)) => {
                    record.source_modified_date = record.source_modified_date.or(stamp);
                    self.push(id, &record);
                }
                Ok(Mapped::Deleted(deletion)) => self.deleted_ids.push(deletion.id),
                Err(error) => self.issue(id, error.to_string()),
            },
            EventObject::Dispute(dispute) => match map_dispute(dispute) {
                Ok(mut record) => {
                    record.source_modified_date = record.source_modified_date.or(stamp);
                    self.push(id, &record);
                }
                Err(error) => self.issue(id, error.to_string()),
            },
            EventObject::Charge(charge) => self.payment(id, map_charge(charge), stamp),
            EventObject::Refund(refund) => self.payment(id, map_refund(refund), stamp),
            EventObject::PaymentIntent(intent) => match map_payment_intent(intent) {
                Ok(Some(mut record)) => {
                    record.source_modified_date = record.source_modified_date.or(stamp);
                    self.push(id, &record);
                }
                Ok(None) => {
                    if charged_intent == ChargedIntent::Delete {
                        self.deleted_ids.push(id.to_owned());
                    }
                }
                Err(error) => self.issue(id, error.to_string()),
            },
            EventObject::BalanceTransaction(txn) => match map_balance_transaction(txn) {
                Ok(rows) => {
                    for row in &rows {
                        self.push(id, row);
                    }
                }
                Err(error) => self.issue(id, error.to_string()),
            },
            EventObject::Deleted(deleted) => self.deleted_ids.push(deleted.id.clone()),
            EventObject::Product(_)
            | EventObject::Price(_)
            | EventObject::Account(_)
            | EventObject::Balance(_) => self.issue(
                id,
                format!("{} objects are mapped with others", object.object_type()),
            ),
            _ => {}
        }
    }

    /// Applies an event's object: `*.deleted` events delete the object's record whatever shape
    /// the object has (Stripe sends the last version of a deleted customer or product); other
    /// events map the object with the event's `created` as `sourceModifiedDate`.
    pub(crate) fn apply_event(&mut self, event: &stripe::Event, charged_intent: ChargedIntent) {
        let object = &event.data.object;
        if event.event_type.ends_with(".deleted") && !object.id().is_empty() {
            self.deleted_ids.push(object.id().to_owned());
            return;
        }
        self.apply(object, Some(event.created), charged_intent);
    }

    fn payment(
        &mut self,
        id: &str,
        mapped: Result<commerce_model::Payment, crate::MapError>,
        stamp: Option<Timestamp>,
    ) {
        match mapped {
            Ok(mut record) => {
                record.source_modified_date = record.source_modified_date.or(stamp);
                self.push(id, &record);
            }
            Err(error) => self.issue(id, error.to_string()),
        }
    }

    /// Maps a product with all its prices.
    pub(crate) fn product(
        &mut self,
        product: &stripe::Product,
        prices: &[stripe::Price],
        modified: Option<i64>,
    ) {
        match map_product(product, prices) {
            Ok(Mapped::Record(mut record)) => {
                record.source_modified_date = record
                    .source_modified_date
                    .or(modified.and_then(Timestamp::from_unix_seconds));
                self.push(&product.id, &record);
            }
            Ok(Mapped::Deleted(deletion)) => self.deleted_ids.push(deletion.id),
            Err(error) => self.issue(&product.id, error.to_string()),
        }
    }

    /// Maps the account and its balance into the connection's company info.
    pub(crate) fn company_info(&mut self, account: &stripe::Account, balance: &stripe::Balance) {
        match map_account(account, Some(balance)) {
            Ok(Mapped::Record(record)) => self.push(&account.id, &record),
            Ok(Mapped::Deleted(_)) => self.deleted_ids.push(COMPANY_INFO_RECORD_ID.to_owned()),
            Err(error) => self.issue(&account.id, error.to_string()),
        }
    }

    /// Adds another set of changes after these.
    pub(crate) fn extend(&mut self, other: Changes) {
        self.records.extend(other.records);
        self.deleted_ids.extend(other.deleted_ids);
        self.issues.extend(other.issues);
    }
}

/// Decodes a raw list item as `T`; on failure, the issue names the object, its id and the JSON
/// path at fault.
pub(crate) fn decode<T: DeserializeOwned>(object: &str, value: Value) -> Result<T, RecordIssue> {
    let id = value.id().to_owned();
    serde_path_to_error::deserialize(value).map_err(|error| RecordIssue {
        message: format!(
            "{object} {id}: cannot read `{}`: {}",
            error.path(),
            error.inner()
        ),
        id: (!id.is_empty()).then_some(id),
    })
}

/// Decodes a raw list item of `stream`'s kind into the typed object the mapping takes.
pub(crate) fn decode_object(
    kind: super::cursor::Stream,
    value: Value,
) -> Result<EventObject, RecordIssue> {
    use super::cursor::Stream;
    if value.get("deleted").and_then(Value::as_bool) == Some(true) {
        return decode(kind_name(kind), value).map(EventObject::Deleted);
    }
    Ok(match kind {
        Stream::Customers => EventObject::Customer(decode("customer", value)?),
        Stream::Disputes => EventObject::Dispute(decode("dispute", value)?),
        Stream::Charges => EventObject::Charge(decode("charge", value)?),
        Stream::Refunds => EventObject::Refund(decode("refund", value)?),
        Stream::PaymentIntents => EventObject::PaymentIntent(decode("payment_intent", value)?),
        Stream::BalanceTransactions => {
            EventObject::BalanceTransaction(decode("balance_transaction", value)?)
        }
        Stream::Products => EventObject::Product(decode("product", value)?),
        Stream::Account => EventObject::Account(decode("account", value)?),
    })
}

fn kind_name(kind: super::cursor::Stream) -> &'static str {
    use super::cursor::Stream;
    match kind {
        Stream::Account => "account",
        Stream::Customers => "customer",
        Stream::Disputes => "dispute",
        Stream::Charges => "charge",
        Stream::Refunds => "refund",
        Stream::PaymentIntents => "payment_intent",
        Stream::Products => "product",
        Stream::BalanceTransactions => "balance_transaction",
    }
}
