-- API keys made through `POST /apiKeys` (keys from COMMERCE_API_KEYS are never stored).
-- Only the key's SHA-256 is kept; the key itself is shown once, when it is created.
-- Keep in step with migrations/postgres.
CREATE TABLE api_keys (
    id         BLOB PRIMARY KEY,
    name       TEXT,
    key_hash   BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX api_keys_created ON api_keys (created_at, id);
