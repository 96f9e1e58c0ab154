//! Evaluating a [`Query`] and an [`OrderBy`] against records in memory, with the semantics of
//! the store's SQL (the store's tests and this crate's run the same case table,
//! `tests/query_semantics.json`):
//!
//! - Arrays: where a path meets an array (at any level, the last included), a comparison holds
//!   when it holds for any element; an object at the end of a path matches nothing.
//! - An unquoted value that is a JSON number literal (`100`, `-2.5`, `1e3`) compares
//!   numerically with JSON numbers; with `=`/`!=` it also matches JSON strings of the same
//!   text, while `>`/`<`/`>=`/`<=` with a number only match numbers. Any other value compares
//!   with JSON strings by code point (dates are ISO 8601 text, so text order is time order).
//!   An unquoted `true`/`false` also matches JSON booleans. A quoted value is always text.
//! - `~` (contains) matches JSON strings containing the value, ASCII case-insensitively.
//! - `!=` holds when no value equals the value, including when the field is missing.
//! - Ordering: numbers first (numerically), then everything else as text; missing values last
//!   in both directions; ties broken by the record's `id`. Ordering does not look into arrays.

use std::cmp::Ordering;

use serde_json::Value;

use super::{Expr, FieldPath, Literal, Op, OrderBy, Query};

impl Query {
    /// Whether `record` (a record's JSON object) passes this filter.
    ///
    /// ```
    /// use commerce_model::Query;
    ///
    /// let query = Query::parse("status=Paid && amount>=10")?;
    /// assert!(query.matches(&serde_json::json!({"id": "p1", "status": "Paid", "amount": 12.5})));
    /// assert!(!query.matches(&serde_json::json!({"id": "p2", "status": "Paid", "amount": 5})));
    /// # Ok::<(), commerce_model::ModelError>(())
    /// ```
    pub fn matches(&self, record: &Value) -> bool {
        self.expr.matches(record)
    }
}

impl Expr {
    /// Whether `record` passes this expression (see [`Query::matches`]).
    pub fn matches(&self, record: &Value) -> bool {
        match self {
            Expr::And(parts) => parts.iter().all(|part| part.matches(record)),
            Expr::Or(parts) => parts.is_empty() || parts.iter().any(|part| part.matches(record)),
            Expr::Cmp { path, op, value } => {
                let values = values_at(record, path);
                let (op, negate) = match op {
                    Op::Ne => (Op::Eq, true),
                    other => (*other, false),
                };
                let value = Comparand::of(value);
                let found = values.iter().any(|candidate| value.holds(candidate, op));
                found != negate
            }
        }
    }
}

impl OrderBy {
    /// Compares two records by these sort keys, then by `id` (ascending), as the store orders
    /// a page. Use it with `sort_by`:
    ///
    /// ```
    /// use commerce_model::OrderBy;
    ///
    /// let order = OrderBy::parse("-amount")?;
    /// let mut records = vec![
    ///     serde_json::json!({"id": "a", "amount": 5}),
    ///     serde_json::json!({"id": "b", "amount": 20}),
    ///     serde_json::json!({"id": "c"}),
    /// ];
    /// records.sort_by(|a, b| order.compare(a, b));
    /// let ids: Vec<_> = records.iter().map(|r| r["id"].as_str().unwrap_or("")).collect();
    /// assert_eq!(ids, ["b", "a", "c"]); // missing values last
    /// # Ok::<(), commerce_model::ModelError>(())
    /// ```
    pub fn compare(&self, a: &Value, b: &Value) -> Ordering {
        for key in &self.keys {
            let (a_value, b_value) = (direct(a, &key.path), direct(b, &key.path));
            let numbers = nulls_last(number_key(a_value), number_key(b_value), key.descending);
            if numbers != Ordering::Equal {
                return numbers;
            }
            let texts = nulls_last(text_key(a_value), text_key(b_value), key.descending);
            if texts != Ordering::Equal {
                return texts;
            }
        }
        by_id(a, b)
    }
}

/// Compares two records by `id` (the store's default order).
pub fn by_id(a: &Value, b: &Value) -> Ordering {
    let id = |record: &Value| record.get("id").and_then(Value::as_str).map(str::to_owned);
    id(a).cmp(&id(b))
}

impl Literal {
    /// The value as a JSON number literal (`100`, `-2.5`, `1e3`), when it is one and was not
    /// quoted: what the query compares numerically.
    pub fn as_number(&self) -> Option<f64> {
        if self.quoted {
            return None;
        }
        parse_number(&self.text)
    }
}

/// The comparison value in the forms it can take.
struct Comparand<'a> {
    text: &'a str,
    number: Option<f64>,
    boolean: Option<bool>,
}

impl<'a> Comparand<'a> {
    fn of(literal: &'a Literal) -> Self {
        Self {
            text: &literal.text,
            number: literal.as_number(),
            boolean: literal.as_bool().filter(|_| !literal.quoted),
        }
    }

    /// `candidate op self`, for every `op` but `Ne` (the caller negates `Eq`).
    fn holds(&self, candidate: &Value, op: Op) -> bool {
        match candidate {
            Value::String(text) if op == Op::Contains => text
                .to_ascii_lowercase()
                .contains(&self.text.to_ascii_lowercase()),
            _ if op == Op::Contains => false,
            Value::Number(number) => match (number.as_f64(), self.number) {
                (Some(number), Some(bound)) => apply(number.partial_cmp(&bound), op),
                _ => false,
            },
            Value::String(text) => {
                let compares_text = self.number.is_none() || op == Op::Eq;
                compares_text && apply(Some(text.as_str().cmp(self.text)), op)
            }
            Value::Bool(boolean) => match self.boolean {
                Some(bound) => apply(Some(bool_text(*boolean).cmp(bool_text(bound))), op),
                None => false,
            },
            _ => false,
        }
    }
}

fn bool_text(value: bool) -> &'static str {
    if value {
        "true"
    } else {
        "false"
    }
}

fn apply(ordering: Option<Ordering>, op: Op) -> bool {
    let Some(ordering) = ordering else {
        return false;
    };
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Ne | Op::Contains => false,
    }
}

/// The values at `path`, arrays unwrapped at every level.
fn values_at<'v>(record: &'v Value, path: &FieldPath) -> Vec<&'v Value> {
    let mut current = vec![record];
    for segment in path.segments() {
        let mut next = Vec::new();
        for value in current {
            let Some(child) = value.as_object().and_then(|object| object.get(segment)) else {
                continue;
            };
            match child {
                Value::Array(items) => next.extend(items.iter()),
                other => next.push(other),
            }
        }
        current = next;
    }
    current
}

/// The value at `path` without looking into arrays (for ordering).
fn direct<'v>(record: &'v Value, path: &FieldPath) -> Option<&'v Value> {
    path.segments()
        .iter()
        .try_fold(record, |value, segment| value.as_object()?.get(segment))
}

fn number_key(value: Option<&Value>) -> Option<f64> {
    match value {
        Some(Value::Number(number)) => number.as_f64(),
        _ => None,
    }
}

fn text_key(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Null | Value::Number(_) => None,
        Value::String(text) => Some(text.clone()),
        Value::Bool(boolean) => Some(bool_text(*boolean).to_owned()),
        other => Some(other.to_string()),
    }
}

/// Ascending or descending, with `None` last either way.
fn nulls_last<T: PartialOrd>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => {
            let ordering = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
            if descending {
                ordering.reverse()
            } else {
                ordering
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// A JSON number literal (`-12`, `3.5`, `1e3`), as `f64`; `None` for anything else.
fn parse_number(value: &str) -> Option<f64> {
    let digits_only = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let unsigned = value.strip_prefix('-').unwrap_or(value);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (integer, fraction) = match mantissa.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (mantissa, None),
    };
    let valid = digits_only(integer)
        && fraction.is_none_or(digits_only)
        && exponent.is_none_or(|exponent| {
            digits_only(exponent.strip_prefix(['+', '-']).unwrap_or(exponent))
        });
    if !valid {
        return None;
    }
    value
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
}
