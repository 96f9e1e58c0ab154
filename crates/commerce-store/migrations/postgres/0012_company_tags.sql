-- Codat's company `tags` (user-defined key-value pairs), as one JSON object per company.
-- Keep in step with migrations/sqlite.
CREATE TABLE company_tags (
    company_id uuid PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    tags       text NOT NULL
);
