-- Log-first commits (docs/storage.md): `record` is the latest snapshot, at `snapshot_version` when
-- that is set and older than `version`; the log entries after it rebuild the head. Each mutation's
-- entry keeps what replaying it needs: the seed of the engine's random numbers and its version
-- (the clock was frozen at `at`), and the engine time it took (the snapshot budget).
ALTER TABLE tournaments ADD COLUMN snapshot_version integer;
ALTER TABLE mutation_log ADD COLUMN seed bigint, ADD COLUMN engine text, ADD COLUMN engine_ms real;
-- Snapshots keep the record's exact text: jsonb reorders object keys, and replay must start from
-- the record exactly as the server held it (json also stores and reads back without conversion).
ALTER TABLE tournaments ALTER COLUMN record TYPE json USING record::json;
-- The same for the directives replay runs: the engine copies objects from their params into the
-- record, in their key order.
ALTER TABLE mutation_log ALTER COLUMN methods TYPE json USING methods::json;
