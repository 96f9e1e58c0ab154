-- Mark-and-sweep of full pulls: each record remembers the last full pull (backfill
-- generation) that saw it; the cursor remembers the generation of the backfill in progress.
-- Keep in step with migrations/postgres.
ALTER TABLE records ADD COLUMN seen_generation BLOB;
ALTER TABLE sync_cursors ADD COLUMN backfill_generation BLOB;
