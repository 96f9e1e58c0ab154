//! The outbox of client webhooks: events for the client's webhook consumers are stored first
//! (one delivery per consumer)
//! ([`Store::enqueue_client_event`]), then claimed by a dispatcher when due
//! ([`Store::claim_due_client_events`]) and every delivery attempt is recorded with the event's
//! new state in one transaction ([`Store::record_delivery_attempt`]). Nothing is lost when the
//! process stops: a pending event, or one claimed by a process that died, becomes due again.
//!
//! This module stores bytes and states only; it knows nothing about HTTP, signatures or the
//! event shapes (the server builds those), and never depends on a platform crate.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use commerce_model::DataType;
use uuid::Uuid;

use crate::convert::{to_i64, to_u64};
use crate::error::StoreError;
use crate::store::{in_transaction, now, truncate, with_pool, Backend, Store};

/// Where a client event's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// Not delivered yet; attempts go on until it is delivered or given up.
    Pending,
    /// The receiver answered `2xx`.
    Delivered,
    /// Given up after the last allowed attempt.
    Failed,
}

impl DeliveryStatus {
    /// The stored and displayed name (`Pending`, `Delivered`, `Failed`).
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "Pending",
            DeliveryStatus::Delivered => "Delivered",
            DeliveryStatus::Failed => "Failed",
        }
    }

    /// Reads [`DeliveryStatus::as_str`]'s names.
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "Pending" => Ok(DeliveryStatus::Pending),
            "Delivered" => Ok(DeliveryStatus::Delivered),
            "Failed" => Ok(DeliveryStatus::Failed),
            other => Err(StoreError::CorruptValue {
                column: "client_webhook_events.status",
                value: other.to_owned(),
            }),
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event to store in the outbox (once per consumer it goes to).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewClientEvent {
    /// The event's id (also inside `body`).
    pub id: Uuid,
    /// E.g. `connection.created`, `read.completed`.
    pub event_type: String,
    /// The company it is about.
    pub company_id: Uuid,
    /// The connection it is about, if one.
    pub connection_id: Option<Uuid>,
    /// The exact JSON text to send.
    pub body: String,
}

impl NewClientEvent {
    /// An event with these fields.
    pub fn new(
        id: Uuid,
        event_type: impl Into<String>,
        company_id: Uuid,
        connection_id: Option<Uuid>,
        body: impl Into<String>,
    ) -> Self {
        NewClientEvent {
            id,
            event_type: event_type.into(),
            company_id,
            connection_id,
            body: body.into(),
        }
    }
}

/// One delivery of a stored client event to one consumer, with its state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientEvent {
    /// The delivery's id (one per event and consumer).
    pub id: Uuid,
    /// The event's id (the body's `id`; the same for every consumer and every attempt).
    pub event_id: Uuid,
    /// The consumer it goes to (see [`Store::list_webhook_consumers`]); `None` only for rows
    /// whose consumer was never recorded.
    pub consumer_id: Option<Uuid>,
    /// E.g. `connection.created`.
    pub event_type: String,
    /// The company it is about.
    pub company_id: Uuid,
    /// The connection it is about, if one.
    pub connection_id: Option<Uuid>,
    /// The exact JSON text sent.
    pub body: String,
    /// Delivery state.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When it was stored.
    pub created: DateTime<Utc>,
    /// When the next attempt is due (`Pending` only; while an attempt is in flight, when the
    /// claim lapses).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was delivered or given up.
    pub completed: Option<DateTime<Utc>>,
    /// When the latest attempt was made.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status in the latest attempt, if it answered.
    pub last_status_code: Option<u16>,
    /// What went wrong in the latest attempt, if anything.
    pub last_error: Option<String>,
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryAttempt {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When it started.
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<u16>,
    /// What went wrong (a non-2xx status, a timeout, a refused connection), if anything.
    pub error: Option<String>,
    /// How long it took.
    pub duration: Duration,
}

impl DeliveryAttempt {
    /// An attempt with these fields (`attempt` is set by [`Store::record_delivery_attempt`]).
    pub fn new(
        attempted_at: DateTime<Utc>,
        status_code: Option<u16>,
        error: Option<String>,
        duration: Duration,
    ) -> Self {
        DeliveryAttempt {
            attempt: 0,
            attempted_at,
            status_code,
            error,
            duration,
        }
    }
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// The receiver took it: the event is `Delivered`.
    Delivered,
    /// Try again at this time: the event stays `Pending`.
    RetryAt(DateTime<Utc>),
    /// No more attempts: the event is `Failed`.
    GiveUp,
}

/// Which events [`Store::list_client_events`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientEventFilter {
    /// Only this company's events.
    pub company_id: Option<Uuid>,
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
    /// Only deliveries of this event.
    pub event_id: Option<Uuid>,
    /// Only deliveries to this consumer.
    pub consumer_id: Option<Uuid>,
}

const COLUMNS: &str =
    "id, event_id, consumer_id, event_type, company_id, connection_id, body, status, attempts, \
     created_at, next_attempt_at, completed_at, last_attempt_at, last_status_code, last_error";

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    event_id: Option<Uuid>,
    consumer_id: Option<Uuid>,
    event_type: String,
    company_id: Uuid,
    connection_id: Option<Uuid>,
    body: String,
    status: String,
    attempts: i32,
    created_at: DateTime<Utc>,
    next_attempt_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    last_attempt_at: Option<DateTime<Utc>>,
    last_status_code: Option<i32>,
    last_error: Option<String>,
}

impl TryFrom<EventRow> for ClientEvent {
    type Error = StoreError;

    fn try_from(row: EventRow) -> Result<Self, StoreError> {
        Ok(ClientEvent {
            id: row.id,
            event_id: row.event_id.unwrap_or(row.id),
            consumer_id: row.consumer_id,
            event_type: row.event_type,
            company_id: row.company_id,
            connection_id: row.connection_id,
            body: row.body,
            status: DeliveryStatus::parse(&row.status)?,
            attempts: u32::try_from(row.attempts).unwrap_or(0),
            created: row.created_at,
            next_attempt_at: row.next_attempt_at,
            completed: row.completed_at,
            last_attempt_at: row.last_attempt_at,
            last_status_code: row
                .last_status_code
                .and_then(|code| u16::try_from(code).ok()),
            last_error: row.last_error,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    attempt: i32,
    attempted_at: DateTime<Utc>,
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i64,
}

impl From<AttemptRow> for DeliveryAttempt {
    fn from(row: AttemptRow) -> Self {
        DeliveryAttempt {
            attempt: u32::try_from(row.attempt).unwrap_or(0),
            attempted_at: row.attempted_at,
            status_code: row.status_code.and_then(|code| u16::try_from(code).ok()),
            error: row.error,
            duration: Duration::from_millis(to_u64(row.duration_ms)),
        }
    }
}

fn later(time: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    time + chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX)
}

impl Store {
    /// Stores an event as `Pending`, due now, once for each of `consumers` (one delivery
    /// each, with its own id), in one transaction; none when `consumers` is empty. Cheap
    /// enough to call from a request handler or an event loop.
    pub async fn enqueue_client_event(
        &self,
        event: &NewClientEvent,
        consumers: &[Uuid],
    ) -> Result<Vec<ClientEvent>, StoreError> {
        if consumers.is_empty() {
            return Ok(Vec::new());
        }
        let created = now();
        let sql = format!(
            "INSERT INTO client_webhook_events (id, event_id, consumer_id, event_type, \
             company_id, connection_id, body, status, attempts, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'Pending', 0, $8, $8) RETURNING {COLUMNS}"
        );
        let rows: Vec<EventRow> = in_transaction!(self, tx => {
            let mut rows = Vec::with_capacity(consumers.len());
            for consumer in consumers {
                let row: EventRow = sqlx::query_as(&sql)
                    .bind(Uuid::new_v4())
                    .bind(event.id)
                    .bind(*consumer)
                    .bind(&event.event_type)
                    .bind(event.company_id)
                    .bind(event.connection_id)
                    .bind(&event.body)
                    .bind(created)
                    .fetch_one(&mut *tx)
                    .await?;
                rows.push(row);
            }
            Ok(rows)
        })?;
        rows.into_iter().map(ClientEvent::try_from).collect()
    }

    /// One event.
    pub async fn get_client_event(&self, id: Uuid) -> Result<ClientEvent, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM client_webhook_events WHERE id = $1");
        let row: Option<EventRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.ok_or_else(|| StoreError::NotFound {
            entity: "client webhook event",
            id: id.to_string(),
        })?
        .try_into()
    }

    /// Claims up to `limit` `Pending` events due at `at` (oldest due first) for one delivery
    /// attempt each: their `next_attempt_at` moves to `at + lease`, so no other dispatcher
    /// (thread or process) claims them meanwhile, and a dispatcher that dies leaves them due
    /// again once the lease lapses. PostgreSQL uses `FOR UPDATE SKIP LOCKED`; SQLite one
    /// atomic `UPDATE ... RETURNING` under its write lock.
    pub async fn claim_due_client_events(
        &self,
        at: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<ClientEvent>, StoreError> {
        let at = truncate(at);
        let pick = "SELECT id FROM client_webhook_events WHERE status = 'Pending' \
                    AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $3";
        let pick = match &self.backend {
            Backend::Sqlite(_) => pick.to_owned(),
            Backend::Postgres(_) => format!("{pick} FOR UPDATE SKIP LOCKED"),
        };
        let sql = format!(
            "UPDATE client_webhook_events SET next_attempt_at = $2 WHERE id IN ({pick}) \
             RETURNING {COLUMNS}"
        );
        let rows: Vec<EventRow> = with_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(at)
                .bind(later(at, lease))
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        let mut events = rows
            .into_iter()
            .map(ClientEvent::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        events.sort_by_key(|event| (event.created, event.id));
        Ok(events)
    }

    /// When the earliest `Pending` event is due, if any (for a dispatcher to sleep until then).
    pub async fn next_client_event_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let due: Option<DateTime<Utc>> = with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT next_attempt_at FROM client_webhook_events WHERE status = 'Pending' \
                 ORDER BY next_attempt_at LIMIT 1",
            )
            .fetch_optional(pool)
            .await?
            .flatten()
        });
        Ok(due)
    }

    /// Records an attempt on a `Pending` event and moves it on as `outcome` says, in one
    /// transaction. Returns the event as it is now (the attempt is numbered from 1).
    /// An event that is no longer `Pending` (another dispatcher finished it) is an
    /// [`StoreError::InvalidTransition`].
    pub async fn record_delivery_attempt(
        &self,
        event_id: Uuid,
        attempt: &DeliveryAttempt,
        outcome: AttemptOutcome,
    ) -> Result<ClientEvent, StoreError> {
        let recorded_at = now();
        let (status, next, completed) = match outcome {
            AttemptOutcome::Delivered => (DeliveryStatus::Delivered, None, Some(recorded_at)),
            AttemptOutcome::RetryAt(at) => (DeliveryStatus::Pending, Some(truncate(at)), None),
            AttemptOutcome::GiveUp => (DeliveryStatus::Failed, None, Some(recorded_at)),
        };
        let attempted_at = truncate(attempt.attempted_at);
        let status_code = attempt.status_code.map(i32::from);
        let duration_ms = to_i64(u64::try_from(attempt.duration.as_millis()).unwrap_or(u64::MAX));
        let update = format!(
            "UPDATE client_webhook_events SET attempts = attempts + 1, status = $2, \
             next_attempt_at = $3, completed_at = $4, last_attempt_at = $5, \
             last_status_code = $6, last_error = $7 \
             WHERE id = $1 AND status = 'Pending' RETURNING {COLUMNS}"
        );
        let row: EventRow = in_transaction!(self, tx => {
            let row: Option<EventRow> = sqlx::query_as(&update)
                .bind(event_id)
                .bind(status.as_str())
                .bind(next)
                .bind(completed)
                .bind(attempted_at)
                .bind(status_code)
                .bind(&attempt.error)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                let current: Option<String> = sqlx::query_scalar(
                    "SELECT status FROM client_webhook_events WHERE id = $1",
                )
                .bind(event_id)
                .fetch_optional(&mut *tx)
                .await?;
                return Err(match current {
                    Some(from) => StoreError::InvalidTransition {
                        entity: "client webhook event",
                        id: event_id.to_string(),
                        from,
                        to: status.as_str().to_owned(),
                    },
                    None => StoreError::NotFound {
                        entity: "client webhook event",
                        id: event_id.to_string(),
                    },
                });
            };
            sqlx::query(
                "INSERT INTO client_webhook_attempts (event_id, attempt, attempted_at, status_code, \
                 error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(event_id)
            .bind(row.attempts)
            .bind(attempted_at)
            .bind(status_code)
            .bind(&attempt.error)
            .bind(duration_ms)
            .execute(&mut *tx)
            .await?;
            Ok(row)
        })?;
        row.try_into()
    }

    /// Every attempt on an event, first first.
    pub async fn list_delivery_attempts(
        &self,
        event_id: Uuid,
    ) -> Result<Vec<DeliveryAttempt>, StoreError> {
        let rows: Vec<AttemptRow> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT attempt, attempted_at, status_code, error, duration_ms \
                 FROM client_webhook_attempts WHERE event_id = $1 ORDER BY attempt",
            )
            .bind(event_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(DeliveryAttempt::from).collect())
    }

    /// Events matching `filter`, newest first, `limit` from `offset`, and how many match.
    pub async fn list_client_events(
        &self,
        filter: &ClientEventFilter,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<ClientEvent>, u64), StoreError> {
        let condition = "($1 IS NULL OR company_id = $1) AND ($2 IS NULL OR status = $2) \
             AND ($3 IS NULL OR event_id = $3) AND ($4 IS NULL OR consumer_id = $4)";
        let count = format!("SELECT COUNT(*) FROM client_webhook_events WHERE {condition}");
        let list = format!(
            "SELECT {COLUMNS} FROM client_webhook_events WHERE {condition} \
             ORDER BY created_at DESC, id DESC LIMIT $5 OFFSET $6"
        );
        let status = filter.status.map(DeliveryStatus::as_str);
        let (rows, total): (Vec<EventRow>, i64) = with_pool!(self, pool => {
            let total: i64 = sqlx::query_scalar(&count)
                .bind(filter.company_id)
                .bind(status)
                .bind(filter.event_id)
                .bind(filter.consumer_id)
                .fetch_one(pool)
                .await?;
            let rows = sqlx::query_as(&list)
                .bind(filter.company_id)
                .bind(status)
                .bind(filter.event_id)
                .bind(filter.consumer_id)
                .bind(to_i64(limit))
                .bind(to_i64(offset))
                .fetch_all(pool)
                .await?;
            (rows, total)
        });
        let events = rows
            .into_iter()
            .map(ClientEvent::try_from)
            .collect::<Result<_, _>>()?;
        Ok((events, to_u64(total)))
    }

    /// The type of the latest `connection.*` event stored for a connection, if any (to avoid
    /// announcing the same state change twice).
    pub async fn last_connection_event_type(
        &self,
        connection_id: Uuid,
    ) -> Result<Option<String>, StoreError> {
        let found: Option<String> = with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT event_type FROM client_webhook_events WHERE connection_id = $1 \
                 AND event_type LIKE 'connection.%' ORDER BY created_at DESC LIMIT 1",
            )
            .bind(connection_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(found)
    }

    /// Whether any record of the connection's `data_type` was created, changed or deleted at
    /// or after `since` (a record's modification time moves only when its content changes).
    pub async fn records_modified_since(
        &self,
        connection_id: Uuid,
        data_type: DataType,
        since: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let found: Option<i32> = with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT 1 FROM records WHERE connection_id = $1 AND data_type = $2 \
                 AND modified_date >= $3 LIMIT 1",
            )
            .bind(connection_id)
            .bind(data_type.key())
            .bind(truncate(since))
            .fetch_optional(pool)
            .await?
        });
        Ok(found.is_some())
    }
}
