//! Shared helpers: loading Stripe's fixtures in place, the resource table, and JSON path walking.

use std::fmt;

use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use stripe_wire::{
    Account, Balance, BalanceTransaction, Charge, Customer, Deleted, Dispute, Event, PaymentIntent,
    Payout, Price, Product, Refund, WireError,
};

/// Decodes JSON text into a wire type and serializes it back to JSON.
pub(crate) type Roundtrip = fn(&str) -> Result<Value, WireError>;

pub(crate) fn roundtrip<T: DeserializeOwned + Serialize>(json: &str) -> Result<Value, WireError> {
    let typed: T = stripe_wire::from_str(json)?;
    Ok(serde_json::to_value(&typed).unwrap())
}

/// Every fixture this crate models: `(fixture name, type name, decode-and-serialize)`.
pub(crate) const RESOURCES: &[(&str, &str, Roundtrip)] = &[
    ("account", "Account", roundtrip::<Account>),
    ("balance", "Balance", roundtrip::<Balance>),
    (
        "balance_transaction",
        "BalanceTransaction",
        roundtrip::<BalanceTransaction>,
    ),
    ("charge", "Charge", roundtrip::<Charge>),
    ("customer", "Customer", roundtrip::<Customer>),
    ("dispute", "Dispute", roundtrip::<Dispute>),
    ("event", "Event", roundtrip::<Event>),
    (
        "payment_intent",
        "PaymentIntent",
        roundtrip::<PaymentIntent>,
    ),
    ("payout", "Payout", roundtrip::<Payout>),
    ("price", "Price", roundtrip::<Price>),
    ("product", "Product", roundtrip::<Product>),
    ("refund", "Refund", roundtrip::<Refund>),
    ("deleted_account", "Account", roundtrip::<Account>),
    ("deleted_customer", "Customer", roundtrip::<Customer>),
    ("deleted_price", "Price", roundtrip::<Price>),
    ("deleted_product", "Product", roundtrip::<Product>),
    ("deleted_customer", "Deleted", roundtrip::<Deleted>),
    ("deleted_product", "Deleted", roundtrip::<Deleted>),
];

/// `fixtures3.json`'s `resources` map, read in place from `../shared`, or `None` when absent.
pub(crate) fn fixtures() -> Option<serde_json::Map<String, Value>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/stripe-openapi/fixtures3.json"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        println!("skipped: ../shared not found");
        return None;
    };
    let mut document: Value = serde_json::from_str(&text).unwrap();
    match document["resources"].take() {
        Value::Object(resources) => Some(resources),
        _ => panic!("fixtures3.json has no resources map"),
    }
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// A JSON path, shown like `payment_method_details.card.brand` or `data[0].id`.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Path(pub(crate) Vec<Step>);

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (step_idx, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(key) if step_idx == 0 => write!(f, "{key}")?,
                Step::Key(key) => write!(f, ".{key}")?,
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

impl Path {
    fn child(&self, step: Step) -> Path {
        let mut steps = self.0.clone();
        steps.push(step);
        Path(steps)
    }

    /// Whether `prefix` names this path or one of its ancestors.
    pub(crate) fn starts_with(&self, prefix: &str) -> bool {
        let shown = self.to_string();
        shown == prefix
            || shown.starts_with(&format!("{prefix}."))
            || shown.starts_with(&format!("{prefix}["))
    }
}

/// Every member of every object (depth first), with its path: the places a field can be
/// nulled, removed or replaced.
pub(crate) fn members(value: &Value) -> Vec<(Path, Value)> {
    let mut res = Vec::new();
    collect_members(value, &Path::default(), &mut res);
    res
}

fn collect_members(value: &Value, path: &Path, res: &mut Vec<(Path, Value)>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                let member_path = path.child(Step::Key(key.clone()));
                res.push((member_path.clone(), member.clone()));
                collect_members(member, &member_path, res);
            }
        }
        Value::Array(items) => {
            for (item_idx, item) in items.iter().enumerate() {
                collect_members(item, &path.child(Step::Index(item_idx)), res);
            }
        }
        _ => {}
    }
}

/// The leaves: scalars, `null`, and empty arrays or objects.
pub(crate) fn leaves(value: &Value) -> Vec<(Path, Value)> {
    members(value)
        .into_iter()
        .filter(|(_, member)| match member {
            Value::Object(map) => map.is_empty(),
            Value::Array(items) => items.is_empty(),
            _ => true,
        })
        .collect()
}

pub(crate) fn get<'v>(value: &'v Value, path: &Path) -> Option<&'v Value> {
    path.0.iter().try_fold(value, |node, step| match step {
        Step::Key(key) => node.get(key.as_str()),
        Step::Index(index) => node.get(*index),
    })
}

pub(crate) fn get_mut<'v>(value: &'v mut Value, path: &Path) -> Option<&'v mut Value> {
    path.0.iter().try_fold(value, |node, step| match step {
        Step::Key(key) => node.get_mut(key.as_str()),
        Step::Index(index) => node.get_mut(*index),
    })
}

/// Removes the member at `path` (which must name an object member).
pub(crate) fn remove(value: &mut Value, path: &Path) {
    let (last, parent) = path.0.split_last().unwrap();
    let parent = get_mut(value, &Path(parent.to_vec())).unwrap();
    match last {
        Step::Key(key) => {
            parent.as_object_mut().unwrap().remove(key);
        }
        Step::Index(_) => panic!("remove only removes object members"),
    }
}

/// Whether a leaf of the input survives in the output: same value (numbers compared by value,
/// since `1` and `1.0` are the same amount), or, for an empty array or object, the same kind.
pub(crate) fn same_leaf(input: &Value, output: Option<&Value>) -> bool {
    match (input, output) {
        (Value::Number(left), Some(Value::Number(right))) => left.as_f64() == right.as_f64(),
        (Value::Object(map), Some(Value::Object(_))) if map.is_empty() => true,
        (Value::Array(items), Some(Value::Array(_))) if items.is_empty() => true,
        (_, Some(output)) => input == output,
        (_, None) => false,
    }
}

/// The input leaves that the output lost or changed, as `path: input -> output` lines.
pub(crate) fn lost_leaves(input: &Value, output: &Value) -> Vec<(Path, String)> {
    leaves(input)
        .into_iter()
        .filter(|(path, leaf)| !same_leaf(leaf, get(output, path)))
        .map(|(path, leaf)| {
            let shown = format!("{leaf} -> {:?}", get(output, &path).map(Value::to_string));
            (path, shown)
        })
        .collect()
}
