-- Every node keeps clients and signing keys in memory; a counter per topic, bumped by triggers on
-- whatever writes the tables (another node, the CLI, plain SQL), tells them when to reload. MySQL
-- triggers run per row and per event: three per table. (Creating them needs the TRIGGER privilege,
-- and with binary logging on, log_bin_trust_function_creators = 1 or SUPER.)
CREATE TABLE change_counters (
  topic VARCHAR(64) NOT NULL PRIMARY KEY,
  version BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
INSERT INTO change_counters (topic, version) VALUES ('clients', 0), ('signing_keys', 0);

CREATE TRIGGER oauth_clients_changed_insert AFTER INSERT ON oauth_clients FOR EACH ROW
  UPDATE change_counters SET version = version + 1 WHERE topic = 'clients';
CREATE TRIGGER oauth_clients_changed_update AFTER UPDATE ON oauth_clients FOR EACH ROW
  UPDATE change_counters SET version = version + 1 WHERE topic = 'clients';
CREATE TRIGGER oauth_clients_changed_delete AFTER DELETE ON oauth_clients FOR EACH ROW
  UPDATE change_counters SET version = version + 1 WHERE topic = 'clients';
CREATE TRIGGER applications_changed_insert AFTER INSERT ON applications FOR EACH ROW
  UPDATE change_counters SET version = version + 1 WHERE topic = 'clients';
CREATE TRIGGER applications_changed_update AFTER UPDATE ON applications FOR EACH ROW
  UPDATE change_counters SET version = version + 1 WHERE topic = 'clients';
CREATE TRIGGER applications_changed_delete AFTER DELETE ON applications FOR EACH ROW
  UPDATE change_counters SET version = version + 1 WHERE topic = 'clients';
CREATE TRIGGER signing_keys_changed_insert AFTER INSERT ON signing_keys FOR EACH ROW
  UPDATE change_counters SET version = version + 1 WHERE topic = 'signing_keys';
CREATE TRIGGER signing_keys_changed_update AFTER UPDATE ON signing_keys FOR EACH ROW
  UPDATE change_counters SET version = version + 1 WHERE topic = 'signing_keys';
CREATE TRIGGER signing_keys_changed_delete AFTER DELETE ON signing_keys FOR EACH ROW
  UPDATE change_counters SET version = version + 1 WHERE topic = 'signing_keys';

-- (The other engines also make the artifact indexes partial here; MySQL has no partial indexes.)
