-- Second factors. TOTP secrets are sealed with storage.encryption_key; recovery codes are kept as
-- keyed hashes; passkeys as their public keys.
CREATE TABLE totp_credentials (
  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  digits INTEGER NOT NULL,
  period INTEGER NOT NULL,
  -- The last accepted time step: a code is never accepted twice.
  last_time_step INTEGER,
  confirmed_at INTEGER,
  created_at INTEGER NOT NULL
);

CREATE TABLE recovery_codes (
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at INTEGER,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE webauthn_credentials (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  public_key TEXT NOT NULL,
  counter INTEGER NOT NULL DEFAULT 0,
  transports TEXT NOT NULL DEFAULT '[]',
  device_type TEXT,
  backed_up INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);

-- Every password and second-factor attempt, for brute-force regulation (per username and per IP).
CREATE TABLE authentication_attempts (
  id TEXT PRIMARY KEY,
  occurred_at INTEGER NOT NULL,
  username TEXT NOT NULL,
  client_ip TEXT,
  factor TEXT NOT NULL,
  success INTEGER NOT NULL
);
CREATE INDEX authentication_attempts_user ON authentication_attempts (username, occurred_at);
CREATE INDEX authentication_attempts_ip ON authentication_attempts (client_ip, occurred_at);
