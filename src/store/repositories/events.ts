import { fromJson, optional, toDate, type SqlExecutor } from '../sql.ts';
import type { AuditEvent, NewAuditEvent } from '../types.ts';

interface EventRow {
  id: number;
  occurred_at: number | Date;
  type: string;
  actor: string | null;
  subject: string | null;
  client_ip: string | null;
  request_id: string | null;
  details: string;
}

function toEvent(row: EventRow): AuditEvent {
  return {
    id: Number(row.id),
    occurredAt: toDate(row.occurred_at),
    type: row.type,
    actor: optional(row.actor),
    subject: optional(row.subject),
    clientIp: optional(row.client_ip),
    requestId: optional(row.request_id),
    details: fromJson(row.details, {}),
  };
}

/** The audit log: append-only, newest first when read. */
export class EventRepository {
  private readonly db: SqlExecutor;
  constructor(db: SqlExecutor) {
    this.db = db;
  }

  async append(event: NewAuditEvent): Promise<AuditEvent> {
    const insert = `INSERT INTO audit_events (occurred_at, type, actor, subject, client_ip, request_id, details)
       VALUES (?, ?, ?, ?, ?, ?, ?)`;
    const values = [
      event.occurredAt ?? new Date(),
      event.type,
      event.actor,
      event.subject,
      event.clientIp,
      event.requestId,
      JSON.stringify(event.details ?? {}),
    ];
    // MySQL has no INSERT … RETURNING (MariaDB has): the row is read back by its new key.
    if (this.db.dialect === 'mysql') {
      const { insertId } = await this.db.run(insert, values);
      const row = await this.db.get<EventRow>('SELECT * FROM audit_events WHERE id = ?', [insertId]);
      return toEvent(row!);
    }
    const row = await this.db.get<EventRow>(`${insert} RETURNING *`, values);
    return toEvent(row!);
  }

  /** Newest first; `before` is an event id for keyset pagination. */
  async list(
    query: {
      limit?: number;
      before?: number;
      type?: string;
      subject?: string;
      /** Acting or concerned user, by any of its names (username, id): actor `<name>` or `user:<name>`, or subject. */
      user?: string[];
      /** Subject or details.client_id. */
      client?: string;
      /** Case-insensitive substring of type, actor, subject or details. */
      text?: string;
    } = {},
  ): Promise<AuditEvent[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.before !== undefined) {
      where.push('id < ?');
      params.push(query.before);
    }
    if (query.type) {
      where.push('type = ?');
      params.push(query.type);
    }
    if (query.subject) {
      where.push('subject = ?');
      params.push(query.subject);
    }
    if (query.user?.length) {
      const marks = query.user.map(() => '?').join(', ');
      where.push(`(actor IN (${marks}) OR actor IN (${marks}) OR subject IN (${marks}))`);
      params.push(...query.user, ...query.user.map((name) => `user:${name}`), ...query.user);
    }
    if (query.client) {
      where.push('(subject = ? OR details LIKE ?)');
      params.push(query.client, `%"client_id":${JSON.stringify(query.client)}%`);
    }
    if (query.text) {
      where.push(
        "lower(type || ' ' || coalesce(actor, '') || ' ' || coalesce(subject, '') || ' ' || details) LIKE ?",
      );
      params.push(`%${query.text.toLowerCase()}%`);
    }
    const rows = await this.db.all<EventRow>(
      `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      [...params, query.limit ?? 100],
    );
    return rows.map(toEvent);
  }
}
