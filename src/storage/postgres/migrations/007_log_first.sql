-- Log-first commits (docs/storage.md). `tournaments` becomes the small head row a commit moves
-- (version, owner, commit time); whole records live in `tournament_snapshots`, written off the ack
-- path and never locked by a commit. The head's record is the snapshot plus the log entries after it.
CREATE TABLE tournament_snapshots (
  tournament_id text    PRIMARY KEY REFERENCES tournaments (tournament_id) ON DELETE CASCADE,
  version       integer NOT NULL CHECK (version > 0),
  -- json, not jsonb: jsonb reorders object keys, and replay must start from the record exactly as
  -- the server held it (json is also stored and read back without conversion).
  record        json    NOT NULL,
  -- Length of the JSON text; bounds in-memory caches without a read.
  bytes         integer NOT NULL
);
INSERT INTO tournament_snapshots (tournament_id, version, record, bytes)
  SELECT tournament_id, version, record::json, bytes FROM tournaments;
ALTER TABLE tournaments DROP COLUMN record, DROP COLUMN bytes;

-- What replaying a mutation needs: the seed of the engine's random numbers and the engine's
-- version (the clock was frozen at `at`), and the engine time it took (the snapshot budget). The
-- directives as json for the same reason as records: the engine copies params into the record in
-- their key order.
ALTER TABLE mutation_log ADD COLUMN seed bigint, ADD COLUMN engine text, ADD COLUMN engine_ms real;
ALTER TABLE mutation_log ALTER COLUMN methods TYPE json USING methods::json;
