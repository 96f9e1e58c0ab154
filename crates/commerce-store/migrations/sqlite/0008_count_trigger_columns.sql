-- The live count and version of a (connection, data type) change only with a record's `data` or
-- `deleted`: marking records as seen by a full pull (`seen_generation`) no longer fires the
-- count trigger for each of them. Keep in step with migrations/postgres.
DROP TRIGGER records_count_update;

CREATE TRIGGER records_count_update AFTER UPDATE OF data, deleted ON records
BEGIN
    UPDATE record_counts
    SET live = live + (CASE WHEN NEW.deleted THEN 0 ELSE 1 END)
                    - (CASE WHEN OLD.deleted THEN 0 ELSE 1 END),
        version = version + 1
    WHERE connection_id = NEW.connection_id AND data_type = NEW.data_type;
END;
