//! Webhook consumers (Codat's `WebhookConsumer`): the receivers of client events, each with
//! the event types and company tags it subscribes to and its own signing secret, encrypted at
//! rest like credentials (the consumer id is the associated data).
//!
//! This module stores consumers only; which events go to which consumer, and how they are
//! signed and sent, is the server's business.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret as _, SecretString};
use uuid::Uuid;

use crate::crypto::CONSUMER_SECRET;
use crate::error::StoreError;
use crate::store::{now, with_pool, Store};

/// A stored webhook consumer (without its secret; see [`Store::webhook_consumer_secret`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookConsumer {
    /// Its id.
    pub id: Uuid,
    /// Where events are POSTed.
    pub url: String,
    /// The event types it receives; empty for every type.
    pub event_types: Vec<String>,
    /// Only events of companies with one of these `tagKey:tagValue` tags; `None` for every
    /// company.
    pub company_tags: Option<Vec<String>>,
    /// A disabled consumer receives nothing.
    pub disabled: bool,
    /// When it was created.
    pub created: DateTime<Utc>,
}

/// A consumer to create.
#[derive(Clone)]
#[non_exhaustive]
pub struct NewWebhookConsumer {
    /// Where events are POSTed.
    pub url: String,
    /// The event types it receives; empty for every type.
    pub event_types: Vec<String>,
    /// Company tags it is limited to, if any.
    pub company_tags: Option<Vec<String>>,
    /// Whether it starts disabled.
    pub disabled: bool,
    /// Its signing secret (stored encrypted).
    pub secret: SecretString,
}

impl NewWebhookConsumer {
    /// A consumer of `url` signed with `secret`, for every event type and company, enabled.
    pub fn new(url: impl Into<String>, secret: SecretString) -> Self {
        NewWebhookConsumer {
            url: url.into(),
            event_types: Vec::new(),
            company_tags: None,
            disabled: false,
            secret,
        }
    }

    /// Limits it to these event types (empty: every type).
    pub fn with_event_types(mut self, event_types: Vec<String>) -> Self {
        self.event_types = event_types;
        self
    }

    /// Limits it to companies with one of these tags.
    pub fn with_company_tags(mut self, company_tags: Option<Vec<String>>) -> Self {
        self.company_tags = company_tags;
        self
    }

    /// Sets whether it starts disabled.
    pub fn with_disabled(mut self, disabled: bool) -> Self {
        self.disabled = disabled;
        self
    }
}

impl std::fmt::Debug for NewWebhookConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewWebhookConsumer")
            .field("url", &self.url)
            .field("event_types", &self.event_types)
            .field("company_tags", &self.company_tags)
            .field("disabled", &self.disabled)
            .field("secret", &"[redacted]")
            .finish()
    }
}

const COLUMNS: &str = "id, url, event_types, company_tags, disabled, created_at";

#[derive(sqlx::FromRow)]
struct ConsumerRow {
    id: Uuid,
    url: String,
    event_types: String,
    company_tags: Option<String>,
    disabled: bool,
    created_at: DateTime<Utc>,
}

fn strings(column: &'static str, text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::CorruptValue {
        column,
        value: text.to_owned(),
    })
}

impl TryFrom<ConsumerRow> for WebhookConsumer {
    type Error = StoreError;

    fn try_from(row: ConsumerRow) -> Result<Self, StoreError> {
        Ok(WebhookConsumer {
            id: row.id,
            url: row.url,
            event_types: strings("webhook_consumers.event_types", &row.event_types)?,
            company_tags: row
                .company_tags
                .as_deref()
                .map(|text| strings("webhook_consumers.company_tags", text))
                .transpose()?,
            disabled: row.disabled,
            created: row.created_at,
        })
    }
}

fn json(values: &[String]) -> String {
    serde_json::Value::from(values.to_vec()).to_string()
}

impl Store {
    /// Stores a new consumer; its secret is encrypted.
    pub async fn create_webhook_consumer(
        &self,
        consumer: &NewWebhookConsumer,
    ) -> Result<WebhookConsumer, StoreError> {
        let id = Uuid::new_v4();
        let secret = self
            .key
            .encrypt(consumer.secret.expose_secret(), id, CONSUMER_SECRET)?;
        let sql = format!(
            "INSERT INTO webhook_consumers (id, url, event_types, company_tags, disabled, secret, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
        );
        let row: ConsumerRow = with_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(id)
                .bind(&consumer.url)
                .bind(json(&consumer.event_types))
                .bind(consumer.company_tags.as_deref().map(json))
                .bind(consumer.disabled)
                .bind(secret)
                .bind(now())
                .fetch_one(pool)
                .await?
        });
        row.try_into()
    }

    /// Every consumer, oldest first.
    pub async fn list_webhook_consumers(&self) -> Result<Vec<WebhookConsumer>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM webhook_consumers ORDER BY created_at, id");
        let rows: Vec<ConsumerRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        });
        rows.into_iter().map(WebhookConsumer::try_from).collect()
    }

    /// One consumer with its secret, decrypted; `None` when there is no such consumer
    /// (it may have been deleted since an event was queued for it).
    pub async fn webhook_consumer_secret(
        &self,
        id: Uuid,
    ) -> Result<Option<(WebhookConsumer, SecretString)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            consumer: ConsumerRow,
            secret: Vec<u8>,
        }
        let sql = format!("SELECT {COLUMNS}, secret FROM webhook_consumers WHERE id = $1");
        let row: Option<Row> = with_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        let Some(row) = row else {
            return Ok(None);
        };
        let secret = self.key.decrypt(&row.secret, id, CONSUMER_SECRET)?;
        Ok(Some((row.consumer.try_into()?, secret)))
    }

    /// Deletes a consumer; `false` when there was none. Its pending deliveries are given up
    /// by the dispatcher when they come due.
    pub async fn delete_webhook_consumer(&self, id: Uuid) -> Result<bool, StoreError> {
        let deleted = with_pool!(self, pool => {
            sqlx::query("DELETE FROM webhook_consumers WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(deleted > 0)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use sqlx::migrate::Migrator;

    use crate::{EncryptionKey, Store};

    /// Upgrading a database that already holds outbox rows: each row becomes a delivery of its
    /// own event to the implicit consumer (`COMMERCE_WEBHOOK_URL`), nothing else changes.
    #[tokio::test]
    async fn migration_0015_keeps_existing_deliveries() {
        let dir = std::env::temp_dir().join(format!("commerce-0015-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("old.db").display());
        let all: Migrator = sqlx::migrate!("./migrations/sqlite");
        let before = Migrator {
            migrations: Cow::Owned(
                all.migrations
                    .iter()
                    .filter(|migration| migration.version < 15)
                    .cloned()
                    .collect(),
            ),
            ..Migrator::DEFAULT
        };
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        before.run(&pool).await.unwrap();
        let id = uuid::Uuid::new_v4();
        sqlx::query(
            "INSERT INTO client_webhook_events (id, event_type, company_id, body, status, \
             attempts, created_at, next_attempt_at) \
             VALUES ($1, 'read.completed', $2, '{\"a\":1}', 'Pending', 2, $3, $3)",
        )
        .bind(id)
        .bind(uuid::Uuid::new_v4())
        .bind(chrono::Utc::now())
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;

        let store = Store::connect(&url, EncryptionKey::generate())
            .await
            .unwrap();
        let event = store.get_client_event(id).await.unwrap();
        assert_eq!(event.event_id, id);
        assert_eq!(event.consumer_id, Some(uuid::Uuid::from_u128(1)));
        assert_eq!((event.attempts, event.body.as_str()), (2, "{\"a\":1}"));
        assert!(store.list_webhook_consumers().await.unwrap().is_empty());
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
