-- Codat's profile (`GET/PUT /profile`: one row) and sync settings (`SyncSetting` lists as
-- JSON arrays): the profile's, and a company's own. Keep in step with migrations/postgres.
CREATE TABLE profile (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    name         TEXT NOT NULL,
    redirect_url TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE profile_sync_settings (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    settings           TEXT NOT NULL,
    overrides_defaults INTEGER NOT NULL,
    updated_at         TEXT NOT NULL
);

CREATE TABLE company_sync_settings (
    company_id         BLOB PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    settings           TEXT NOT NULL,
    overrides_defaults INTEGER NOT NULL,
    updated_at         TEXT NOT NULL
);
