-- Live record counts per (connection, data type), kept by triggers in the same transaction as
-- the records themselves, so a page's `totalResults` without a filter is one row read instead
-- of a COUNT over the connection. `version` grows on every change to the pair's records: a
-- filtered count cached in memory is reused only while the version is unchanged.
-- Keep in step with migrations/postgres.
CREATE TABLE record_counts (
    connection_id BLOB NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    data_type     TEXT NOT NULL,
    live          INTEGER NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (connection_id, data_type)
);

INSERT INTO record_counts (connection_id, data_type, live, version)
    SELECT connection_id, data_type, SUM(CASE WHEN deleted THEN 0 ELSE 1 END), 1
    FROM records GROUP BY connection_id, data_type;

CREATE TRIGGER records_count_insert AFTER INSERT ON records
BEGIN
    INSERT INTO record_counts (connection_id, data_type, live, version)
    VALUES (NEW.connection_id, NEW.data_type, CASE WHEN NEW.deleted THEN 0 ELSE 1 END, 1)
    ON CONFLICT (connection_id, data_type) DO UPDATE
    SET live = live + excluded.live, version = version + 1;
END;

CREATE TRIGGER records_count_update AFTER UPDATE ON records
BEGIN
    UPDATE record_counts
    SET live = live + (CASE WHEN NEW.deleted THEN 0 ELSE 1 END)
                    - (CASE WHEN OLD.deleted THEN 0 ELSE 1 END),
        version = version + 1
    WHERE connection_id = NEW.connection_id AND data_type = NEW.data_type;
END;

CREATE TRIGGER records_count_delete AFTER DELETE ON records
BEGIN
    UPDATE record_counts
    SET live = live - (CASE WHEN OLD.deleted THEN 0 ELSE 1 END), version = version + 1
    WHERE connection_id = OLD.connection_id AND data_type = OLD.data_type;
END;

-- Live records in the default order (by id): pages, deep pages included, step through this
-- index without reading the table rows they skip.
CREATE INDEX records_live ON records (connection_id, data_type, id) WHERE deleted = FALSE;
