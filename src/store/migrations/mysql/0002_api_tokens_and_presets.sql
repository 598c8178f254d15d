-- Applications remember the catalogue entry they were made from, so their guide can be shown later.
ALTER TABLE applications ADD COLUMN preset VARCHAR(255);

-- Admin API tokens: only a SHA-256 of the token is kept (the token itself is 256 random bits).
CREATE TABLE api_tokens (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash VARCHAR(255) NOT NULL,
  scopes MEDIUMTEXT NOT NULL DEFAULT ('[]'),
  created_by TEXT,
  created_at DATETIME(3) NOT NULL,
  expires_at DATETIME(3),
  last_used_at DATETIME(3),
  revoked_at DATETIME(3),
  UNIQUE KEY api_tokens_hash (token_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
