//! Printing data: aligned tables for people, JSON and CSV for programs (`--format`).

use std::fmt::Write as _;

use clap::ValueEnum;
use serde_json::Value;

/// How data is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum Format {
    /// Aligned columns.
    #[default]
    Table,
    /// JSON.
    Json,
    /// Comma-separated values with a header row.
    Csv,
}

/// Rows under named columns.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    pub(crate) headers: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub(crate) fn new<I, S>(headers: I) -> Table
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are empty).
    pub(crate) fn push<I, S>(&mut self, row: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut row: Vec<String> = row.into_iter().map(Into::into).collect();
        row.resize(self.headers.len(), String::new());
        self.rows.push(row);
    }

    /// Aligned columns, numbers right-aligned, cells cut at 48 characters.
    pub(crate) fn render(&self) -> String {
        const MAX: usize = 48;
        let cells: Vec<Vec<String>> = std::iter::once(&self.headers)
            .chain(&self.rows)
            .map(|row| row.iter().map(|cell| cut(cell, MAX)).collect())
            .collect();
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|column| {
                cells
                    .iter()
                    .map(|row| row[column].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let numeric: Vec<bool> = (0..self.headers.len())
            .map(|column| {
                self.rows.iter().any(|row| !row[column].is_empty())
                    && self
                        .rows
                        .iter()
                        .all(|row| row[column].is_empty() || is_number(&row[column]))
            })
            .collect();
        let mut out = String::new();
        for (index, row) in cells.iter().enumerate() {
            let mut line = String::new();
            for (column, cell) in row.iter().enumerate() {
                if column > 0 {
                    line.push_str("  ");
                }
                let width = widths[column];
                if numeric[column] && index > 0 {
                    let _ = write!(line, "{cell:>width$}");
                } else {
                    let _ = write!(line, "{cell:<width$}");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
            if index == 0 {
                let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
                out.push_str(&rule.join("  "));
                out.push('\n');
            }
        }
        out
    }

    /// CSV with a header row (RFC 4180 quoting).
    pub(crate) fn to_csv(&self) -> String {
        let mut out = String::new();
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            let line: Vec<String> = row.iter().map(|cell| csv_cell(cell)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        out
    }
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

fn is_number(text: &str) -> bool {
    text.parse::<f64>().is_ok()
}

fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A JSON value as a cell: strings bare, numbers as written, arrays as their length of items,
/// objects as JSON, null and missing as empty.
pub(crate) fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(flag)) => flag.to_string(),
        Some(Value::Array(items)) => format!("{} item(s)", items.len()),
        Some(object) => object.to_string(),
    }
}

/// An amount as a cell with its currency's minor-unit digits (ISO 4217, `commerce_model::currency`) (`455.1` USD -> `455.10`,
/// `500` JPY -> `500`, `5.12` KWD -> `5.120`); as [`cell`] when it is not a number.
pub(crate) fn money(amount: Option<&Value>, currency: Option<&Value>) -> String {
    let text = cell(amount);
    let (Ok(mut value), Some(currency)) = (
        rust_decimal::Decimal::from_str_exact(&text),
        currency.and_then(Value::as_str),
    ) else {
        return text;
    };
    // The model's currency table (ISO 4217); never fewer digits than the amount has.
    let digits = commerce_model::currency::display_exponent(currency).max(value.scale());
    value.rescale(digits);
    value.to_string()
}

/// The value at a dotted path (`paymentMethodRef.name`).
pub(crate) fn at<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(record, |value, field| value.get(field))
}

/// Pretty JSON followed by a newline.
pub(crate) fn json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tables_align_and_right_align_numbers() {
        let mut table = Table::new(["id", "amount"]);
        table.push(["ch_1", "10.99"]);
        table.push(["ch_22", "5"]);
        assert_eq!(
            table.render(),
            "id     amount\n-----  ------\nch_1    10.99\nch_22       5\n"
        );
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let mut table = Table::new(["name", "note"]);
        table.push(["Ada, Countess", "said \"hi\""]);
        assert_eq!(
            table.to_csv(),
            "name,note\n\"Ada, Countess\",\"said \"\"hi\"\"\"\n"
        );
    }

    #[test]
    fn money_has_the_currency_digits() {
        let check = |amount: Value, currency: &str, expected: &str| {
            assert_eq!(money(Some(&amount), Some(&json!(currency))), expected);
        };
        check(json!(455.1), "USD", "455.10");
        check(json!(-26.3), "usd", "-26.30");
        check(json!(500), "JPY", "500");
        check(json!(5.12), "KWD", "5.120");
        // The model's ISO 4217 table: whole kronur, and never a digit dropped.
        check(json!(1250), "ISK", "1250");
        check(json!(1.5), "ISK", "1.5");
        check(json!(7.25), "CLF", "7.2500");
        assert_eq!(money(Some(&json!("n/a")), Some(&json!("USD"))), "n/a");
        assert_eq!(money(Some(&json!(1.5)), None), "1.5");
    }

    #[test]
    fn cells_from_json() {
        let record: Value =
            serde_json::from_str(r#"{"a": {"b": "x"}, "n": 1.50, "list": [1, 2], "none": null}"#)
                .unwrap();
        assert_eq!(cell(at(&record, "a.b")), "x");
        assert_eq!(cell(at(&record, "n")), "1.50");
        assert_eq!(cell(at(&record, "list")), "2 item(s)");
        assert_eq!(cell(at(&record, "none")), "");
        assert_eq!(cell(at(&record, "missing.deeper")), "");
    }
}
