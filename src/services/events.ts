// The audit log as the admin UI and API read it: newest first, filtered, in pages.
import type { AuditEvent, Store } from '../store/index.ts';

export interface EventQuery {
  limit: number;
  /** The last id of the previous page. */
  before?: number;
  type?: string;
  subject?: string;
  /** A username: events it acted in or concerned, under its name or its id. */
  user?: string;
  /** Subject or details.client_id. */
  client?: string;
  /** Any text in the event. */
  text?: string;
}

export class EventService {
  private readonly store: Store;
  constructor(store: Store) {
    this.store = store;
  }

  /** One page; `nextBefore` (the last id shown) when there are older events. */
  async list(query: EventQuery): Promise<{ items: AuditEvent[]; nextBefore?: number }> {
    const { user: username, ...rest } = query;
    const user = username ? await this.store.users.findByUsername(username) : undefined;
    const events = await this.store.events.list({
      ...rest,
      limit: query.limit + 1,
      user: username ? [username, ...(user ? [user.id] : [])] : undefined,
    });
    const items = events.slice(0, query.limit);
    return { items, nextBefore: events.length > query.limit ? items[items.length - 1]!.id : undefined };
  }
}
