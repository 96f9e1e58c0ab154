-- Live record counts per (connection, data type), kept by triggers in the same transaction as
-- the records themselves, so a page's `totalResults` without a filter is one row read instead
-- of a COUNT over the connection. `version` grows on every change to the pair's records: a
-- filtered count cached in memory is reused only while the version is unchanged.
-- Keep in step with migrations/sqlite.
CREATE TABLE record_counts (
    connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    data_type     text COLLATE "C" NOT NULL,
    live          bigint NOT NULL DEFAULT 0,
    version       bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (connection_id, data_type)
);

INSERT INTO record_counts (connection_id, data_type, live, version)
    SELECT connection_id, data_type, COUNT(*) FILTER (WHERE NOT deleted), 1
    FROM records GROUP BY connection_id, data_type;

CREATE FUNCTION records_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO record_counts (connection_id, data_type, live, version)
        VALUES (NEW.connection_id, NEW.data_type, CASE WHEN NEW.deleted THEN 0 ELSE 1 END, 1)
        ON CONFLICT (connection_id, data_type) DO UPDATE
        SET live = record_counts.live + excluded.live, version = record_counts.version + 1;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE record_counts
        SET live = live + (CASE WHEN NEW.deleted THEN 0 ELSE 1 END)
                        - (CASE WHEN OLD.deleted THEN 0 ELSE 1 END),
            version = version + 1
        WHERE connection_id = NEW.connection_id AND data_type = NEW.data_type;
    ELSE
        UPDATE record_counts
        SET live = live - (CASE WHEN OLD.deleted THEN 0 ELSE 1 END), version = version + 1
        WHERE connection_id = OLD.connection_id AND data_type = OLD.data_type;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER records_count AFTER INSERT OR UPDATE OR DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION records_count_change();

-- Live records in the default order (by id): pages step through this index.
CREATE INDEX records_live ON records (connection_id, data_type, id) WHERE deleted = FALSE;
