-- The outbox of webhooks to the client's URL (Codat-style events) and every delivery attempt.
-- No foreign keys: an event outlives the company or connection it is about (connection.deleted).
-- `body` is the exact JSON sent (and signed) on every attempt. Keep in step with
-- migrations/postgres.
CREATE TABLE client_webhook_events (
    id              BLOB PRIMARY KEY,
    event_type      TEXT NOT NULL,
    company_id      BLOB NOT NULL,
    connection_id   BLOB,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT,
    completed_at    TEXT,
    -- The latest attempt, for lists (every attempt is in client_webhook_attempts).
    last_attempt_at  TEXT,
    last_status_code INTEGER,
    last_error       TEXT
);
CREATE INDEX client_webhook_events_due ON client_webhook_events (status, next_attempt_at);
CREATE INDEX client_webhook_events_created ON client_webhook_events (created_at, id);
CREATE INDEX client_webhook_events_company ON client_webhook_events (company_id, created_at);
CREATE INDEX client_webhook_events_connection ON client_webhook_events (connection_id, created_at);

CREATE TABLE client_webhook_attempts (
    event_id     BLOB NOT NULL REFERENCES client_webhook_events (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    attempted_at TEXT NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (event_id, attempt)
);
