import { fromJson, optional, toBoolean, toDate, toOptionalDate, type SqlExecutor } from '../sql.ts';
import type { Invitation, NewInvitation } from '../types.ts';

interface InvitationRow {
  id: string;
  email: string;
  username: string | null;
  group_names: string;
  mailed: number | boolean;
  created_by: string | null;
  created_at: number | Date;
  expires_at: number | Date;
  used_at: number | Date | null;
  used_by_user_id: string | null;
  revoked_at: number | Date | null;
  link_id: string | null;
}

function toInvitation(row: InvitationRow): Invitation {
  return {
    id: row.id,
    email: row.email,
    username: optional(row.username),
    groups: fromJson(row.group_names, []),
    mailed: toBoolean(row.mailed),
    createdBy: optional(row.created_by),
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    usedAt: toOptionalDate(row.used_at),
    usedByUserId: optional(row.used_by_user_id),
    revokedAt: toOptionalDate(row.revoked_at),
    linkId: optional(row.link_id),
  };
}

export class InvitationRepository {
  private readonly db: SqlExecutor;
  constructor(db: SqlExecutor) {
    this.db = db;
  }

  async create(invitation: NewInvitation): Promise<Invitation> {
    await this.db.run(
      `INSERT INTO invitations (id, email, username, group_names, mailed, created_by, created_at, expires_at, link_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        invitation.id,
        invitation.email,
        invitation.username ?? null,
        JSON.stringify(invitation.groups),
        invitation.mailed,
        invitation.createdBy ?? null,
        new Date(),
        invitation.expiresAt,
        invitation.linkId ?? null,
      ],
    );
    return (await this.get(invitation.id))!;
  }

  async get(id: string): Promise<Invitation | undefined> {
    const row = await this.db.get<InvitationRow>('SELECT * FROM invitations WHERE id = ?', [id]);
    return row && toInvitation(row);
  }

  /** Newest first. */
  async list(limit = 500): Promise<Invitation[]> {
    const rows = await this.db.all<InvitationRow>(
      'SELECT * FROM invitations ORDER BY created_at DESC LIMIT ?',
      [limit],
    );
    return rows.map(toInvitation);
  }

  /** Points the invitation at a new one-time link (the old one is revoked by the caller). */
  async setLink(id: string, linkId: string): Promise<void> {
    await this.db.run('UPDATE invitations SET link_id = ? WHERE id = ?', [linkId, id]);
  }

  /** Marks an open invitation used; false when it was already used or revoked. */
  async markUsed(id: string, userId: string, at: Date): Promise<boolean> {
    const result = await this.db.run(
      'UPDATE invitations SET used_at = ?, used_by_user_id = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL',
      [at, userId, id],
    );
    return result.changes > 0;
  }

  /** Revokes an unused invitation; false when there is none to revoke. */
  async revoke(id: string, at: Date): Promise<boolean> {
    const result = await this.db.run(
      'UPDATE invitations SET revoked_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL',
      [at, id],
    );
    return result.changes > 0;
  }
}
