use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::limiter::{RateLimiter, RequestBudget};

/// The most acquisitions that fall in any window `[t, t + window)`.
fn max_in_window(times: &[Instant], window: Duration) -> usize {
    let mut sorted = times.to_vec();
    sorted.sort();
    let mut best = 0;
    for (start_idx, start) in sorted.iter().enumerate() {
        let n_items = sorted[start_idx..]
            .iter()
            .take_while(|time| **time < *start + window)
            .count();
        best = best.max(n_items);
    }
    best
}

#[tokio::test(start_paused = true)]
async fn sequential_requests_hold_the_configured_rate() {
    let limiter = RateLimiter::new(25);
    let start = Instant::now();
    let mut times = Vec::new();
    for _ in 0..101 {
        limiter.acquire().await;
        times.push(Instant::now());
    }
    // 101 requests at 25/s: the first is immediate, the other 100 are 40 ms apart.
    assert_eq!(Instant::now() - start, Duration::from_secs(4));
    assert_eq!(max_in_window(&times, Duration::from_secs(1)), 25);
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_one_rate() {
    let limiter = Arc::new(RateLimiter::new(100));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..300 {
        let limiter = Arc::clone(&limiter);
        tasks.push(tokio::spawn(async move {
            limiter.acquire().await;
            Instant::now()
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.push(task.await.unwrap());
    }
    assert_eq!(max_in_window(&times, Duration::from_secs(1)), 100);
    let last = times.iter().max().copied().unwrap();
    assert_eq!(last - start, Duration::from_millis(2990));
}

#[tokio::test(start_paused = true)]
async fn an_idle_limiter_does_not_bank_a_burst() {
    let limiter = RateLimiter::new(10);
    limiter.acquire().await;
    tokio::time::sleep(Duration::from_secs(30)).await;
    let start = Instant::now();
    for _ in 0..3 {
        limiter.acquire().await;
    }
    assert_eq!(Instant::now() - start, Duration::from_millis(200));
}

#[tokio::test(start_paused = true)]
async fn the_concurrency_cap_bounds_requests_in_flight() {
    let budget = Arc::new(RequestBudget::new(1000, 2));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most_in_flight = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let budget = Arc::clone(&budget);
        let in_flight = Arc::clone(&in_flight);
        let most_in_flight = Arc::clone(&most_in_flight);
        tasks.push(tokio::spawn(async move {
            let _permit = budget.acquire().await;
            let now_in_flight = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            most_in_flight.fetch_max(now_in_flight, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(1)).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(most_in_flight.load(Ordering::SeqCst), 2);
    // Six one-second requests, two at a time: three rounds (plus 1 ms rate spacing).
    let elapsed = Instant::now() - start;
    assert!(
        elapsed >= Duration::from_secs(3) && elapsed < Duration::from_millis(3100),
        "{elapsed:?}"
    );
}
