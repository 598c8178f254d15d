-- Applications remember the catalogue entry they were made from, so their guide can be shown later.
ALTER TABLE applications ADD COLUMN preset TEXT;

-- Admin API tokens: only a SHA-256 of the token is kept (the token itself is 256 random bits).
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL DEFAULT '[]',
  created_by TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ,
  last_used_at TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ
);
