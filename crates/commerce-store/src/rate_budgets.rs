//! [`SharedRateBudgets`]: `commerce_model::rate_budget::RateBudgetStore` on PostgreSQL, so
//! every process on one database spends one budget per name.
//!
//! One row per budget (`rate_budgets`, migration 0020) holds the next free slot in
//! microseconds of the database clock; a reservation is one `INSERT ... ON CONFLICT DO UPDATE`
//! whose row lock orders concurrent reservations. SQLite has none: one process owns an SQLite
//! database, so its budgets stay in that process's memory.

use std::time::Duration;

use async_trait::async_trait;
use commerce_model::platform::BoxError;
use commerce_model::rate_budget::RateBudgetStore;
use sqlx::postgres::PgPool;

use crate::store::{Backend, Store};

/// Rate budgets kept in PostgreSQL. Made by [`Store::shared_rate_budgets`].
#[derive(Clone, Debug)]
pub struct SharedRateBudgets {
    pool: PgPool,
}

impl Store {
    /// The rate budgets shared by every process on this database: `Some` on PostgreSQL, `None`
    /// on SQLite (one process; budgets stay in memory).
    pub fn shared_rate_budgets(&self) -> Option<SharedRateBudgets> {
        match &self.backend {
            Backend::Postgres(pool) => Some(SharedRateBudgets { pool: pool.clone() }),
            Backend::Sqlite(_) => None,
        }
    }
}

/// The longest reservation accepted: one hour of slots.
const MAX_SPAN: Duration = Duration::from_secs(3600);

#[async_trait]
impl RateBudgetStore for SharedRateBudgets {
    async fn reserve_slots(
        &self,
        name: &str,
        slots: u32,
        interval: Duration,
    ) -> Result<Duration, BoxError> {
        let span = interval.saturating_mul(slots).min(MAX_SPAN);
        let span_us = i64::try_from(span.as_micros()).unwrap_or(i64::MAX);
        let wait_us: i64 = sqlx::query_scalar(
            "WITH clock AS ( \
                 SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT AS now_us \
             ) \
             INSERT INTO rate_budgets AS budget (name, next_slot_us, updated_at) \
             SELECT $1, clock.now_us + $2, now() FROM clock \
             ON CONFLICT (name) DO UPDATE \
             SET next_slot_us = GREATEST(budget.next_slot_us, \
                     (SELECT now_us FROM clock)) + $2, \
                 updated_at = now() \
             RETURNING next_slot_us - $2 - (SELECT now_us FROM clock)",
        )
        .bind(name)
        .bind(span_us)
        .fetch_one(&self.pool)
        .await?;
        Ok(Duration::from_micros(u64::try_from(wait_us).unwrap_or(0)))
    }
}
