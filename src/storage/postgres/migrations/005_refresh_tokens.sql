-- Refresh tokens (docs/auth.md): only their SHA-256 is stored. A chain (family) is one sign-in and
-- every rotation of it; sv is the user's session generation when the token was issued. A token is
-- live while retired_at is null and expires_at is ahead.
CREATE TABLE refresh_tokens (
  hash       text        PRIMARY KEY,
  family_id  text        NOT NULL,
  user_id    text        NOT NULL,
  email      text        NOT NULL,
  sv         integer     NOT NULL,
  expires_at timestamptz NOT NULL,
  retired_at timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);
