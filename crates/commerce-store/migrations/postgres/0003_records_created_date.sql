-- Per-day aggregates (Store::daily_totals) find a date range of a connection's records through
-- this index. Keep in step with migrations/sqlite.
CREATE INDEX records_created_date ON records (connection_id, data_type, (data->>'createdDate'));
