-- commerce-store schema, SQLite flavour. Keep in step with migrations/postgres.

CREATE TABLE companies (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT,
    redirect    TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX companies_created ON companies (created_at, id);

CREATE TABLE connections (
    id                  BLOB PRIMARY KEY,
    company_id          BLOB NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    platform_key        TEXT NOT NULL,
    status              TEXT NOT NULL,
    external_account_id TEXT,
    livemode            INTEGER,
    scope               TEXT,
    last_error          TEXT,
    last_error_at       TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX connections_company ON connections (company_id, created_at);
CREATE INDEX connections_external_account ON connections (platform_key, external_account_id);

-- Tokens are AES-256-GCM ciphertexts (version byte || 96-bit nonce || ciphertext+tag).
CREATE TABLE credentials (
    connection_id BLOB PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    access_token  BLOB NOT NULL,
    refresh_token BLOB,
    expires_at    TEXT,
    updated_at    TEXT NOT NULL
);

-- The state itself is never stored, only its SHA-256.
CREATE TABLE link_states (
    state_hash    TEXT PRIMARY KEY,
    connection_id BLOB NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX link_states_expiry ON link_states (expires_at);

CREATE TABLE records (
    connection_id        BLOB NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    data_type            TEXT NOT NULL,
    id                   TEXT NOT NULL,
    data                 TEXT NOT NULL,
    content_hash         TEXT NOT NULL,
    source_modified_date TEXT,
    modified_date        TEXT NOT NULL,
    deleted              INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (connection_id, data_type, id)
);
CREATE INDEX records_modified ON records (connection_id, data_type, modified_date);

CREATE TABLE datasets (
    id               BLOB PRIMARY KEY,
    connection_id    BLOB NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    data_type        TEXT NOT NULL,
    status           TEXT NOT NULL,
    error_message    TEXT,
    pages            INTEGER NOT NULL DEFAULT 0,
    records          INTEGER NOT NULL DEFAULT 0,
    requested_at     TEXT NOT NULL,
    started_at       TEXT,
    completed_at     TEXT,
    updated_at       TEXT NOT NULL,
    lease_owner      TEXT,
    lease_expires_at TEXT
);
-- At most one dataset in progress per (connection, data type): queueing another is a conflict.
CREATE UNIQUE INDEX datasets_one_in_progress ON datasets (connection_id, data_type)
    WHERE status IN ('Initial', 'Queued', 'Fetching', 'MapQueued', 'Mapping', 'ProcessingQueued',
                     'Processing', 'ValidationQueued', 'Validating');
CREATE INDEX datasets_claim ON datasets (status, requested_at);
CREATE INDEX datasets_connection ON datasets (connection_id, data_type, requested_at);

CREATE TABLE dataset_issues (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_id BLOB NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    record_id  TEXT,
    severity   TEXT NOT NULL,
    message    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX dataset_issues_dataset ON dataset_issues (dataset_id, id);

CREATE TABLE sync_cursors (
    connection_id     BLOB NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    data_type         TEXT NOT NULL,
    cursor            TEXT,
    backfill_complete INTEGER NOT NULL DEFAULT 0,
    last_event_at     TEXT,
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (connection_id, data_type)
);
