//! Which failures are retried and how long to wait: exponential backoff with full jitter,
//! `Stripe-Should-Retry` and `Retry-After`.
//!
//! Pure functions over statuses, headers and the [`RetryPolicy`]; no I/O.

#[cfg(test)]
mod tests;

use std::time::Duration;

use rand::Rng;

use crate::config::RetryPolicy;

/// Whether a failed response is worth retrying.
///
/// `Stripe-Should-Retry` decides when present. Otherwise: 429, 409 with `lock_timeout`, and
/// every 5xx.
pub(crate) fn should_retry_response(
    status: u16,
    stripe_should_retry: Option<bool>,
    error_code: Option<&str>,
) -> bool {
    if let Some(decision) = stripe_should_retry {
        return decision;
    }
    match status {
        429 => true,
        409 => error_code == Some("lock_timeout"),
        500..=599 => true,
        _ => false,
    }
}

/// Parses `Stripe-Should-Retry: true|false`.
pub(crate) fn parse_should_retry(value: Option<&str>) -> Option<bool> {
    match value?.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Parses `Retry-After` given in seconds (the form Stripe uses).
pub(crate) fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    let seconds: f64 = value?.trim().parse().ok()?;
    if seconds.is_finite() && seconds >= 0.0 {
        Duration::try_from_secs_f64(seconds).ok()
    } else {
        None
    }
}

/// The backoff cap before retry number `retry_number` (1-based):
/// `min(max_delay, base_delay * 2^(retry_number - 1))`.
pub(crate) fn backoff_cap(policy: &RetryPolicy, retry_number: u32) -> Duration {
    let exponent = retry_number.saturating_sub(1).min(31);
    policy
        .base_delay
        .saturating_mul(1_u32 << exponent)
        .min(policy.max_delay)
}

/// The delay before retry number `retry_number`: uniform in `[0, cap]` (full jitter), and at
/// least `retry_after` when Stripe asked for it.
pub(crate) fn retry_delay(
    policy: &RetryPolicy,
    retry_number: u32,
    retry_after: Option<Duration>,
) -> Duration {
    let cap = backoff_cap(policy, retry_number);
    let cap_micros = u64::try_from(cap.as_micros()).unwrap_or(u64::MAX);
    let jittered = Duration::from_micros(rand::thread_rng().gen_range(0..=cap_micros));
    match retry_after {
        Some(retry_after) => jittered.max(retry_after),
        None => jittered,
    }
}
