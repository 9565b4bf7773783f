-- Log-first commits (docs/storage.md): `record` is the latest snapshot, at `snapshot_version` when
-- that is set and older than `version`; the log entries after it rebuild the head. Each mutation's
-- entry keeps what replaying it needs: the seed of the engine's random numbers and its version
-- (the clock was frozen at `at`), and the engine time it took (the snapshot budget).
ALTER TABLE tournaments ADD COLUMN snapshot_version integer;
ALTER TABLE mutation_log ADD COLUMN seed bigint, ADD COLUMN engine text, ADD COLUMN engine_ms real;
