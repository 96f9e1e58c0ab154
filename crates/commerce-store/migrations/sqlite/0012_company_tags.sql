-- Codat's company `tags` (user-defined key-value pairs), as one JSON object per company.
-- Keep in step with migrations/postgres.
CREATE TABLE company_tags (
    company_id BLOB PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    tags       TEXT NOT NULL
);
