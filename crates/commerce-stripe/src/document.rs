//! Reading Stripe JSON documents (exports, API responses, recordings) into located objects.
//!
//! A document is one JSON object, a list envelope (`{"object": "list", "data": [...]}`), a JSON
//! array, or a stream of newline-delimited values, nested in any combination.
//! Every Stripe object found is returned with its JSON path (`$[2].data[0]`) so an error can say
//! where the bad object is. Values of a stream are numbered like array elements (`$[0]`, `$[1]`, ...);
//! a document holding a single value is `$`.
//!
//! [`map_document`] then maps the objects of one data type, in document order.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use commerce_model as commerce;
use stripe_wire as stripe;

use crate::error::MapError;
use crate::mapped::{Deletion, Mapped};

/// One output item of [`map_document`]: a record of the requested data type, or a deletion.
///
/// Serializes as the record itself (Codat's JSON) or as `{"id": ..., "deleted": true}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum MappedRecord {
    /// Company info, from an account and its balance.
    CompanyInfo(commerce::CompanyInfo),
    /// A customer.
    Customer(commerce::Customer),
    /// A dispute.
    Dispute(commerce::Dispute),
    /// A payment: a charge, a refund or a charge-less payment intent.
    Payment(commerce::Payment),
    /// A product with its variants.
    Product(commerce::Product),
    /// A transaction row.
    Transaction(commerce::Transaction),
    /// A deleted customer, product or account.
    Deleted(Deletion),
}

/// The data type the Stripe objects named `object` (`charge`, `price`, ...) map into, if any.
///
/// `account` and `balance` give company info, `charge`, `refund` and `payment_intent` give payments,
/// `product` and `price` give products.
pub fn data_type_of_object(object: &str) -> Option<commerce::DataType> {
    use commerce::DataType;
    match object {
        "account" | "balance" => Some(DataType::CompanyInfo),
        "customer" => Some(DataType::Customers),
        "dispute" => Some(DataType::Disputes),
        "charge" | "refund" | "payment_intent" => Some(DataType::Payments),
        "product" | "price" => Some(DataType::Products),
        "balance_transaction" => Some(DataType::Transactions),
        _ => None,
    }
}

/// Maps a Stripe JSON document (see the module docs for the shapes it takes) into records of
/// `data_type`, in document order.
///
/// - Company info: each `balance` belongs to the `account` before it; one record per account.
/// - Products: prices are attached to their product wherever they appear; one record per product.
/// - Payments: charges, refunds and payment intents; an intent with a charge gives nothing.
/// - Transactions: each balance transaction gives its main row and its fee rows.
///
/// Any bad object fails the whole document, with its JSON path in the error.
pub fn map_document(
    data_type: commerce::DataType,
    bytes: &[u8],
) -> Result<Vec<MappedRecord>, MapError> {
    let objects = read_objects(bytes)?;
    for object in &objects {
        if data_type_of_object(object.object_kind()) != Some(data_type) {
            return Err(MapError::UnexpectedObject {
                path: object.path.clone(),
                object: object.object_kind().to_owned(),
                data_type: data_type.key().to_owned(),
            });
        }
    }
    match data_type {
        commerce::DataType::CompanyInfo => company_infos(&objects),
        commerce::DataType::Products => products(&objects),
        _ => {
            let mut records = Vec::new();
            for object in &objects {
                map_one(object, &mut records).map_err(|err| locate(object, err))?;
            }
            Ok(records)
        }
    }
}

fn map_one(object: &Located, records: &mut Vec<MappedRecord>) -> Result<(), MapError> {
    match object.object_kind() {
        "customer" => records.push(from_mapped(
            crate::map_customer(&parse(object)?)?,
            MappedRecord::Customer,
        )),
        "dispute" => records.push(MappedRecord::Dispute(crate::map_dispute(&parse(object)?)?)),
        "charge" => records.push(MappedRecord::Payment(crate::map_charge(&parse(object)?)?)),
        "refund" => records.push(MappedRecord::Payment(crate::map_refund(&parse(object)?)?)),
        "payment_intent" => {
            if let Some(payment) = crate::map_payment_intent(&parse(object)?)? {
                records.push(MappedRecord::Payment(payment));
            }
        }
        "balance_transaction" => records.extend(
            crate::map_balance_transaction(&parse(object)?)?
                .into_iter()
                .map(MappedRecord::Transaction),
        ),
        other => {
            return Err(MapError::UnexpectedObject {
                path: object.path.clone(),
                object: other.to_owned(),
                data_type: String::new(),
            })
        }
    }
    Ok(())
}

fn company_infos(objects: &[Located]) -> Result<Vec<MappedRecord>, MapError> {
    // (account, its balance), in document order.
    let mut accounts: Vec<(&Located, stripe::Account, Option<stripe::Balance>)> = Vec::new();
    for object in objects {
        if object.object_kind() == "account" {
            accounts.push((object, parse(object)?, None));
            continue;
        }
        let balance: stripe::Balance = parse(object)?;
        match accounts.last_mut() {
            Some((_, _, slot @ None)) => *slot = Some(balance),
            Some((_, account, Some(_))) => {
                return Err(MapError::Orphan {
                    path: object.path.clone(),
                    object: "balance",
                    id: String::new(),
                    needs: format!(
                        "an account of its own (account {} already has one)",
                        account.id
                    ),
                })
            }
            None => {
                return Err(MapError::Orphan {
                    path: object.path.clone(),
                    object: "balance",
                    id: String::new(),
                    needs: "an account before it".to_owned(),
                })
            }
        }
    }
    accounts
        .into_iter()
        .map(|(object, account, balance)| {
            crate::map_account(&account, balance.as_ref())
                .map(|mapped| from_mapped(mapped, MappedRecord::CompanyInfo))
                .map_err(|err| locate(object, err))
        })
        .collect()
}

fn products(objects: &[Located]) -> Result<Vec<MappedRecord>, MapError> {
    let mut products: Vec<(&Located, stripe::Product)> = Vec::new();
    let mut prices: Vec<(&Located, stripe::Price)> = Vec::new();
    for object in objects {
        if object.object_kind() == "product" {
            products.push((object, parse(object)?));
        } else {
            prices.push((object, parse(object)?));
        }
    }
    for (object, price) in &prices {
        let owner = price.product.id();
        if !price.deleted && !products.iter().any(|(_, product)| product.id == owner) {
            return Err(MapError::Orphan {
                path: object.path.clone(),
                object: "price",
                id: price.id.clone(),
                needs: format!("product {owner}"),
            });
        }
    }
    products
        .into_iter()
        .map(|(object, product)| {
            let own_prices: Vec<stripe::Price> = prices
                .iter()
                .filter(|(_, price)| price.product.id() == product.id)
                .map(|(_, price)| price.clone())
                .collect();
            crate::map_product(&product, &own_prices)
                .map(|mapped| from_mapped(mapped, MappedRecord::Product))
                .map_err(|err| locate(object, err))
        })
        .collect()
}

fn from_mapped<T>(mapped: Mapped<T>, wrap: fn(T) -> MappedRecord) -> MappedRecord {
    match mapped {
        Mapped::Record(record) => wrap(record),
        Mapped::Deleted(deletion) => MappedRecord::Deleted(deletion),
    }
}

/// Decodes a located object into its wire type, naming the full JSON path on failure.
fn parse<T: DeserializeOwned>(object: &Located) -> Result<T, MapError> {
    serde_path_to_error::deserialize(&object.value).map_err(|err| {
        let inner = err.path().to_string();
        let path = if inner == "." {
            object.path.clone()
        } else {
            format!("{}.{inner}", object.path)
        };
        MapError::Json {
            path,
            source: err.into_inner(),
        }
    })
}

/// Adds the object's JSON path to a record-level error (document-level ones already have one).
fn locate(object: &Located, err: MapError) -> MapError {
    match err {
        MapError::MissingField { .. }
        | MapError::InvalidField { .. }
        | MapError::AmountOverflow { .. } => MapError::At {
            path: object.path.clone(),
            source: Box::new(err),
        },
        other => other,
    }
}

/// One Stripe object of a document and where it sits in it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Located {
    /// The JSON path of the object, e.g. `$[1].data[3]`.
    pub(crate) path: String,
    /// The object itself.
    pub(crate) value: Value,
}

impl Located {
    /// The object's `object` field (`charge`, `product`, ...), empty when absent.
    pub(crate) fn object_kind(&self) -> &str {
        self.value
            .get("object")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// Splits a document into its Stripe objects, in document order.
pub(crate) fn read_objects(bytes: &[u8]) -> Result<Vec<Located>, MapError> {
    let mut values = Vec::new();
    let stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
    for value in stream {
        let value = value.map_err(|source| MapError::Json {
            path: "$".to_owned(),
            source,
        })?;
        values.push(value);
    }
    let mut objects = Vec::new();
    match values.len() {
        0 => {
            return Err(MapError::NotStripeObject {
                path: "$".to_owned(),
                reason: "the document is empty".to_owned(),
            })
        }
        1 => {
            for value in values {
                flatten(value, "$".to_owned(), &mut objects)?;
            }
        }
        _ => {
            for (item_idx, value) in values.into_iter().enumerate() {
                flatten(value, format!("$[{item_idx}]"), &mut objects)?;
            }
        }
    }
    Ok(objects)
}

fn flatten(value: Value, path: String, out: &mut Vec<Located>) -> Result<(), MapError> {
    match value {
        Value::Array(items) => {
            for (item_idx, item) in items.into_iter().enumerate() {
                flatten(item, format!("{path}[{item_idx}]"), out)?;
            }
            Ok(())
        }
        Value::Object(mut map) => {
            let is_envelope = matches!(
                map.get("object").and_then(Value::as_str),
                Some("list" | "search_result")
            );
            if is_envelope {
                return match map.remove("data") {
                    Some(Value::Array(items)) => {
                        for (item_idx, item) in items.into_iter().enumerate() {
                            flatten(item, format!("{path}.data[{item_idx}]"), out)?;
                        }
                        Ok(())
                    }
                    _ => Err(MapError::NotStripeObject {
                        path: format!("{path}.data"),
                        reason: "a list envelope needs a `data` array".to_owned(),
                    }),
                };
            }
            if !map.contains_key("object") {
                return Err(MapError::NotStripeObject {
                    path,
                    reason: "not a Stripe object: it has no `object` field".to_owned(),
                });
            }
            out.push(Located {
                path,
                value: Value::Object(map),
            });
            Ok(())
        }
        other => Err(MapError::NotStripeObject {
            path,
            reason: format!("expected a Stripe object, found {}", json_kind(&other)),
        }),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
