-- Every node keeps clients and signing keys in memory; a counter per topic, bumped by triggers on
-- whatever writes the tables (another node, the CLI, plain SQL), tells them when to reload.
CREATE TABLE change_counters (
  topic TEXT PRIMARY KEY,
  version INTEGER NOT NULL
);
INSERT INTO change_counters (topic, version) VALUES ('clients', 0), ('signing_keys', 0);

CREATE TRIGGER oauth_clients_changed_insert AFTER INSERT ON oauth_clients
  BEGIN UPDATE change_counters SET version = version + 1 WHERE topic = 'clients'; END;
CREATE TRIGGER oauth_clients_changed_update AFTER UPDATE ON oauth_clients
  BEGIN UPDATE change_counters SET version = version + 1 WHERE topic = 'clients'; END;
CREATE TRIGGER oauth_clients_changed_delete AFTER DELETE ON oauth_clients
  BEGIN UPDATE change_counters SET version = version + 1 WHERE topic = 'clients'; END;
CREATE TRIGGER applications_changed_insert AFTER INSERT ON applications
  BEGIN UPDATE change_counters SET version = version + 1 WHERE topic = 'clients'; END;
CREATE TRIGGER applications_changed_update AFTER UPDATE ON applications
  BEGIN UPDATE change_counters SET version = version + 1 WHERE topic = 'clients'; END;
CREATE TRIGGER applications_changed_delete AFTER DELETE ON applications
  BEGIN UPDATE change_counters SET version = version + 1 WHERE topic = 'clients'; END;
CREATE TRIGGER signing_keys_changed_insert AFTER INSERT ON signing_keys
  BEGIN UPDATE change_counters SET version = version + 1 WHERE topic = 'signing_keys'; END;
CREATE TRIGGER signing_keys_changed_update AFTER UPDATE ON signing_keys
  BEGIN UPDATE change_counters SET version = version + 1 WHERE topic = 'signing_keys'; END;
CREATE TRIGGER signing_keys_changed_delete AFTER DELETE ON signing_keys
  BEGIN UPDATE change_counters SET version = version + 1 WHERE topic = 'signing_keys'; END;

-- Most artifacts have no grant, uid or user code: partial indexes skip them, so a token write
-- touches fewer pages.
DROP INDEX oidc_artifacts_grant;
DROP INDEX oidc_artifacts_uid;
DROP INDEX oidc_artifacts_user_code;
CREATE INDEX oidc_artifacts_grant ON oidc_artifacts (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_artifacts_uid ON oidc_artifacts (model, uid) WHERE uid IS NOT NULL;
CREATE INDEX oidc_artifacts_user_code ON oidc_artifacts (model, user_code) WHERE user_code IS NOT NULL;
