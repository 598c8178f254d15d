-- Sesame's first schema (PostgreSQL). Timestamps are timestamptz; JSON lives in TEXT so both engines read it the same way.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  email TEXT,
  email_verified BOOLEAN NOT NULL DEFAULT false,
  display_name TEXT,
  given_name TEXT,
  family_name TEXT,
  picture TEXT,
  disabled BOOLEAN NOT NULL DEFAULT false,
  source TEXT NOT NULL DEFAULT 'local',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_username_unique ON users (lower(username));
CREATE INDEX users_email ON users (lower(email));

CREATE TABLE groups (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  is_admin BOOLEAN NOT NULL DEFAULT false,
  source TEXT NOT NULL DEFAULT 'local',
  created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX groups_name_unique ON groups (lower(name));

CREATE TABLE user_groups (
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, group_id)
);
CREATE INDEX user_groups_group ON user_groups (group_id);

CREATE TABLE password_credentials (
  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE oauth_clients (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  secret_digest TEXT,
  public BOOLEAN NOT NULL DEFAULT false,
  redirect_uris TEXT NOT NULL DEFAULT '[]',
  post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]',
  scopes TEXT NOT NULL DEFAULT '[]',
  grant_types TEXT NOT NULL DEFAULT '[]',
  response_types TEXT NOT NULL DEFAULT '[]',
  consent_mode TEXT NOT NULL,
  pre_configured_consent_duration BIGINT,
  authorization_policy TEXT NOT NULL,
  allowed_groups TEXT NOT NULL DEFAULT '[]',
  token_endpoint_auth_method TEXT NOT NULL,
  id_token_signed_response_alg TEXT NOT NULL,
  userinfo_signed_response_alg TEXT NOT NULL,
  access_token_signed_response_alg TEXT NOT NULL,
  require_pkce BOOLEAN NOT NULL DEFAULT false,
  subject_mode TEXT NOT NULL,
  lifespans TEXT NOT NULL DEFAULT '{}',
  settings TEXT NOT NULL DEFAULT '{}',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE applications (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  client_id TEXT UNIQUE REFERENCES oauth_clients (id) ON DELETE SET NULL,
  launch_url TEXT,
  icon TEXT,
  description TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  algorithm TEXT NOT NULL,
  use TEXT NOT NULL DEFAULT 'sig',
  private_jwk TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  retired_at TIMESTAMPTZ
);

CREATE TABLE oidc_artifacts (
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  payload TEXT NOT NULL,
  grant_id TEXT,
  uid TEXT,
  user_code TEXT,
  expires_at TIMESTAMPTZ,
  consumed_at TIMESTAMPTZ,
  PRIMARY KEY (model, id)
);
CREATE INDEX oidc_artifacts_expires ON oidc_artifacts (expires_at);
CREATE INDEX oidc_artifacts_grant ON oidc_artifacts (grant_id);
CREATE INDEX oidc_artifacts_uid ON oidc_artifacts (model, uid);
CREATE INDEX oidc_artifacts_user_code ON oidc_artifacts (model, user_code);

CREATE TABLE audit_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at TIMESTAMPTZ NOT NULL,
  type TEXT NOT NULL,
  actor TEXT,
  subject TEXT,
  client_ip TEXT,
  request_id TEXT,
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_time ON audit_events (occurred_at);
CREATE INDEX audit_events_type ON audit_events (type, occurred_at);
