-- Invitations: an administrator invites someone (by mail, or by a link they copy) into groups; the
-- invitee's one-time link (link_id, a one-time link's record) creates their account once.
CREATE TABLE invitations (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  email VARCHAR(320) NOT NULL,
  username VARCHAR(100),
  group_names MEDIUMTEXT NOT NULL DEFAULT ('[]'),
  mailed BOOLEAN NOT NULL DEFAULT FALSE,
  created_by TEXT,
  created_at DATETIME(3) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  used_at DATETIME(3),
  used_by_user_id VARCHAR(64),
  revoked_at DATETIME(3),
  link_id VARCHAR(64),
  KEY invitations_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
