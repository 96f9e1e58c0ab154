-- commerce-store schema, PostgreSQL flavour. Keep in step with migrations/sqlite.

CREATE TABLE companies (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    description text,
    redirect    text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX companies_created ON companies (created_at, id);

CREATE TABLE connections (
    id                  uuid PRIMARY KEY,
    company_id          uuid NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    platform_key        text NOT NULL,
    status              text NOT NULL,
    external_account_id text,
    livemode            boolean,
    scope               text,
    last_error          text,
    last_error_at       timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX connections_company ON connections (company_id, created_at);
CREATE INDEX connections_external_account ON connections (platform_key, external_account_id);

-- Tokens are AES-256-GCM ciphertexts (version byte || 96-bit nonce || ciphertext+tag).
CREATE TABLE credentials (
    connection_id uuid PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    access_token  bytea NOT NULL,
    refresh_token bytea,
    expires_at    timestamptz,
    updated_at    timestamptz NOT NULL
);

-- The state itself is never stored, only its SHA-256.
CREATE TABLE link_states (
    state_hash    text PRIMARY KEY,
    connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX link_states_expiry ON link_states (expires_at);

CREATE TABLE records (
    connection_id        uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    data_type            text COLLATE "C" NOT NULL,
    id                   text COLLATE "C" NOT NULL,
    data                 jsonb NOT NULL,
    content_hash         text NOT NULL,
    source_modified_date timestamptz,
    modified_date        timestamptz NOT NULL,
    deleted              boolean NOT NULL DEFAULT false,
    PRIMARY KEY (connection_id, data_type, id)
);
CREATE INDEX records_modified ON records (connection_id, data_type, modified_date);

CREATE TABLE datasets (
    id               uuid PRIMARY KEY,
    connection_id    uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    data_type        text NOT NULL,
    status           text NOT NULL,
    error_message    text,
    pages            bigint NOT NULL DEFAULT 0,
    records          bigint NOT NULL DEFAULT 0,
    requested_at     timestamptz NOT NULL,
    started_at       timestamptz,
    completed_at     timestamptz,
    updated_at       timestamptz NOT NULL,
    lease_owner      text,
    lease_expires_at timestamptz
);
-- At most one dataset in progress per (connection, data type): queueing another is a conflict.
CREATE UNIQUE INDEX datasets_one_in_progress ON datasets (connection_id, data_type)
    WHERE status IN ('Initial', 'Queued', 'Fetching', 'MapQueued', 'Mapping', 'ProcessingQueued',
                     'Processing', 'ValidationQueued', 'Validating');
CREATE INDEX datasets_claim ON datasets (status, requested_at);
CREATE INDEX datasets_connection ON datasets (connection_id, data_type, requested_at);

CREATE TABLE dataset_issues (
    id         bigserial PRIMARY KEY,
    dataset_id uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    record_id  text,
    severity   text NOT NULL,
    message    text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX dataset_issues_dataset ON dataset_issues (dataset_id, id);

CREATE TABLE sync_cursors (
    connection_id     uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    data_type         text NOT NULL,
    cursor            text,
    backfill_complete boolean NOT NULL DEFAULT false,
    last_event_at     timestamptz,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (connection_id, data_type)
);
