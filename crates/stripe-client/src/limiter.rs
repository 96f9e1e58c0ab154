//! Client-side request budget for one platform key: a rate limiter (requests per second) and a
//! concurrency cap, shared by every clone of a [`crate::StripeClient`].
//!
//! Time comes from `tokio::time`, so tests can run it under paused time. No HTTP here.

#[cfg(test)]
mod tests;

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// Spaces requests evenly: at most one request per `1 / rate` seconds, so any window of `w`
/// seconds holds at most `rate * w + 1` requests. No bursts: Stripe counts requests per second
/// and a burst at the start of a second is what trips its limiter.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    interval: Duration,
    next_slot: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// A limiter allowing `requests_per_second` (at least 1).
    pub(crate) fn new(requests_per_second: u32) -> Self {
        let per_second = requests_per_second.max(1);
        Self {
            interval: Duration::from_secs(1) / per_second,
            next_slot: Mutex::new(None),
        }
    }

    /// Waits until this caller may send one request. Slots are handed out in call order.
    pub(crate) async fn acquire(&self) {
        let slot = {
            let mut next_slot = self
                .next_slot
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let now = Instant::now();
            let slot = match *next_slot {
                Some(next) if next > now => next,
                _ => now,
            };
            *next_slot = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// The rate limiter and the concurrency cap together.
#[derive(Debug)]
pub(crate) struct RequestBudget {
    rate: RateLimiter,
    concurrency: Semaphore,
}

impl RequestBudget {
    pub(crate) fn new(requests_per_second: u32, max_concurrency: usize) -> Self {
        Self {
            rate: RateLimiter::new(requests_per_second),
            concurrency: Semaphore::new(max_concurrency.max(1)),
        }
    }

    /// Waits for a free concurrency slot, then for a rate slot. The returned permit is held
    /// while the request is in flight.
    pub(crate) async fn acquire(&self) -> Option<SemaphorePermit<'_>> {
        // The semaphore is never closed, so `acquire` cannot fail; without a permit the
        // request would still be rate limited.
        let permit = self.concurrency.acquire().await.ok();
        self.rate.acquire().await;
        permit
    }
}
