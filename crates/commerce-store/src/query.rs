//! Translation of a Codat `query` and `orderBy` into SQL for SQLite and PostgreSQL.
//!
//! Semantics, the same on both engines:
//! - A path is dot-separated field names (`customerRef.id`); each name must match
//!   `[A-Za-z0-9_]+`, anything else is [`StoreError::InvalidQuery`].
//! - Arrays: where a path meets an array (at any level, the last included), the clause holds
//!   when it holds for **any** element: `addresses.city=Paris` matches a record with one
//!   address in Paris among several; `tags=a` matches `"tags": ["a", "b"]`.
//! - A value that parses as a number (`100`, `-2.5`, `1e3`) compares numerically with JSON
//!   numbers; with `=`/`!=` it also matches JSON strings of the same text (`id=100`), while
//!   `>`/`<`/`>=`/`<=` with a number only match numbers. Any other value compares textually
//!   with JSON strings (dates are ISO 8601 text, so textual order is time order). `true`/`false` also match JSON booleans.
//!   A quoted value (`"100"`) is always text. Textual comparison is by code point
//!   (binary), on both engines.
//! - `~` (contains) matches JSON strings containing the value, ASCII case-insensitively (on
//!   PostgreSQL non-ASCII letters are folded too); `%`, `_` and `\` in the value are literal.
//! - `!=` holds when no element equals the value, including when the field is missing.
//! - Values are always bound as parameters, never spliced into the SQL text. Paths are bound
//!   too, except the name of a field the data type declares scalar
//!   ([`DataType::scalar_fields`]), which is validated (`[A-Za-z0-9_]+`) and written into the
//!   SQL as a literal so that the expression matches the store's indexes (migration 0007).
//!
//! How a comparison runs: on a declared scalar field, directly on the extracted value (one JSON
//! lookup per row; an equality with a text value on an indexed field reads only matching rows
//! through the index). Such a field is never an array, so the result is the same as the general
//! form. On SQLite, any other single field is read with `json_each(data, path)` (one parse per
//! row); longer paths unwrap arrays level by level.
//!
//! Ordering: numbers first (numerically), then everything else as text; missing values last
//! in both directions; ties broken by record id. Ordering does not look into arrays.
//!
//! Must not depend on any platform crate.

use commerce_model::{DataType, Expr, Literal, Op, OrderBy};

use crate::error::StoreError;
use crate::store::Engine;

/// A value bound to a `$N` parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bind {
    Text(String),
    Real(f64),
}

/// SQL fragments and their binds, numbered from a given first parameter.
#[derive(Debug)]
pub(crate) struct SqlBuilder {
    engine: Engine,
    data_type: DataType,
    first_param: usize,
    pub(crate) binds: Vec<Bind>,
}

impl SqlBuilder {
    pub(crate) fn new(engine: Engine, data_type: DataType, first_param: usize) -> Self {
        Self {
            engine,
            data_type,
            first_param,
            binds: Vec::new(),
        }
    }

    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.first_param + self.binds.len() - 1)
    }

    /// The next free parameter number.
    pub(crate) fn next_param(&self) -> usize {
        self.first_param + self.binds.len()
    }

    /// A boolean SQL expression over the row alias `r` for `expr`.
    pub(crate) fn filter(&mut self, expr: &Expr) -> Result<String, StoreError> {
        match expr {
            Expr::And(parts) | Expr::Or(parts) if parts.is_empty() => Ok("TRUE".to_owned()),
            Expr::And(parts) => self.join(parts, " AND "),
            Expr::Or(parts) => self.join(parts, " OR "),
            Expr::Cmp { path, op, value } => {
                let path = path.segments();
                validate_path(path)?;
                let exists = match path {
                    [name] if self.data_type.scalar_field(name).is_some() => {
                        self.scalar(name, *op, value)
                    }
                    _ => self.exists(path, *op, value),
                };
                Ok(if *op == Op::Ne {
                    format!("NOT {exists}")
                } else {
                    exists
                })
            }
        }
    }

    fn join(&mut self, parts: &[Expr], separator: &str) -> Result<String, StoreError> {
        let mut sql = Vec::with_capacity(parts.len());
        for part in parts {
            sql.push(format!("({})", self.filter(part)?));
        }
        Ok(sql.join(separator))
    }

    /// `EXISTS (...)`: some value at `path` (arrays unwrapped) satisfies `op value`
    /// (`Ne` is built as `Eq` and negated by the caller).
    fn exists(&mut self, path: &[String], op: Op, literal: &Literal) -> String {
        let value = Value::of(literal);
        match self.engine {
            Engine::Sqlite if path.len() == 1 => {
                // `json_each(data, path)` gives the elements of an array, one row for a scalar,
                // the members of an object (text keys, left out: an object is no match) and no
                // row when the field is missing.
                let key = self.bind(Bind::Text(sqlite_path(path)));
                let condition = self.sqlite_condition("j1.value", "j1.type", op, &value);
                format!(
                    "EXISTS (SELECT 1 FROM json_each(r.data, {key}) AS j1 \
                     WHERE typeof(j1.key) <> 'text' AND {condition})"
                )
            }
            Engine::Sqlite => {
                let mut from = Vec::with_capacity(path.len());
                for (level, segment) in path.iter().enumerate() {
                    let key = self.bind(Bind::Text(sqlite_member(segment)));
                    let alias = format!("j{}", level + 1);
                    let source = if level == 0 {
                        format!(
                            "CASE WHEN json_type(r.data, {key}) = 'array' THEN json_extract(r.data, {key}) \
                             ELSE json_array(r.data -> {key}) END"
                        )
                    } else {
                        let parent = format!("j{level}");
                        format!(
                            "CASE WHEN {parent}.type <> 'object' THEN '[]' \
                             WHEN json_type({parent}.value, {key}) = 'array' THEN json_extract({parent}.value, {key}) \
                             ELSE json_array({parent}.value -> {key}) END"
                        )
                    };
                    from.push(format!("json_each({source}) AS {alias}"));
                }
                let leaf = format!("j{}", path.len());
                let value_sql = format!("{leaf}.value");
                let type_sql = format!("{leaf}.type");
                let condition = self.sqlite_condition(&value_sql, &type_sql, op, &value);
                format!(
                    "EXISTS (SELECT 1 FROM {} WHERE {condition})",
                    from.join(", ")
                )
            }
            Engine::Postgres => {
                let json_path = self.bind(Bind::Text(postgres_json_path(path)));
                let condition = self.postgres_condition("j.v", op, &value);
                format!(
                    "EXISTS (SELECT 1 FROM jsonb_path_query(r.data, {json_path}::jsonpath) AS j(v) WHERE {condition})"
                )
            }
        }
    }

    /// `op value` on the declared scalar field `name` (`Ne` is built as `Eq` and negated by the
    /// caller): the general conditions on the extracted value and its JSON type, except where
    /// one comparison decides. An equality with text is written `extracted = $n AND type =
    /// text`, so that an index on the extracted value serves it; on SQLite a range is written
    /// `extracted > $n AND type ...`, so that the comparison is tested on an index holding the
    /// extracted value before the record is read. Neither form is negated (only `Ne` is), so
    /// their `NULL` for a missing field is never turned into a match.
    fn scalar(&mut self, name: &str, op: Op, literal: &Literal) -> String {
        let value = Value::of(literal);
        let text_equality = op == Op::Eq && value.number.is_none() && value.boolean.is_none();
        let range = matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le) && value.boolean.is_none();
        match self.engine {
            Engine::Sqlite => {
                let extracted = format!("json_extract(r.data, '$.{name}')");
                let json_type = format!("json_type(r.data, '$.{name}')");
                if text_equality {
                    let text = self.bind(Bind::Text(value.text.to_owned()));
                    format!("({extracted} = {text} AND {json_type} = 'text')")
                } else if range {
                    // A number only compares with numbers, other text only with strings.
                    let sql_op = comparison_sql(op);
                    match value.number {
                        Some(number) => {
                            // The JSON is a number: SQLite's value is a REAL, or an INTEGER
                            // that is not a JSON `true`/`false` (also INTEGERs). The `typeof`
                            // test reads the value an index holds, so only integers need the
                            // record's JSON.
                            let bound = self.bind(Bind::Real(number));
                            format!(
                                "({extracted} {sql_op} {bound} AND (typeof({extracted}) = 'real' \
                                 OR (typeof({extracted}) = 'integer' AND {json_type} = 'integer')))"
                            )
                        }
                        None => {
                            // Unary `+` (a no-op) keeps an index on the text (an equality
                            // index, or `records_created_date`) from serving the range: it
                            // would give every match out of id order, to be sorted.
                            let text = self.bind(Bind::Text(value.text.to_owned()));
                            format!("(+{extracted} {sql_op} {text} AND {json_type} = 'text')")
                        }
                    }
                } else {
                    self.sqlite_condition(&extracted, &json_type, op, &value)
                }
            }
            Engine::Postgres => {
                if text_equality {
                    let text = self.bind(Bind::Text(value.text.to_owned()));
                    format!(
                        "((r.data ->> '{name}') = {text} AND jsonb_typeof(r.data -> '{name}') = 'string')"
                    )
                } else {
                    self.postgres_condition(&format!("(r.data -> '{name}')"), op, &value)
                }
            }
        }
    }

    fn sqlite_condition(
        &mut self,
        value_sql: &str,
        type_sql: &str,
        op: Op,
        value: &Value<'_>,
    ) -> String {
        if op == Op::Contains {
            let pattern = self.bind(Bind::Text(like_pattern(value.text)));
            return format!("({type_sql} = 'text' AND {value_sql} LIKE {pattern} ESCAPE '\\')");
        }
        let sql_op = comparison_sql(op);
        let numeric = match value.number {
            Some(number) => {
                let bound = self.bind(Bind::Real(number));
                format!("{value_sql} {sql_op} {bound}")
            }
            None => "FALSE".to_owned(),
        };
        let textual = if value.compares_text(op) {
            let text = self.bind(Bind::Text(value.text.to_owned()));
            format!("{value_sql} {sql_op} {text}")
        } else {
            "FALSE".to_owned()
        };
        let boolean = match value.boolean {
            Some(boolean) => {
                let bound = self.bind(Bind::Text(boolean.to_string()));
                format!("{type_sql} {sql_op} {bound}")
            }
            None => "FALSE".to_owned(),
        };
        format!(
            "(CASE WHEN {type_sql} IN ('integer', 'real') THEN {numeric} \
             WHEN {type_sql} = 'text' THEN {textual} \
             WHEN {type_sql} IN ('true', 'false') THEN {boolean} \
             ELSE FALSE END)"
        )
    }

    fn postgres_condition(&mut self, json: &str, op: Op, value: &Value<'_>) -> String {
        let text_sql = format!("({json} #>> '{{}}')");
        if op == Op::Contains {
            let pattern = self.bind(Bind::Text(like_pattern(value.text)));
            return format!(
                "(jsonb_typeof({json}) = 'string' AND {text_sql} ILIKE {pattern} ESCAPE '\\')"
            );
        }
        let sql_op = comparison_sql(op);
        let numeric = match value.number {
            Some(_) => {
                let bound = self.bind(Bind::Text(value.text.to_owned()));
                format!("{text_sql}::numeric {sql_op} {bound}::numeric")
            }
            None => "FALSE".to_owned(),
        };
        let textual = if value.compares_text(op) {
            let text = self.bind(Bind::Text(value.text.to_owned()));
            format!("{text_sql} COLLATE \"C\" {sql_op} {text}")
        } else {
            "FALSE".to_owned()
        };
        let boolean = match value.boolean {
            Some(boolean) => {
                let bound = self.bind(Bind::Text(boolean.to_string()));
                format!("{text_sql} {sql_op} {bound}")
            }
            None => "FALSE".to_owned(),
        };
        format!(
            "(CASE WHEN jsonb_typeof({json}) = 'number' THEN {numeric} \
             WHEN jsonb_typeof({json}) = 'string' THEN {textual} \
             WHEN jsonb_typeof({json}) = 'boolean' THEN {boolean} \
             ELSE FALSE END)"
        )
    }

    /// The sort keys for `order_by`, then the record id (see [`Ordering`]).
    pub(crate) fn order_by(&mut self, order_by: Option<&OrderBy>) -> Result<Ordering, StoreError> {
        let keys = order_by
            .map(|order_by| order_by.keys.as_slice())
            .unwrap_or_default();
        let mut terms = Vec::with_capacity(keys.len() * 2);
        for key in keys {
            let path = key.path.segments();
            validate_path(path)?;
            let descending = key.descending;
            match self.engine {
                Engine::Sqlite => {
                    let path = self.bind(Bind::Text(sqlite_path(path)));
                    terms.push(SortTerm {
                        expr: format!(
                            "CASE WHEN json_type(r.data, {path}) IN ('integer', 'real') \
                             THEN json_extract(r.data, {path}) END"
                        ),
                        descending,
                    });
                    terms.push(SortTerm {
                        expr: format!(
                            "CASE json_type(r.data, {path}) WHEN 'integer' THEN NULL WHEN 'real' THEN NULL \
                             WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' \
                             ELSE json_extract(r.data, {path}) END"
                        ),
                        descending,
                    });
                }
                Engine::Postgres => {
                    let path = self.bind(Bind::Text(postgres_text_array(path)));
                    terms.push(SortTerm {
                        expr: format!(
                            "CASE WHEN jsonb_typeof(r.data #> {path}::text[]) = 'number' \
                             THEN (r.data #>> {path}::text[])::numeric END"
                        ),
                        descending,
                    });
                    terms.push(SortTerm {
                        expr: format!(
                            "(CASE WHEN jsonb_typeof(r.data #> {path}::text[]) = 'number' THEN NULL \
                             ELSE (r.data #>> {path}::text[]) END) COLLATE \"C\""
                        ),
                        descending,
                    });
                }
            }
        }
        Ok(Ordering { terms })
    }
}

/// One sort key: an expression over the row alias `r` and its direction (missing values last).
#[derive(Debug)]
struct SortTerm {
    expr: String,
    descending: bool,
}

/// A query's order: its sort keys, then the record id ascending.
///
/// A page is read in one statement that returns its records joined into one text
/// ([`Ordering::select_keys`], [`Ordering::outer`]): the keys are selected beside each record
/// so that the aggregate concatenates in the same order as the page was cut, which neither
/// engine promises for an aggregate over an ordered subquery.
#[derive(Debug)]
pub(crate) struct Ordering {
    terms: Vec<SortTerm>,
}

impl Ordering {
    fn render(&self, key: impl Fn(usize, &SortTerm) -> String, id: &str) -> String {
        let mut out: Vec<String> = self
            .terms
            .iter()
            .enumerate()
            .map(|(at, term)| {
                let direction = if term.descending { "DESC" } else { "ASC" };
                format!("{} {direction} NULLS LAST", key(at, term))
            })
            .collect();
        out.push(format!("{id} ASC"));
        out.join(", ")
    }

    /// `ORDER BY` terms (without the keyword) over the row alias `r`.
    pub(crate) fn inner(&self) -> String {
        self.render(|_, term| term.expr.clone(), "r.id")
    }

    /// The sort keys as select-list items `k0`, `k1`... (with a leading comma), or nothing.
    pub(crate) fn select_keys(&self) -> String {
        self.terms
            .iter()
            .enumerate()
            .map(|(at, term)| format!(", {} AS k{at}", term.expr))
            .collect()
    }

    /// `ORDER BY` terms over the selected keys of the subquery alias `p` (and `p.id`).
    pub(crate) fn outer(&self) -> String {
        self.render(|at, _| format!("p.k{at}"), "p.id")
    }
}

/// The comparison value in the forms it can take.
struct Value<'a> {
    text: &'a str,
    /// Set for an unquoted JSON number literal.
    number: Option<f64>,
    /// Set for an unquoted `true`/`false` (any case).
    boolean: Option<bool>,
}

impl<'a> Value<'a> {
    fn of(literal: &'a Literal) -> Self {
        let text = literal.text.as_str();
        let unquoted = !literal.quoted;
        Self {
            text,
            number: parse_number(text).filter(|_| unquoted),
            boolean: literal.as_bool().filter(|_| unquoted),
        }
    }
}

impl Value<'_> {
    /// Whether JSON strings are compared with the text: always, except ranges with a number.
    fn compares_text(&self, op: Op) -> bool {
        self.number.is_none() || matches!(op, Op::Eq | Op::Ne)
    }
}

fn comparison_sql(op: Op) -> &'static str {
    match op {
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Lt => "<",
        Op::Le => "<=",
        // `Ne` is `NOT (... = ...)`; `Contains` does not get here.
        _ => "=",
    }
}

/// Checks that every segment is a plain field name.
pub(crate) fn validate_path(path: &[String]) -> Result<(), StoreError> {
    if path.is_empty() {
        return Err(StoreError::invalid_query("empty property name"));
    }
    for segment in path {
        let mut chars = segment.chars();
        let valid_start = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_start || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::invalid_query(format!(
                "invalid property name {:?} in {:?}",
                segment,
                path.join(".")
            )));
        }
    }
    Ok(())
}

/// A JSON number literal (`-12`, `3.5`, `1e3`), as `f64`; `None` for anything else.
fn parse_number(value: &str) -> Option<f64> {
    let bytes = value.as_bytes();
    let digits_only = |part: &[u8]| !part.is_empty() && part.iter().all(u8::is_ascii_digit);
    let unsigned = value.strip_prefix('-').unwrap_or(value);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (integer, fraction) = match mantissa.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (mantissa, None),
    };
    let valid = !bytes.is_empty()
        && digits_only(integer.as_bytes())
        && fraction.is_none_or(|fraction| digits_only(fraction.as_bytes()))
        && exponent.is_none_or(|exponent| {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            digits_only(exponent.as_bytes())
        });
    if !valid {
        return None;
    }
    value
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
}

fn like_pattern(value: &str) -> String {
    let mut pattern = String::with_capacity(value.len() + 2);
    pattern.push('%');
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// `$."a"` for one member (validated names need no escaping, quoting is belt and braces).
fn sqlite_member(segment: &str) -> String {
    format!("$.\"{segment}\"")
}

fn sqlite_path(path: &[String]) -> String {
    let mut out = String::from("$");
    for segment in path {
        out.push_str(".\"");
        out.push_str(segment);
        out.push('"');
    }
    out
}

/// `lax $."a"."b"[*]`: lax mode unwraps arrays at every member step, `[*]` unwraps the leaf.
fn postgres_json_path(path: &[String]) -> String {
    let mut out = String::from("lax $");
    for segment in path {
        out.push_str(".\"");
        out.push_str(segment);
        out.push('"');
    }
    out.push_str("[*]");
    out
}

fn postgres_text_array(path: &[String]) -> String {
    let quoted: Vec<String> = path
        .iter()
        .map(|segment| format!("\"{segment}\""))
        .collect();
    format!("{{{}}}", quoted.join(","))
}

#[cfg(test)]
mod tests;
