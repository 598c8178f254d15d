-- Second factors. TOTP secrets are sealed with storage.encryption_key; recovery codes are kept as
-- keyed hashes; passkeys as their public keys.
CREATE TABLE totp_credentials (
  user_id VARCHAR(64) NOT NULL PRIMARY KEY,
  secret TEXT NOT NULL,
  algorithm VARCHAR(16) NOT NULL,
  digits INTEGER NOT NULL,
  period INTEGER NOT NULL,
  -- The last accepted time step: a code is never accepted twice.
  last_time_step BIGINT,
  confirmed_at DATETIME(3),
  created_at DATETIME(3) NOT NULL,
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE recovery_codes (
  user_id VARCHAR(64) NOT NULL,
  code_hash VARCHAR(255) NOT NULL,
  used_at DATETIME(3),
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (user_id, code_hash),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- A credential id is base64url: 700 characters hold ids of up to 525 bytes (authenticators use 16 to 128).
CREATE TABLE webauthn_credentials (
  id VARCHAR(700) NOT NULL PRIMARY KEY,
  user_id VARCHAR(64) NOT NULL,
  name TEXT NOT NULL,
  public_key TEXT NOT NULL,
  counter BIGINT NOT NULL DEFAULT 0,
  transports TEXT NOT NULL DEFAULT ('[]'),
  device_type VARCHAR(64),
  backed_up BOOLEAN NOT NULL DEFAULT FALSE,
  created_at DATETIME(3) NOT NULL,
  last_used_at DATETIME(3),
  KEY webauthn_credentials_user (user_id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- Every password and second-factor attempt, for brute-force regulation (per username and per IP).
-- The username is whatever was typed, of any length: the indexes hold its first 191 characters.
-- `seq` orders attempts made in the same millisecond as they were recorded (the other engines' row
-- order does that).
CREATE TABLE authentication_attempts (
  seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  id VARCHAR(64) NOT NULL,
  occurred_at DATETIME(3) NOT NULL,
  username TEXT NOT NULL,
  client_ip TEXT,
  factor VARCHAR(32) NOT NULL,
  success BOOLEAN NOT NULL,
  UNIQUE KEY authentication_attempts_id (id),
  KEY authentication_attempts_user (username(191), occurred_at),
  KEY authentication_attempts_ip (client_ip(64), occurred_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
