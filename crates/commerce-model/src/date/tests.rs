use chrono::{TimeZone, Utc};

use crate::Timestamp;

#[track_caller]
fn check(input: &str, expect_variant: &str, expect_written: &str) {
    let parsed: Timestamp = input.parse().unwrap();
    let variant = match parsed {
        Timestamp::Utc(_) => "Utc",
        Timestamp::Offset(_) => "Offset",
        Timestamp::Local(_) => "Local",
        Timestamp::Date(_) => "Date",
    };
    assert_eq!(variant, expect_variant, "{input}");
    assert_eq!(parsed.to_string(), expect_written, "{input}");
    let json = serde_json::to_string(&parsed).unwrap();
    assert_eq!(json, format!("\"{expect_written}\""));
    let back: Timestamp = serde_json::from_str(&json).unwrap();
    assert_eq!(back, parsed);
}

#[test]
fn every_codat_date_form_reads_and_writes_back_unchanged() {
    check("2021-11-15T06:00:00Z", "Utc", "2021-11-15T06:00:00Z");
    check(
        "2021-02-11T12:12:13.1988465Z",
        "Utc",
        "2021-02-11T12:12:13.198846500Z",
    );
    check(
        "2022-09-30T11:18:28.123Z",
        "Utc",
        "2022-09-30T11:18:28.123Z",
    );
    check(
        "2021-11-15T01:00:00-05:00",
        "Offset",
        "2021-11-15T01:00:00-05:00",
    );
    check(
        "2021-11-15T01:00:00+00:00",
        "Offset",
        "2021-11-15T01:00:00+00:00",
    );
    check("2021-11-15T01:00:00", "Local", "2021-11-15T01:00:00");
    check("2019-03-07T16:50:49.5", "Local", "2019-03-07T16:50:49.500");
    check("0001-01-01T00:00:00", "Local", "0001-01-01T00:00:00");
    check("2022-10-23", "Date", "2022-10-23");
}

#[test]
fn utc_values_are_written_rfc3339_with_z() {
    let created = Timestamp::from_unix_seconds(1_605_804_966).unwrap();
    assert_eq!(created.to_string(), "2020-11-19T16:56:06Z");
    let from_chrono = Timestamp::from(Utc.with_ymd_and_hms(2022, 9, 30, 11, 18, 28).unwrap());
    assert_eq!(
        serde_json::to_string(&from_chrono).unwrap(),
        "\"2022-09-30T11:18:28Z\""
    );
}

#[test]
fn lossy_utc_and_sentinel() {
    let offset: Timestamp = "2021-11-15T01:00:00-05:00".parse().unwrap();
    assert_eq!(
        offset.to_utc_lossy(),
        Utc.with_ymd_and_hms(2021, 11, 15, 6, 0, 0).unwrap()
    );
    let date: Timestamp = "2022-10-23".parse().unwrap();
    assert_eq!(
        date.to_utc_lossy(),
        Utc.with_ymd_and_hms(2022, 10, 23, 0, 0, 0).unwrap()
    );
    assert!("0001-01-01T00:00:00"
        .parse::<Timestamp>()
        .unwrap()
        .is_sentinel());
    assert!(!date.is_sentinel());
}

#[test]
fn garbage_is_an_error_naming_the_value() {
    let err = "next tuesday".parse::<Timestamp>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid date \"next tuesday\": expected an ISO 8601 date or date-time"
    );
    assert!(serde_json::from_str::<Timestamp>("\"2021-13-45\"").is_err());
    assert!(serde_json::from_str::<Timestamp>("12").is_err());
}
