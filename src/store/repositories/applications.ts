import { randomUUID } from 'node:crypto';
import { optional, toDate, type SqlExecutor } from '../sql.ts';
import type { Application, ApplicationPatch, NewApplication, Page } from '../types.ts';

interface ApplicationRow {
  id: string;
  slug: string;
  name: string;
  client_id: string | null;
  launch_url: string | null;
  icon: string | null;
  description: string | null;
  preset: string | null;
  created_at: number | Date;
  updated_at: number | Date;
}

const COLUMNS: Record<keyof ApplicationPatch, string> = {
  name: 'name',
  clientRef: 'client_id',
  launchUrl: 'launch_url',
  icon: 'icon',
  description: 'description',
  preset: 'preset',
};

function toApplication(row: ApplicationRow): Application {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    clientRef: optional(row.client_id),
    launchUrl: optional(row.launch_url),
    icon: optional(row.icon),
    description: optional(row.description),
    preset: optional(row.preset),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export class ApplicationRepository {
  private readonly db: SqlExecutor;
  private readonly changed: () => void;
  constructor(db: SqlExecutor, changed: () => void = () => {}) {
    this.db = db;
    this.changed = changed;
  }

  async create(application: NewApplication): Promise<Application> {
    const id = randomUUID();
    const now = new Date();
    await this.db.run(
      `INSERT INTO applications (id, slug, name, client_id, launch_url, icon, description, preset, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        application.slug,
        application.name,
        application.clientRef,
        application.launchUrl,
        application.icon,
        application.description,
        application.preset,
        now,
        now,
      ],
    );
    this.changed();
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Application | undefined> {
    const row = await this.db.get<ApplicationRow>('SELECT * FROM applications WHERE id = ?', [id]);
    return row && toApplication(row);
  }

  async findBySlug(slug: string): Promise<Application | undefined> {
    const row = await this.db.get<ApplicationRow>('SELECT * FROM applications WHERE slug = ?', [slug]);
    return row && toApplication(row);
  }

  async findByClientRef(clientRef: string): Promise<Application | undefined> {
    const row = await this.db.get<ApplicationRow>('SELECT * FROM applications WHERE client_id = ?', [
      clientRef,
    ]);
    return row && toApplication(row);
  }

  async list(page: Page = {}): Promise<Application[]> {
    const rows = await this.db.all<ApplicationRow>(
      'SELECT * FROM applications ORDER BY lower(name) LIMIT ? OFFSET ?',
      [page.limit ?? 1000, page.offset ?? 0],
    );
    return rows.map(toApplication);
  }

  async update(id: string, patch: ApplicationPatch): Promise<Application | undefined> {
    const entries = (Object.keys(COLUMNS) as (keyof ApplicationPatch)[]).filter((key) => key in patch);
    if (entries.length > 0)
      await this.db.run(
        `UPDATE applications SET ${entries.map((key) => `${COLUMNS[key]} = ?`).join(', ')}, updated_at = ? WHERE id = ?`,
        [...entries.map((key) => patch[key]), new Date(), id],
      );
    this.changed();
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    const deleted = (await this.db.run('DELETE FROM applications WHERE id = ?', [id])).changes > 0;
    this.changed();
    return deleted;
  }
}
