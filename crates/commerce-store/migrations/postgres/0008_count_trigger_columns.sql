-- The live count and version of a (connection, data type) change only with a record's `data` or
-- `deleted`: marking records as seen by a full pull (`seen_generation`) no longer fires the
-- count trigger for each of them. Keep in step with migrations/sqlite.
DROP TRIGGER records_count ON records;

CREATE TRIGGER records_count AFTER INSERT OR UPDATE OF data, deleted OR DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION records_count_change();
