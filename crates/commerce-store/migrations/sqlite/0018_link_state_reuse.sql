-- Link states keep their value sealed (AES-256-GCM under the store's encryption key, bound to
-- the connection), so that `GET /link/{connectionId}` can hand out an unexpired state of the
-- connection again instead of adding a row per request. Rows from before have none and are not
-- reused. The index serves the reuse lookup and the per-connection cap.
-- Keep in step with migrations/postgres.
ALTER TABLE link_states ADD COLUMN state_sealed BLOB;
CREATE INDEX link_states_connection ON link_states (connection_id, expires_at);
