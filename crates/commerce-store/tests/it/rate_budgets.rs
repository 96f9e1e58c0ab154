//! Rate budgets shared through the database: PostgreSQL keeps one slot timeline per name,
//! SQLite has none (one process; budgets stay in memory).

use std::time::Duration;

use commerce_model::rate_budget::RateBudgetStore;
use commerce_store::Engine;

use crate::harness::{both_engines, Harness};

both_engines!(reservations_interleave_without_overlap_and_do_not_bank_bursts);

async fn reservations_interleave_without_overlap_and_do_not_bank_bursts(h: &Harness) {
    let Some(budgets) = h.store.shared_rate_budgets() else {
        assert_eq!(h.store.engine(), Engine::Sqlite);
        return;
    };
    let interval = Duration::from_millis(40);
    // The first reservation starts now; the next ones queue behind it, 5 slots (200 ms) each,
    // whichever handle (process) asks.
    let other = h.store.shared_rate_budgets().unwrap();
    let first = budgets
        .reserve_slots("stripe:test:acct_1", 5, interval)
        .await
        .unwrap();
    assert!(first < Duration::from_millis(5), "{first:?}");
    let second = other
        .reserve_slots("stripe:test:acct_1", 5, interval)
        .await
        .unwrap();
    let third = budgets
        .reserve_slots("stripe:test:acct_1", 5, interval)
        .await
        .unwrap();
    let near = |wait: Duration, expected: u64| {
        let expected = Duration::from_millis(expected);
        wait <= expected && expected - wait < Duration::from_millis(100)
    };
    assert!(near(second, 200), "{second:?}");
    assert!(near(third, 400), "{third:?}");
    // Another name is another budget.
    let elsewhere = other
        .reserve_slots("stripe:test:acct_2", 5, interval)
        .await
        .unwrap();
    assert!(elsewhere < Duration::from_millis(5), "{elsewhere:?}");
    // Many reservations at once never overlap: together they span exactly their slots.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let budgets = h.store.shared_rate_budgets().unwrap();
        tasks.push(tokio::spawn(async move {
            budgets
                .reserve_slots("stripe:test:acct_3", 2, Duration::from_millis(10))
                .await
                .unwrap()
        }));
    }
    let mut waits = Vec::new();
    for task in tasks {
        waits.push(task.await.unwrap());
    }
    waits.sort();
    let last = *waits.last().unwrap();
    // 20 reservations of 20 ms: the last starts about 380 ms after the first.
    assert!(
        last >= Duration::from_millis(300) && last <= Duration::from_millis(400),
        "{waits:?}"
    );
    // An idle budget does not bank a burst: after waiting out the queue, the next reservation
    // starts now.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let later = budgets
        .reserve_slots("stripe:test:acct_1", 5, interval)
        .await
        .unwrap();
    assert!(later < Duration::from_millis(5), "{later:?}");
}
