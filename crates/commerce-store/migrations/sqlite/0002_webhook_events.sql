-- Webhook events already handled, so a redelivered event is ignored. Keep in step with
-- migrations/postgres.
CREATE TABLE webhook_events (
    platform_key TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (platform_key, event_id)
);
CREATE INDEX webhook_events_received ON webhook_events (received_at);
