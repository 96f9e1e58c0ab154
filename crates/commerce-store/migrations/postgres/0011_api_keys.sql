-- API keys made through `POST /apiKeys` (keys from COMMERCE_API_KEYS are never stored).
-- Only the key's SHA-256 is kept; the key itself is shown once, when it is created.
-- Keep in step with migrations/sqlite.
CREATE TABLE api_keys (
    id         uuid PRIMARY KEY,
    name       text,
    key_hash   bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);
CREATE INDEX api_keys_created ON api_keys (created_at, id);
