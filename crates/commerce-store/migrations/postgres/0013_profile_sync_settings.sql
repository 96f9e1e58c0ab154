-- Codat's profile (`GET/PUT /profile`: one row) and sync settings (`SyncSetting` lists as
-- JSON arrays): the profile's, and a company's own. Keep in step with migrations/sqlite.
CREATE TABLE profile (
    id           integer PRIMARY KEY CHECK (id = 1),
    name         text NOT NULL,
    redirect_url text NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE profile_sync_settings (
    id                 integer PRIMARY KEY CHECK (id = 1),
    settings           text NOT NULL,
    overrides_defaults boolean NOT NULL,
    updated_at         timestamptz NOT NULL
);

CREATE TABLE company_sync_settings (
    company_id         uuid PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    settings           text NOT NULL,
    overrides_defaults boolean NOT NULL,
    updated_at         timestamptz NOT NULL
);
