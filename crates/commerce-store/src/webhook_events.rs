//! Webhook events already handled, keyed by platform and event id, so a redelivered event is
//! recognised and ignored (also across processes sharing a database).

use chrono::{DateTime, Utc};

use crate::error::StoreError;
use crate::store::{now, truncate, with_pool, Store};

impl Store {
    /// Whether the event `event_id` of `platform_key` was already recorded.
    pub async fn webhook_event_seen(
        &self,
        platform_key: &str,
        event_id: &str,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT 1 FROM webhook_events WHERE platform_key = $1 AND event_id = $2",
            )
            .bind(platform_key)
            .bind(event_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(found.is_some())
    }

    /// Records the event `event_id` of `platform_key` as handled. Returns `true` when it is
    /// new, `false` when it was already recorded (a redelivery); concurrent callers with the
    /// same event get `true` exactly once.
    pub async fn record_webhook_event(
        &self,
        platform_key: &str,
        event_id: &str,
    ) -> Result<bool, StoreError> {
        let inserted = with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO webhook_events (platform_key, event_id, received_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (platform_key, event_id) DO NOTHING",
            )
            .bind(platform_key)
            .bind(event_id)
            .bind(now())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(inserted == 1)
    }

    /// Removes the record of one event (after acting on it failed, so that a redelivery is
    /// handled); returns whether there was one.
    pub async fn forget_webhook_event(
        &self,
        platform_key: &str,
        event_id: &str,
    ) -> Result<bool, StoreError> {
        let deleted = with_pool!(self, pool => {
            sqlx::query("DELETE FROM webhook_events WHERE platform_key = $1 AND event_id = $2")
                .bind(platform_key)
                .bind(event_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(deleted == 1)
    }

    /// Forgets events recorded before `before` (platforms stop redelivering after a few days);
    /// returns how many.
    pub async fn purge_webhook_events(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let deleted = with_pool!(self, pool => {
            sqlx::query("DELETE FROM webhook_events WHERE received_at < $1")
                .bind(truncate(before))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(deleted)
    }
}
