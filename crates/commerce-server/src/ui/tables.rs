//! The record tables of a connection: which data types the dashboard lists, their columns, and
//! how a record's JSON becomes table cells (text, as the model wrote it; amounts exactly as
//! stored, never through floating point).
//!
//! Must not depend on any platform crate.

use commerce_model::DataType;
use serde::Serialize;
use serde_json::Value;

/// A table the connection page links to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TableSpec {
    /// The URL segment (`payments`).
    pub(crate) slug: &'static str,
    /// The heading (`Payments`).
    pub(crate) title: &'static str,
    pub(crate) data_type: DataType,
    pub(crate) columns: &'static [Column],
    /// Example queries shown under the query box.
    pub(crate) examples: &'static [&'static str],
}

/// One column: a heading and where its value is in the record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub(crate) label: &'static str,
    /// Field names from the record down; an array on the way is read at its first element.
    pub(crate) path: &'static [&'static str],
    pub(crate) kind: Kind,
}

/// How a value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    /// An identifier, in a monospace font.
    Code,
    /// A money amount, right-aligned: every stored digit kept, padded to the currency's
    /// decimals and grouped by thousands. The path is the currency's.
    Amount(&'static [&'static str]),
    /// A Codat date-time, shown to the minute with the full value in `<time datetime>`.
    Date,
    /// How many elements an array has.
    Count,
}

const fn column(label: &'static str, path: &'static [&'static str], kind: Kind) -> Column {
    Column { label, path, kind }
}

pub(crate) const TABLES: &[TableSpec] = &[
    TableSpec {
        slug: "payments",
        title: "Payments",
        data_type: DataType::Payments,
        columns: &[
            column("ID", &["id"], Kind::Code),
            column("Created", &["createdDate"], Kind::Date),
            column("Amount", &["amount"], Kind::Amount(&["currency"])),
            column("Currency", &["currency"], Kind::Text),
            column("Status", &["status"], Kind::Text),
            column("Type", &["type"], Kind::Text),
            column("Method", &["paymentMethodRef", "name"], Kind::Text),
        ],
        examples: &["status=Paid", "amount>100", "currency=EUR&&status=Paid"],
    },
    TableSpec {
        slug: "transactions",
        title: "Transactions",
        data_type: DataType::Transactions,
        columns: &[
            column("ID", &["id"], Kind::Code),
            column("Created", &["createdDate"], Kind::Date),
            column("Type", &["type"], Kind::Text),
            column("Sub-type", &["subType"], Kind::Text),
            column("Amount", &["totalAmount"], Kind::Amount(&["currency"])),
            column("Currency", &["currency"], Kind::Text),
            column("Source", &["transactionSourceRef", "id"], Kind::Code),
        ],
        examples: &[
            "type=PaymentFee",
            "totalAmount<0",
            "currency=USD&&type=Payment",
        ],
    },
    TableSpec {
        slug: "disputes",
        title: "Disputes",
        data_type: DataType::Disputes,
        columns: &[
            column("ID", &["id"], Kind::Code),
            column("Created", &["createdDate"], Kind::Date),
            column("Status", &["status"], Kind::Text),
            column("Reason", &["reason"], Kind::Text),
            column("Amount", &["totalAmount"], Kind::Amount(&["currency"])),
            column("Currency", &["currency"], Kind::Text),
            column("Due", &["dueDate"], Kind::Date),
            column("Payment", &["disputedTransactions", "id"], Kind::Code),
        ],
        examples: &["status=Won", "reason~fraud"],
    },
    TableSpec {
        slug: "customers",
        title: "Customers",
        data_type: DataType::Customers,
        columns: &[
            column("ID", &["id"], Kind::Code),
            column("Name", &["customerName"], Kind::Text),
            column("Email", &["emailAddress"], Kind::Text),
            column("Phone", &["phone"], Kind::Text),
            column("Currency", &["defaultCurrency"], Kind::Text),
            column("City", &["addresses", "city"], Kind::Text),
            column("Created", &["createdDate"], Kind::Date),
        ],
        examples: &["customerName~smith", "addresses.country=FR"],
    },
    TableSpec {
        slug: "products",
        title: "Products",
        data_type: DataType::Products,
        columns: &[
            column("ID", &["id"], Kind::Code),
            column("Name", &["name"], Kind::Text),
            column("Status", &["status"], Kind::Text),
            column(
                "Price",
                &["variants", "prices", "unitPrice"],
                Kind::Amount(&["variants", "prices", "currency"]),
            ),
            column("Currency", &["variants", "prices", "currency"], Kind::Text),
            column("Variants", &["variants"], Kind::Count),
            column("Created", &["createdDate"], Kind::Date),
        ],
        examples: &["name~mug", "status=Published"],
    },
];

/// The table with URL segment `slug`.
pub(crate) fn table(slug: &str) -> Option<&'static TableSpec> {
    TABLES.iter().find(|table| table.slug == slug)
}

/// One cell, ready for the template.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Cell {
    /// The text to show (empty when the record has no value).
    pub(crate) text: String,
    /// `text`, `code`, `amount`, `date` or `count`: a CSS class.
    pub(crate) kind: &'static str,
    /// For dates: the full value, for `<time datetime>`.
    pub(crate) datetime: Option<String>,
}

/// The cells of one record, in the order of `columns`.
pub(crate) fn cells(columns: &[Column], record: &Value) -> Vec<Cell> {
    columns.iter().map(|column| cell(column, record)).collect()
}

fn cell(column: &Column, record: &Value) -> Cell {
    let value = lookup(record, column.path);
    let kind = match column.kind {
        Kind::Text => "text",
        Kind::Code => "code",
        Kind::Amount(_) => "amount",
        Kind::Date => "date",
        Kind::Count => "count",
    };
    let (text, datetime) = match (column.kind, value) {
        (Kind::Count, Some(Value::Array(items))) => (items.len().to_string(), None),
        (Kind::Count, _) => ("0".to_owned(), None),
        (Kind::Date, Some(Value::String(date))) => (short_date(date), Some(date.clone())),
        (Kind::Amount(currency), Some(value)) => {
            let currency = lookup(record, currency).map(plain).unwrap_or_default();
            (amount(&plain(value), &currency), None)
        }
        (_, Some(value)) => (plain(value), None),
        (_, None) => (String::new(), None),
    };
    Cell {
        text,
        kind,
        datetime,
    }
}

/// The value at `path`, taking the first element of any array met before the end.
pub(crate) fn lookup<'a>(record: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut current = record;
    for segment in path {
        if let Value::Array(items) = current {
            current = items.first()?;
        }
        current = current.get(segment)?;
    }
    if path.len() > 1 {
        if let Value::Array(items) = current {
            return items.first();
        }
    }
    Some(current)
}

/// A scalar as text: strings unquoted, numbers exactly as stored, null as nothing.
pub(crate) fn plain(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => if *flag { "yes" } else { "no" }.to_owned(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

/// A stored amount for reading: `1284512.5` in USD as `1,284,512.50`. Digits are never dropped
/// or rounded; text that is not a plain decimal number is shown as it is.
pub(crate) fn amount(text: &str, currency: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let plain_number = !whole.is_empty()
        && whole.bytes().all(|byte| byte.is_ascii_digit())
        && fraction.bytes().all(|byte| byte.is_ascii_digit());
    if !plain_number {
        return text.to_owned();
    }
    // The model's currency table (ISO 4217).
    let decimals =
        usize::try_from(commerce_model::currency::display_exponent(currency)).unwrap_or(2);
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let mut fraction = fraction.to_owned();
    while fraction.len() < decimals {
        fraction.push('0');
    }
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

/// `2024-03-01T09:30:12Z` as `2024-03-01 09:30 UTC` (another zone kept as written). Only the
/// space between the day and the time can break a line: the zone follows a no-break space.
pub(crate) fn short_date(date: &str) -> String {
    let Some((day, time)) = date.split_once('T') else {
        return date.to_owned();
    };
    let minutes: String = time.chars().take(5).collect();
    let zone = time
        .find(['+', '-'])
        .map(|at| &time[at..])
        .filter(|zone| *zone != "+00:00");
    match zone {
        Some(zone) => format!("{day} {minutes}\u{a0}{zone}"),
        None if time.ends_with('Z') => format!("{day} {minutes}\u{a0}UTC"),
        None => format!("{day} {minutes}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_follow_paths_into_arrays_and_keep_amounts_exact() {
        let product: Value = serde_json::from_str(
            r#"{"id": "prod_1", "name": "Mug", "createdDate": "2024-03-01T09:30:12Z",
                "variants": [{"prices": [{"unitPrice": 12.50, "currency": "GBP"}]}, {"prices": []}]}"#,
        )
        .unwrap();
        let table = table("products").unwrap();
        let texts: Vec<String> = cells(table.columns, &product)
            .into_iter()
            .map(|cell| cell.text)
            .collect();
        assert_eq!(
            texts,
            [
                "prod_1",
                "Mug",
                "",
                "12.50",
                "GBP",
                "2",
                "2024-03-01 09:30\u{a0}UTC"
            ]
        );
    }

    #[test]
    fn amounts_keep_every_digit_and_show_the_currency_decimals() {
        assert_eq!(amount("1284512.5", "USD"), "1,284,512.50");
        assert_eq!(amount("-12.6", "eur"), "-12.60");
        assert_eq!(amount("0", "USD"), "0.00");
        assert_eq!(amount("500", "JPY"), "500");
        assert_eq!(amount("1.5", "KWD"), "1.500");
        // The model's ISO 4217 table, as the CLI uses it.
        assert_eq!(amount("1250", "ISK"), "1,250");
        assert_eq!(amount("7.25", "CLF"), "7.2500");
        assert_eq!(amount("0.123456", "USD"), "0.123456");
        assert_eq!(amount("123", ""), "123.00");
        assert_eq!(amount("1e3", "USD"), "1e3");
        assert_eq!(amount("n/a", "USD"), "n/a");
    }

    #[test]
    fn dates_are_shortened_with_their_zone() {
        assert_eq!(
            short_date("2024-03-01T09:30:12Z"),
            "2024-03-01 09:30\u{a0}UTC"
        );
        assert_eq!(
            short_date("2024-03-01T09:30:12-05:00"),
            "2024-03-01 09:30\u{a0}-05:00"
        );
        assert_eq!(short_date("2024-03-01T09:30:12"), "2024-03-01 09:30");
        assert_eq!(short_date("2024-03-01"), "2024-03-01");
    }

    #[test]
    fn every_table_has_a_unique_slug_and_an_id_column() {
        for table in TABLES {
            assert_eq!(
                crate::ui::tables::table(table.slug).unwrap().title,
                table.title
            );
            assert_eq!(table.columns[0].path, ["id"]);
        }
    }
}
