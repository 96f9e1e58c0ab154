//! Codat's query language (`query=`) and `orderBy`, parsed into typed values. Pure code: the store
//! turns a [`Query`] into SQL over its JSON records; [`Query::matches`] and [`OrderBy::compare`]
//! evaluate them in memory with the same semantics.
//!
//! Grammar (whitespace is allowed between any two tokens):
//!
//! ```text
//! query      := expr                       at most 2,048 characters
//! expr       := term ( "&&" term )*
//!             | term ( "||" term )*        `&&` and `||` never mix at one level
//! term       := "{" expr "}" | comparison
//! comparison := path op value
//! path       := name ( "." name )*         name: letters, digits, `_`  (e.g. `customerRef.id`)
//! op         := "=" | "!=" | "~" | ">" | "<" | ">=" | "<="
//! value      := '"' text '"'               `\"` and `\\` escape inside quotes
//!             | bare text                  up to `&&`, `||`, `}` or the end, trimmed
//! ```
//!
//! Codat's documentation says "to combine AND and OR queries, use curly braces", and gives no
//! precedence between `&&` and `||`; so instead of guessing one, `a=1 && b=2 || c=3` is rejected with
//! [`ModelError::QueryMixedOperators`] and must be written `{a=1 && b=2} || c=3`.
//! Bare values may contain spaces (`name = Acme Ltd`) but not `=`, `<`, `>` or `~`, which almost
//! always mean a missing `&&`; quote such values.
//! `~` (contains) is meant for strings and `>`/`<`/`>=`/`<=` for numbers and dates, as Codat says;
//! the parser keeps the value as text and leaves typing to the store, which knows the field types.
//! Positions in errors are zero-based character offsets.

mod eval;

use std::fmt;

use rust_decimal::Decimal;

use crate::error::ModelError;
use crate::Timestamp;

/// Codat's maximum query length, in characters.
pub const MAX_QUERY_LENGTH: usize = 2048;

pub use self::eval::by_id;

/// A parsed `query` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The whole filter.
    pub expr: Expr,
}

/// A filter expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Every part must hold (two or more parts).
    And(Vec<Expr>),
    /// At least one part must hold (two or more parts).
    Or(Vec<Expr>),
    /// One comparison of a field with a value.
    Cmp {
        /// The field, e.g. `customerRef.id`.
        path: FieldPath,
        /// The comparison.
        op: Op,
        /// The value as written.
        value: Literal,
    },
}

/// A dot-separated field path such as `addresses.city`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath(Vec<String>);

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `~` (contains)
    Contains,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `<=`
    Le,
}

/// The value side of a comparison, as text; `quoted` says it was written in double quotes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Literal {
    /// The text, unescaped and without quotes.
    pub text: String,
    /// Whether it was written in double quotes.
    pub quoted: bool,
}

/// A parsed `orderBy` parameter: one or more sort keys, most significant first.
///
/// Codat documents a single field with an optional `-` for descending (`-modifiedDate`); a
/// comma-separated list (`-createdDate,id`) is also accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    /// The sort keys.
    pub keys: Vec<SortKey>,
}

/// One sort key of an [`OrderBy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    /// The field.
    pub path: FieldPath,
    /// `true` for descending (written with a leading `-`).
    pub descending: bool,
}

impl Query {
    /// Parses a query (already URL-decoded).
    pub fn parse(text: &str) -> Result<Query, ModelError> {
        let length = text.chars().count();
        if length > MAX_QUERY_LENGTH {
            return Err(ModelError::QueryTooLong {
                length,
                max: MAX_QUERY_LENGTH,
            });
        }
        let mut parser = Parser {
            chars: text.chars().collect(),
            position: 0,
        };
        let expr = parser.expr()?;
        parser.skip_whitespace();
        if let Some(found) = parser.peek() {
            let expected = if found == '}' {
                "`&&`, `||` or end of query (unmatched `}`)"
            } else {
                "`&&`, `||` or end of query"
            };
            return Err(parser.syntax_error(expected));
        }
        Ok(Query { expr })
    }
}

impl FieldPath {
    /// Parses `a.b.c`; every segment must be a non-empty run of letters, digits and `_`.
    pub fn parse(text: &str) -> Option<FieldPath> {
        let segments: Vec<String> = text.split('.').map(str::to_owned).collect();
        let valid = segments
            .iter()
            .all(|segment| !segment.is_empty() && segment.chars().all(is_name_char));
        valid.then_some(FieldPath(segments))
    }

    /// The segments, e.g. `["customerRef", "id"]`.
    pub fn segments(&self) -> &[String] {
        &self.0
    }
}

impl Op {
    /// The operator as written.
    pub const fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Contains => "~",
            Op::Gt => ">",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Le => "<=",
        }
    }
}

impl Literal {
    /// The value as an exact decimal, if it is one.
    pub fn as_decimal(&self) -> Option<Decimal> {
        self.text
            .parse()
            .ok()
            .or_else(|| Decimal::from_scientific(&self.text).ok())
    }

    /// The value as a date or date-time, if it is one.
    pub fn as_timestamp(&self) -> Option<Timestamp> {
        self.text.parse().ok()
    }

    /// The value as a boolean (`true`/`false`, any case), if it is one.
    pub fn as_bool(&self) -> Option<bool> {
        if self.text.eq_ignore_ascii_case("true") {
            Some(true)
        } else if self.text.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    }
}

impl OrderBy {
    /// Parses `-field`, `field`, or a comma-separated list of them.
    pub fn parse(text: &str) -> Result<OrderBy, ModelError> {
        let invalid = |reason| ModelError::InvalidOrderBy {
            value: text.to_owned(),
            reason,
        };
        let mut keys = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            let (descending, field) = match part.strip_prefix('-') {
                Some(rest) => (true, rest.trim_start()),
                None => (false, part),
            };
            if field.is_empty() {
                return Err(invalid(
                    "expected a field name (optionally prefixed with `-`)",
                ));
            }
            let path = FieldPath::parse(field).ok_or_else(|| {
                invalid("field names are letters, digits and `_`, separated by `.`")
            })?;
            keys.push(SortKey { path, descending });
        }
        Ok(OrderBy { keys })
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let needs_quotes = self.quoted
            || self.text.is_empty()
            || self.text.trim() != self.text
            || self.text.contains("&&")
            || self.text.contains("||")
            || self.text.starts_with('"')
            || self.text.contains(['}', '=', '<', '>', '~']);
        if !needs_quotes {
            return f.write_str(&self.text);
        }
        f.write_str("\"")?;
        for character in self.text.chars() {
            if character == '"' || character == '\\' {
                f.write_str("\\")?;
            }
            write!(f, "{character}")?;
        }
        f.write_str("\"")
    }
}

/// Canonical text that parses back to the same expression.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, parts: &[Expr], separator: &str| -> fmt::Result {
            for (index, part) in parts.iter().enumerate() {
                if index > 0 {
                    f.write_str(separator)?;
                }
                match part {
                    Expr::Cmp { .. } => write!(f, "{part}")?,
                    _ => write!(f, "{{{part}}}")?,
                }
            }
            Ok(())
        };
        match self {
            Expr::And(parts) => join(f, parts, " && "),
            Expr::Or(parts) => join(f, parts, " || "),
            Expr::Cmp { path, op, value } => write!(f, "{path} {op} {value}"),
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}

impl fmt::Display for OrderBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, key) in self.keys.iter().enumerate() {
            if index > 0 {
                f.write_str(",")?;
            }
            if key.descending {
                f.write_str("-")?;
            }
            write!(f, "{}", key.path)?;
        }
        Ok(())
    }
}

fn is_name_char(character: char) -> bool {
    character.is_alphanumeric() || character == '_'
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Joiner {
    And,
    Or,
}

struct Parser {
    chars: Vec<char>,
    position: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.position).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.position + offset).copied()
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.position += 1;
        }
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "end of query".to_owned(),
            Some(_) if self.at_joiner().is_some() => {
                let text: String = self.chars[self.position..self.position + 2]
                    .iter()
                    .collect();
                format!("`{text}`")
            }
            Some(character) => format!("`{character}`"),
        }
    }

    fn syntax_error(&self, expected: &'static str) -> ModelError {
        ModelError::QuerySyntax {
            position: self.position,
            expected,
            found: self.found(),
        }
    }

    fn at_joiner(&self) -> Option<Joiner> {
        match (self.peek(), self.peek_at(1)) {
            (Some('&'), Some('&')) => Some(Joiner::And),
            (Some('|'), Some('|')) => Some(Joiner::Or),
            _ => None,
        }
    }

    fn expr(&mut self) -> Result<Expr, ModelError> {
        let first = self.term()?;
        let mut joiner: Option<Joiner> = None;
        let mut parts = vec![first];
        loop {
            self.skip_whitespace();
            let Some(next) = self.at_joiner() else { break };
            if joiner.is_some_and(|seen| seen != next) {
                return Err(ModelError::QueryMixedOperators {
                    position: self.position,
                });
            }
            joiner = Some(next);
            self.position += 2;
            parts.push(self.term()?);
        }
        Ok(match joiner {
            None => parts.into_iter().next().unwrap_or(Expr::And(Vec::new())),
            Some(joiner) => {
                let mut flat = Vec::with_capacity(parts.len());
                for part in parts {
                    match (joiner, part) {
                        (Joiner::And, Expr::And(inner)) | (Joiner::Or, Expr::Or(inner)) => {
                            flat.extend(inner)
                        }
                        (_, other) => flat.push(other),
                    }
                }
                match joiner {
                    Joiner::And => Expr::And(flat),
                    Joiner::Or => Expr::Or(flat),
                }
            }
        })
    }

    fn term(&mut self) -> Result<Expr, ModelError> {
        self.skip_whitespace();
        if self.peek() == Some('{') {
            self.position += 1;
            let inner = self.expr()?;
            self.skip_whitespace();
            if self.peek() != Some('}') {
                return Err(self.syntax_error("`}` to close the group, `&&` or `||`"));
            }
            self.position += 1;
            return Ok(inner);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ModelError> {
        let path = self.path()?;
        self.skip_whitespace();
        let op = self.op()?;
        self.skip_whitespace();
        let value = self.value()?;
        Ok(Expr::Cmp { path, op, value })
    }

    fn path(&mut self) -> Result<FieldPath, ModelError> {
        let mut segments = Vec::new();
        loop {
            let start = self.position;
            while self.peek().is_some_and(is_name_char) {
                self.position += 1;
            }
            if self.position == start {
                let expected = if segments.is_empty() {
                    "a field name"
                } else {
                    "a field name after `.`"
                };
                return Err(self.syntax_error(expected));
            }
            segments.push(self.chars[start..self.position].iter().collect());
            if self.peek() != Some('.') {
                return Ok(FieldPath(segments));
            }
            self.position += 1;
        }
    }

    fn op(&mut self) -> Result<Op, ModelError> {
        let (op, width) = match (self.peek(), self.peek_at(1)) {
            (Some('!'), Some('=')) => (Op::Ne, 2),
            (Some('>'), Some('=')) => (Op::Ge, 2),
            (Some('<'), Some('=')) => (Op::Le, 2),
            (Some('='), _) => (Op::Eq, 1),
            (Some('~'), _) => (Op::Contains, 1),
            (Some('>'), _) => (Op::Gt, 1),
            (Some('<'), _) => (Op::Lt, 1),
            _ => return Err(self.syntax_error("an operator (=, !=, ~, >, <, >=, <=)")),
        };
        self.position += width;
        Ok(op)
    }

    fn value(&mut self) -> Result<Literal, ModelError> {
        if self.peek() == Some('"') {
            return self.quoted_value();
        }
        let start = self.position;
        while self.peek().is_some_and(|character| character != '}') && self.at_joiner().is_none() {
            if matches!(self.peek(), Some('=' | '<' | '>' | '~')) {
                return Err(self.syntax_error(
                    "`&&` or `||` before the next comparison (quote values containing = < > ~)",
                ));
            }
            self.position += 1;
        }
        let text: String = self.chars[start..self.position].iter().collect();
        let text = text.trim();
        if text.is_empty() {
            self.position = start;
            return Err(self.syntax_error("a value"));
        }
        Ok(Literal {
            text: text.to_owned(),
            quoted: false,
        })
    }

    fn quoted_value(&mut self) -> Result<Literal, ModelError> {
        self.position += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => return Err(self.syntax_error("`\"` to close the quoted value")),
                Some('"') => {
                    self.position += 1;
                    return Ok(Literal { text, quoted: true });
                }
                Some('\\') => {
                    self.position += 1;
                    match self.peek() {
                        Some(escaped @ ('"' | '\\')) => {
                            text.push(escaped);
                            self.position += 1;
                        }
                        _ => {
                            return Err(
                                self.syntax_error("`\\\"` or `\\\\` after `\\` in a quoted value")
                            )
                        }
                    }
                }
                Some(character) => {
                    text.push(character);
                    self.position += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
