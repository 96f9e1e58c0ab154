-- Per-day aggregates (Store::daily_totals) find a date range of a connection's records through
-- this index. The expression must be spelt exactly like the queries' for SQLite to use it.
CREATE INDEX records_created_date
    ON records (connection_id, data_type, json_extract(data, '$.createdDate'));
