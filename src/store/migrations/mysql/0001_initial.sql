-- Sesame's first schema (MySQL / MariaDB). Text is utf8mb4 with a binary, no-pad collation, so that
-- values compare exactly as on the other engines (case and trailing spaces count); where they compare
-- regardless of case (usernames, e-mail addresses, group names), an indexed generated column holds
-- lower(value). Times are DATETIME(3) in UTC; JSON lives in text columns, as on the other engines.
-- Indexed text is VARCHAR (an index key is at most 3072 bytes, 4 per character).
CREATE TABLE users (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  username VARCHAR(255) NOT NULL,
  username_lower VARCHAR(255) AS (lower(username)) STORED,
  email VARCHAR(320),
  email_lower VARCHAR(320) AS (lower(email)) STORED,
  email_verified BOOLEAN NOT NULL DEFAULT FALSE,
  display_name TEXT,
  given_name TEXT,
  family_name TEXT,
  picture TEXT,
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  source VARCHAR(32) NOT NULL DEFAULT 'local',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY users_username_unique (username_lower),
  KEY users_email (email_lower)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE "groups" (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  name_lower VARCHAR(255) AS (lower(name)) STORED,
  is_admin BOOLEAN NOT NULL DEFAULT FALSE,
  source VARCHAR(32) NOT NULL DEFAULT 'local',
  created_at DATETIME(3) NOT NULL,
  UNIQUE KEY groups_name_unique (name_lower)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE user_groups (
  user_id VARCHAR(64) NOT NULL,
  group_id VARCHAR(64) NOT NULL,
  PRIMARY KEY (user_id, group_id),
  KEY user_groups_group (group_id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  FOREIGN KEY (group_id) REFERENCES "groups" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE password_credentials (
  user_id VARCHAR(64) NOT NULL PRIMARY KEY,
  digest TEXT NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE oauth_clients (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  client_id VARCHAR(255) NOT NULL,
  name TEXT NOT NULL,
  secret_digest TEXT,
  public BOOLEAN NOT NULL DEFAULT FALSE,
  redirect_uris MEDIUMTEXT NOT NULL DEFAULT ('[]'),
  post_logout_redirect_uris MEDIUMTEXT NOT NULL DEFAULT ('[]'),
  scopes MEDIUMTEXT NOT NULL DEFAULT ('[]'),
  grant_types MEDIUMTEXT NOT NULL DEFAULT ('[]'),
  response_types MEDIUMTEXT NOT NULL DEFAULT ('[]'),
  consent_mode VARCHAR(64) NOT NULL,
  pre_configured_consent_duration BIGINT,
  authorization_policy VARCHAR(255) NOT NULL,
  allowed_groups MEDIUMTEXT NOT NULL DEFAULT ('[]'),
  token_endpoint_auth_method VARCHAR(64) NOT NULL,
  id_token_signed_response_alg VARCHAR(64) NOT NULL,
  userinfo_signed_response_alg VARCHAR(64) NOT NULL,
  access_token_signed_response_alg VARCHAR(64) NOT NULL,
  require_pkce BOOLEAN NOT NULL DEFAULT FALSE,
  subject_mode VARCHAR(64) NOT NULL,
  lifespans MEDIUMTEXT NOT NULL DEFAULT ('{}'),
  settings MEDIUMTEXT NOT NULL DEFAULT ('{}'),
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY oauth_clients_client_id (client_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE applications (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  slug VARCHAR(255) NOT NULL,
  name TEXT NOT NULL,
  client_id VARCHAR(64),
  launch_url TEXT,
  icon MEDIUMTEXT,
  description TEXT,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY applications_slug (slug),
  UNIQUE KEY applications_client (client_id),
  FOREIGN KEY (client_id) REFERENCES oauth_clients (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE signing_keys (
  kid VARCHAR(255) NOT NULL PRIMARY KEY,
  algorithm VARCHAR(64) NOT NULL,
  "use" VARCHAR(16) NOT NULL DEFAULT 'sig',
  private_jwk MEDIUMTEXT NOT NULL,
  public_jwk MEDIUMTEXT NOT NULL,
  status VARCHAR(32) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  retired_at DATETIME(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE oidc_artifacts (
  model VARCHAR(64) NOT NULL,
  id VARCHAR(512) NOT NULL,
  payload MEDIUMTEXT NOT NULL,
  grant_id VARCHAR(255),
  uid VARCHAR(255),
  user_code VARCHAR(255),
  expires_at DATETIME(3),
  consumed_at DATETIME(3),
  PRIMARY KEY (model, id),
  KEY oidc_artifacts_expires (expires_at),
  KEY oidc_artifacts_grant (grant_id),
  KEY oidc_artifacts_uid (model, uid),
  KEY oidc_artifacts_user_code (model, user_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE audit_events (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  occurred_at DATETIME(3) NOT NULL,
  type VARCHAR(255) NOT NULL,
  actor TEXT,
  subject TEXT,
  client_ip TEXT,
  request_id TEXT,
  details MEDIUMTEXT NOT NULL DEFAULT ('{}'),
  KEY audit_events_time (occurred_at),
  KEY audit_events_type (type, occurred_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
