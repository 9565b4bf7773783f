-- What each batch changed (for conflict detection against later batches with an older base), the
-- versions it overwrote on purpose (conflictPolicy 'overwrite') and the sign-in that sent it (a
-- token fingerprint: a desk's own batches never conflict). All absent on older entries.
ALTER TABLE mutation_log ADD COLUMN changes jsonb;
ALTER TABLE mutation_log ADD COLUMN overrides integer[];
ALTER TABLE mutation_log ADD COLUMN by_holder text;
