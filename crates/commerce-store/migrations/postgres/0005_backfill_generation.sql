-- Mark-and-sweep of full pulls: each record remembers the last full pull (backfill
-- generation) that saw it; the cursor remembers the generation of the backfill in progress.
-- Keep in step with migrations/sqlite.
ALTER TABLE records ADD COLUMN seen_generation uuid;
ALTER TABLE sync_cursors ADD COLUMN backfill_generation uuid;
