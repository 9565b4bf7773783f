-- The session generation (docs/auth.md): tokens carry it as `sv`; a token of an older generation is refused.
ALTER TABLE users ADD COLUMN session_version integer NOT NULL DEFAULT 0;
