//! The Stripe `event` object (`GET /v1/events`, webhooks) and its typed `data.object`.
//! Depends on serde, serde_json and serde_path_to_error; no I/O.

use serde::{Deserialize, Serialize};

use crate::account::{Account, Balance};
use crate::balance_transaction::BalanceTransaction;
use crate::charge::Charge;
use crate::common::{Deleted, HasId};
use crate::customer::Customer;
use crate::dispute::Dispute;
use crate::payment_intent::PaymentIntent;
use crate::payout::Payout;
use crate::product::{Price, Product};
use crate::refund::Refund;

/// An event: something that happened to an object of the account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "object", rename = "event", default)]
pub struct Event {
    /// The event id (`evt_...`); dedupe on it.
    pub id: String,
    /// The connected account the event came from (Connect events only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The API version `data.object` was rendered with.
    pub api_version: Option<String>,
    /// The context of a v2 event, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// When the event happened (unix seconds).
    pub created: i64,
    /// The object and, for `*.updated`, its previous values.
    pub data: EventData,
    /// Whether this is live-mode data.
    pub livemode: bool,
    /// Webhooks not yet delivered successfully.
    pub pending_webhooks: i64,
    /// The API request that caused the event.
    pub request: Option<EventRequest>,
    /// The event type, e.g. `charge.succeeded` (an open set of 260+ values, kept as sent).
    #[serde(rename = "type")]
    pub event_type: String,
}

/// `event.data`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EventData {
    /// The object the event is about, as it was at the event.
    pub object: EventObject,
    /// For `*.updated` events, the previous values of the changed fields (raw JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_attributes: Option<serde_json::Value>,
}

/// `event.request`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EventRequest {
    /// The request id (`req_...`); null when the change was automatic.
    pub id: Option<String>,
    /// The idempotency key of the request.
    pub idempotency_key: Option<String>,
}

/// `event.data.object`, typed by its `object` member.
///
/// An object with `"deleted": true` is [`EventObject::Deleted`]; an `object` this crate does not
/// model (`plan`, `invoice`, `application`, ...) is kept as raw JSON in [`EventObject::Other`].
/// Serializes back as the object itself (no wrapper).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum EventObject {
    /// An `account`.
    Account(Box<Account>),
    /// A `balance`.
    Balance(Box<Balance>),
    /// A `balance_transaction`.
    BalanceTransaction(Box<BalanceTransaction>),
    /// A `charge`.
    Charge(Box<Charge>),
    /// A `customer`.
    Customer(Box<Customer>),
    /// A `dispute`.
    Dispute(Box<Dispute>),
    /// A `payment_intent`.
    PaymentIntent(Box<PaymentIntent>),
    /// A `payout`.
    Payout(Box<Payout>),
    /// A `price`.
    Price(Box<Price>),
    /// A `product`.
    Product(Box<Product>),
    /// A `refund`.
    Refund(Box<Refund>),
    /// Any deleted object: `{id, object, deleted: true}`.
    Deleted(Deleted),
    /// Any other object, as raw JSON.
    Other(serde_json::Value),
}

impl EventObject {
    /// The object's `object` member, e.g. `"charge"`.
    pub fn object_type(&self) -> &str {
        match self {
            EventObject::Account(_) => "account",
            EventObject::Balance(_) => "balance",
            EventObject::BalanceTransaction(_) => "balance_transaction",
            EventObject::Charge(_) => "charge",
            EventObject::Customer(_) => "customer",
            EventObject::Dispute(_) => "dispute",
            EventObject::PaymentIntent(_) => "payment_intent",
            EventObject::Payout(_) => "payout",
            EventObject::Price(_) => "price",
            EventObject::Product(_) => "product",
            EventObject::Refund(_) => "refund",
            EventObject::Deleted(deleted) => &deleted.object,
            EventObject::Other(value) => value
                .get("object")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default(),
        }
    }

    /// The object's id (`""` for a balance, which has none, or raw JSON without one).
    pub fn id(&self) -> &str {
        match self {
            EventObject::Account(object) => object.id(),
            EventObject::Balance(_) => "",
            EventObject::BalanceTransaction(object) => object.id(),
            EventObject::Charge(object) => object.id(),
            EventObject::Customer(object) => object.id(),
            EventObject::Dispute(object) => object.id(),
            EventObject::PaymentIntent(object) => object.id(),
            EventObject::Payout(object) => object.id(),
            EventObject::Price(object) => object.id(),
            EventObject::Product(object) => object.id(),
            EventObject::Refund(object) => object.id(),
            EventObject::Deleted(deleted) => deleted.id(),
            EventObject::Other(value) => value.id(),
        }
    }
}

impl Default for EventObject {
    /// Raw JSON `null`: only for building events whose object is filled in later.
    fn default() -> Self {
        EventObject::Other(serde_json::Value::Null)
    }
}

impl<'de> Deserialize<'de> for EventObject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let is_deleted = value.get("deleted").and_then(serde_json::Value::as_bool) == Some(true);
        let object_type = value
            .get("object")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        if is_deleted {
            return typed(value).map(EventObject::Deleted);
        }
        match object_type {
            "account" => typed(value).map(EventObject::Account),
            "balance" => typed(value).map(EventObject::Balance),
            "balance_transaction" => typed(value).map(EventObject::BalanceTransaction),
            "charge" => typed(value).map(EventObject::Charge),
            "customer" => typed(value).map(EventObject::Customer),
            "dispute" => typed(value).map(EventObject::Dispute),
            "payment_intent" => typed(value).map(EventObject::PaymentIntent),
            "payout" => typed(value).map(EventObject::Payout),
            "price" => typed(value).map(EventObject::Price),
            "product" => typed(value).map(EventObject::Product),
            "refund" => typed(value).map(EventObject::Refund),
            _ => Ok(EventObject::Other(value)),
        }
    }
}

/// Decodes a buffered `data.object`, keeping the path inside it in the error message.
fn typed<T: serde::de::DeserializeOwned, E: serde::de::Error>(
    value: serde_json::Value,
) -> Result<T, E> {
    serde_path_to_error::deserialize(value)
        .map_err(|error| E::custom(format_args!("at `{}`: {}", error.path(), error.inner())))
}

impl HasId for Event {
    fn id(&self) -> &str {
        &self.id
    }
}
