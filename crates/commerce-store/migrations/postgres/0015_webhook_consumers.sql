-- Webhook consumers (Codat's `WebhookConsumer`): each receives the client events it subscribes
-- to, signed with its own secret (encrypted like credentials, the consumer id as associated
-- data). The outbox now holds one row per (event, consumer): `id` is the delivery, `event_id`
-- the event (the body's `id` and the `webhook-id` header), `consumer_id` the receiver. Rows
-- from before this migration went to `COMMERCE_WEBHOOK_URL`, the implicit consumer
-- 00000000-0000-0000-0000-000000000001. Keep in step with migrations/sqlite.
CREATE TABLE webhook_consumers (
    id           UUID PRIMARY KEY,
    url          TEXT NOT NULL,
    -- JSON arrays of strings; an empty `event_types` subscribes to every event type, a NULL
    -- `company_tags` to every company.
    event_types  TEXT NOT NULL,
    company_tags TEXT,
    disabled     BOOLEAN NOT NULL DEFAULT FALSE,
    secret       BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_consumers_created ON webhook_consumers (created_at, id);

ALTER TABLE client_webhook_events ADD COLUMN event_id UUID;
ALTER TABLE client_webhook_events ADD COLUMN consumer_id UUID;
UPDATE client_webhook_events
SET event_id = id, consumer_id = '00000000-0000-0000-0000-000000000001';
CREATE INDEX client_webhook_events_event ON client_webhook_events (event_id);
