use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Amount(#[serde(with = "crate::money")] Decimal);

#[track_caller]
fn check(decimal: &str, expect_json: &str) {
    let value = Amount(Decimal::from_str(decimal).unwrap());
    let json = serde_json::to_string(&value).unwrap();
    assert_eq!(json, expect_json, "writing {decimal}");
    let back: Amount = serde_json::from_str(&json).unwrap();
    assert_eq!(back.0, value.0, "reading back {json}");
    // Through serde_json::Value too (the store keeps JSON values).
    let via_value = serde_json::to_value(&value).unwrap();
    assert_eq!(via_value.to_string(), expect_json);
}

#[test]
fn money_is_written_as_a_json_number() {
    check("10.99", "10.99");
    check("500", "500");
    check("500.00", "500");
    check("10.50", "10.5");
    check("-0.9", "-0.9");
    check("0", "0");
    check("5.120", "5.12");
    check("20053.23", "20053.23");
    check("0.000001", "1e-6");
    check("123456789012.345", "123456789012.345");
}

#[cfg(feature = "arbitrary-precision")]
#[test]
fn long_money_is_written_exactly_with_arbitrary_precision() {
    // More digits than f64 can carry: written exactly through arbitrary precision.
    check("1234567890123456.789", "1234567890123456.789");
    check(
        "79228162514264337593543950335",
        "79228162514264337593543950335",
    );
}

#[cfg(not(feature = "arbitrary-precision"))]
#[test]
fn long_money_is_written_as_the_nearest_number_without_arbitrary_precision() {
    let value = Amount(Decimal::from_str("1234567890123456.789").unwrap());
    let json = serde_json::to_string(&value).unwrap();
    assert_eq!(json, "1234567890123456.8");
    // A numeric string still reads exactly.
    let back: Amount = serde_json::from_str("\"1234567890123456.789\"").unwrap();
    assert_eq!(back, value);
}

#[track_caller]
fn check_read(json: &str, expect: &str) {
    let value: Amount = serde_json::from_str(json).unwrap();
    assert_eq!(value.0, Decimal::from_str(expect).unwrap());
}

#[test]
fn money_reads_numbers_and_numeric_strings() {
    check_read("10.99", "10.99");
    check_read("\"10.99\"", "10.99");
    check_read("25", "25");
    check_read("-47.66", "-47.66");
    check_read("1.5e2", "150");
    check_read("0.1", "0.1");
}

#[test]
fn money_rejects_non_numbers() {
    assert!(serde_json::from_str::<Amount>("\"ten\"").is_err());
    assert!(serde_json::from_str::<Amount>("true").is_err());
}

#[test]
fn optional_money_reads_null_and_skips_none() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Row {
        #[serde(
            default,
            with = "crate::money::option",
            skip_serializing_if = "Option::is_none"
        )]
        amount: Option<Decimal>,
    }
    let row: Row = serde_json::from_str(r#"{"amount":null}"#).unwrap();
    assert_eq!(row, Row { amount: None });
    let row: Row = serde_json::from_str(r#"{"amount":""}"#).unwrap();
    assert_eq!(row, Row { amount: None });
    assert!(serde_json::from_str::<Row>(r#"{"amount":"x"}"#).is_err());
    let row: Row = serde_json::from_str(r#"{"amount":"1.25"}"#).unwrap();
    assert_eq!(row.amount, Some(Decimal::new(125, 2)));
    let row: Row = serde_json::from_str(r#"{}"#).unwrap();
    assert_eq!(serde_json::to_string(&row).unwrap(), "{}");
    let row: Row = serde_json::from_str(r#"{"amount":12.3}"#).unwrap();
    assert_eq!(serde_json::to_string(&row).unwrap(), r#"{"amount":12.3}"#);
}
