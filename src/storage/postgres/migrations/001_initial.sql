-- Tournament records: the JSON the engine reads and writes, its version and its owner.
CREATE TABLE tournaments (
  tournament_id text PRIMARY KEY,
  provider_id   text,
  version       integer     NOT NULL CHECK (version > 0),
  record        jsonb       NOT NULL,
  -- Length of the JSON text as the server serialised it; bounds in-memory caches without a read.
  bytes         integer     NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX tournaments_provider_idx ON tournaments (provider_id);

-- One entry per accepted version: the audit trail, catch-up for desks and ackId idempotency.
CREATE TABLE mutation_log (
  tournament_id text        NOT NULL,
  version       integer     NOT NULL,
  ack_id        text,
  methods       jsonb       NOT NULL,
  user_id       text        NOT NULL,
  kind          text        NOT NULL CHECK (kind IN ('mutation', 'save')),
  at            timestamptz NOT NULL,
  PRIMARY KEY (tournament_id, version)
);
CREATE UNIQUE INDEX mutation_log_ack_idx ON mutation_log (tournament_id, ack_id) WHERE ack_id IS NOT NULL;

CREATE TABLE users (
  email         text PRIMARY KEY CHECK (email = lower(email)),
  user_id       text        NOT NULL,
  password_hash text        NOT NULL,
  first_name    text,
  last_name     text,
  roles         text[]      NOT NULL,
  permissions   text[]      NOT NULL,
  services      text[]      NOT NULL,
  provider_id   text,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX users_provider_idx ON users (provider_id);

-- The whole provider object is kept as sent (clients add fields); the abbreviation is unique in any case.
CREATE TABLE providers (
  organisation_id text PRIMARY KEY,
  abbreviation    text  NOT NULL,
  data            jsonb NOT NULL
);
CREATE UNIQUE INDEX providers_abbreviation_idx ON providers (lower(abbreviation));

CREATE TABLE calendar_entries (
  tournament_id text PRIMARY KEY,
  provider_id   text  NOT NULL,
  entry         jsonb NOT NULL
);
CREATE INDEX calendar_entries_provider_idx ON calendar_entries (provider_id, tournament_id);

-- One-time codes (invites, password resets).
CREATE TABLE codes (
  kind       text        NOT NULL,
  code       text        NOT NULL,
  data       jsonb       NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (kind, code)
);
CREATE INDEX codes_expires_idx ON codes (expires_at);
