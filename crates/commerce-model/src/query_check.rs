//! Checking a parsed [`Query`] or [`OrderBy`] against a data type's declared fields
//! ([`DataType::fields`]), so that a query that cannot mean anything is refused instead of
//! matching nothing.
//!
//! The rules, following Codat's operator table:
//!
//! | field type | operators              | value                                    |
//! |------------|------------------------|------------------------------------------|
//! | text       | `=` `!=` `~`           | anything                                 |
//! | number     | `=` `!=` `>` `<` `>=` `<=` | an unquoted JSON number (`100`, `-2.5`, `1e3`) |
//! | date       | `=` `!=` `>` `<` `>=` `<=` | an ISO 8601 date or date-time, quoted or not |
//! | boolean    | `=` `!=`               | `true` or `false`                        |
//!
//! Every path must name a declared field that holds a value (`customerRef.id`, not
//! `customerRef`); a path may pass through lists (`addresses.city`), where a clause holds when
//! it holds for any element. An `orderBy` field must hold a value and must not be inside a list.

use crate::error::ModelError;
use crate::fields::{FieldContent, ValueType};
use crate::query::{Expr, FieldPath, Literal, Op, OrderBy, Query};
use crate::DataType;

impl Query {
    /// Parses a query and checks it against `data_type`'s fields (see the
    /// [module docs](crate::query_check)).
    pub fn parse_for(data_type: DataType, text: &str) -> Result<Query, ModelError> {
        let query = Query::parse(text)?;
        query.check(data_type)?;
        Ok(query)
    }

    /// Checks every comparison against `data_type`'s fields: the field exists and holds a
    /// value, its type supports the operator, and the value is of its type.
    pub fn check(&self, data_type: DataType) -> Result<(), ModelError> {
        check_expr(data_type, &self.expr)
    }
}

impl OrderBy {
    /// Parses an `orderBy` and checks it against `data_type`'s fields.
    pub fn parse_for(data_type: DataType, text: &str) -> Result<OrderBy, ModelError> {
        let order_by = OrderBy::parse(text)?;
        order_by.check(data_type)?;
        Ok(order_by)
    }

    /// Checks that every key names a declared value field outside any list.
    pub fn check(&self, data_type: DataType) -> Result<(), ModelError> {
        for key in &self.keys {
            let (_, through_list) = value_field(data_type, &key.path)?;
            if through_list {
                return Err(ModelError::OrderByList {
                    path: key.path.to_string(),
                });
            }
        }
        Ok(())
    }
}

/// The operators a field type supports.
pub const fn operators(value_type: ValueType) -> &'static [Op] {
    match value_type {
        ValueType::Text => &[Op::Eq, Op::Ne, Op::Contains],
        ValueType::Number | ValueType::Date => &[Op::Eq, Op::Ne, Op::Gt, Op::Lt, Op::Ge, Op::Le],
        ValueType::Boolean => &[Op::Eq, Op::Ne],
    }
}

fn check_expr(data_type: DataType, expr: &Expr) -> Result<(), ModelError> {
    match expr {
        Expr::And(parts) | Expr::Or(parts) => parts
            .iter()
            .try_for_each(|part| check_expr(data_type, part)),
        Expr::Cmp { path, op, value } => {
            let (value_type, _) = value_field(data_type, path)?;
            if !operators(value_type).contains(op) {
                let allowed: Vec<&str> =
                    operators(value_type).iter().map(|op| op.as_str()).collect();
                return Err(ModelError::QueryOperator {
                    path: path.to_string(),
                    op: *op,
                    value_type,
                    allowed: allowed.join(" "),
                });
            }
            if !fits(value_type, value) {
                return Err(ModelError::QueryValue {
                    path: path.to_string(),
                    value_type,
                    value: value.text.clone(),
                });
            }
            Ok(())
        }
    }
}

/// The type of the value field `path` names, and whether it is inside a list.
fn value_field(data_type: DataType, path: &FieldPath) -> Result<(ValueType, bool), ModelError> {
    let resolved =
        data_type
            .resolve_path(path.segments())
            .ok_or_else(|| ModelError::UnknownField {
                data_type,
                path: path.to_string(),
            })?;
    match resolved.field.content {
        FieldContent::Value(value_type) => Ok((value_type, resolved.through_list)),
        FieldContent::Object(fields) => Err(ModelError::NotAValueField {
            path: path.to_string(),
            example: fields
                .first()
                .map(|field| format!("{path}.{}", field.name))
                .unwrap_or_default(),
        }),
    }
}

fn fits(value_type: ValueType, literal: &Literal) -> bool {
    match value_type {
        ValueType::Text => true,
        ValueType::Number => {
            !literal.quoted
                && serde_json::from_str::<serde_json::Number>(&literal.text).is_ok()
                && literal.as_decimal().is_some()
        }
        ValueType::Date => literal.as_timestamp().is_some(),
        ValueType::Boolean => literal.as_bool().is_some(),
    }
}
