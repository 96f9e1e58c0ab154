-- The whole linked account: the platform's non-secret metadata (a JSON object of strings),
-- handed back to the platform with the credentials.
ALTER TABLE connections ADD COLUMN account_metadata text;

-- Credential refreshes, one at a time per connection across processes: a refresher holds
-- `refresh_owner` until `refresh_until`; `version` grows with every stored change of the
-- credentials, so a waiting refresher can see that another one already refreshed.
ALTER TABLE credentials ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE credentials ADD COLUMN refresh_owner text;
ALTER TABLE credentials ADD COLUMN refresh_until timestamptz;
