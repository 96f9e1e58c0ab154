use std::time::Duration;

use crate::config::RetryPolicy;
use crate::retry::{
    backoff_cap, parse_retry_after, parse_should_retry, retry_delay, should_retry_response,
};

#[track_caller]
fn check_retry(status: u16, header: Option<&str>, code: Option<&str>, expect: bool) {
    let should_retry = parse_should_retry(header);
    assert_eq!(should_retry_response(status, should_retry, code), expect);
}

#[test]
fn statuses_retried_without_the_header() {
    check_retry(429, None, Some("rate_limit"), true);
    check_retry(409, None, Some("lock_timeout"), true);
    check_retry(409, None, Some("idempotency_key_in_use"), false);
    check_retry(500, None, None, true);
    check_retry(502, None, None, true);
    check_retry(503, None, None, true);
    check_retry(400, None, Some("parameter_invalid"), false);
    check_retry(401, None, None, false);
    check_retry(403, None, None, false);
    check_retry(404, None, Some("resource_missing"), false);
}

#[test]
fn stripe_should_retry_overrides_the_status() {
    check_retry(500, Some("false"), None, false);
    check_retry(429, Some("false"), None, false);
    check_retry(400, Some("true"), None, true);
    check_retry(409, Some("true"), None, true);
    check_retry(500, Some("garbage"), None, true);
}

#[test]
fn retry_after_is_read_in_seconds() {
    assert_eq!(parse_retry_after(Some("2")), Some(Duration::from_secs(2)));
    assert_eq!(
        parse_retry_after(Some(" 0.5 ")),
        Some(Duration::from_millis(500))
    );
    assert_eq!(parse_retry_after(Some("-1")), None);
    assert_eq!(
        parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
        None
    );
    assert_eq!(parse_retry_after(None), None);
}

#[test]
fn backoff_caps_double_up_to_the_maximum() {
    let policy =
        RetryPolicy::default().with_backoff(Duration::from_millis(500), Duration::from_secs(5));
    let caps: Vec<_> = (1..=6).map(|retry| backoff_cap(&policy, retry)).collect();
    let expect: Vec<_> = [500, 1000, 2000, 4000, 5000, 5000]
        .into_iter()
        .map(Duration::from_millis)
        .collect();
    assert_eq!(caps, expect);
    assert_eq!(backoff_cap(&policy, 1000), Duration::from_secs(5));
}

#[test]
fn delays_are_jittered_within_the_cap_and_honour_retry_after() {
    let policy =
        RetryPolicy::default().with_backoff(Duration::from_millis(100), Duration::from_secs(1));
    let delays: Vec<_> = (0..200).map(|_| retry_delay(&policy, 3, None)).collect();
    assert!(delays
        .iter()
        .all(|delay| *delay <= Duration::from_millis(400)));
    // Full jitter spreads the delays: 200 draws are not all the same.
    assert!(delays.iter().any(|delay| *delay != delays[0]));
    let honoured = retry_delay(&policy, 1, Some(Duration::from_secs(3)));
    assert_eq!(honoured, Duration::from_secs(3));
}
