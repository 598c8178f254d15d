-- Invitations: an administrator invites someone (by mail, or by a link they copy) into groups; the
-- invitee's one-time link (link_id, a one-time link's record) creates their account once.
CREATE TABLE invitations (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  username TEXT,
  group_names TEXT NOT NULL DEFAULT '[]',
  mailed INTEGER NOT NULL DEFAULT 0,
  created_by TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  used_by_user_id TEXT,
  revoked_at INTEGER,
  link_id TEXT
);
CREATE INDEX invitations_created ON invitations (created_at);
