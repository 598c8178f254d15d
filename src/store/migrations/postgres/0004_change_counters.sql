-- Every node keeps clients and signing keys in memory; a counter per topic, bumped by triggers on
-- whatever writes the tables (another node, the CLI, plain SQL), tells them when to reload.
CREATE TABLE change_counters (
  topic TEXT PRIMARY KEY,
  version BIGINT NOT NULL
);
INSERT INTO change_counters (topic, version) VALUES ('clients', 0), ('signing_keys', 0);

CREATE FUNCTION sesame_bump_change_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE change_counters SET version = version + 1 WHERE topic = TG_ARGV[0];
  RETURN NULL;
END;
$$;
CREATE TRIGGER oauth_clients_changed AFTER INSERT OR UPDATE OR DELETE ON oauth_clients
  FOR EACH STATEMENT EXECUTE FUNCTION sesame_bump_change_counter('clients');
CREATE TRIGGER applications_changed AFTER INSERT OR UPDATE OR DELETE ON applications
  FOR EACH STATEMENT EXECUTE FUNCTION sesame_bump_change_counter('clients');
CREATE TRIGGER signing_keys_changed AFTER INSERT OR UPDATE OR DELETE ON signing_keys
  FOR EACH STATEMENT EXECUTE FUNCTION sesame_bump_change_counter('signing_keys');

-- Most artifacts have no grant, uid or user code: partial indexes skip them, so a token write
-- touches fewer pages.
DROP INDEX oidc_artifacts_grant;
DROP INDEX oidc_artifacts_uid;
DROP INDEX oidc_artifacts_user_code;
CREATE INDEX oidc_artifacts_grant ON oidc_artifacts (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_artifacts_uid ON oidc_artifacts (model, uid) WHERE uid IS NOT NULL;
CREATE INDEX oidc_artifacts_user_code ON oidc_artifacts (model, user_code) WHERE user_code IS NOT NULL;
