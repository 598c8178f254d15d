// /admin/events: the audit log, filtered and paged.
import type { FastifyInstance } from 'fastify';
import { queryOf } from '../../http/forms.ts';
import { signedIn } from '../../http/guards.ts';
import { EventService } from '../../services/events.ts';
import { EVENT_FILTERS, eventsView, setFilters, type EventFilters } from './events.view.ts';
import type { AdminKit } from './kit.ts';
import { adminPage } from './layout.view.ts';

const EVENTS_PER_PAGE = 50;
const FILTER_LENGTH: Record<keyof EventFilters, number> = { type: 100, user: 100, client: 100, q: 200 };

function filtersOf(query: Record<string, string | undefined>): EventFilters {
  const entries = EVENT_FILTERS.map((name) => [
    name,
    (query[name] ?? '').trim().slice(0, FILTER_LENGTH[name]),
  ]);
  return Object.fromEntries(entries) as EventFilters;
}

/** A page number that is not a positive whole number is the first page. */
function beforeOf(value: string | undefined): number | undefined {
  const before = Number.parseInt(value ?? '', 10);
  return Number.isSafeInteger(before) && before > 0 ? before : undefined;
}

export function registerEventsPage(scope: FastifyInstance, kit: AdminKit): void {
  const events = new EventService(kit.store);
  scope.get('/admin/events', async (request, reply) => {
    const query = queryOf(request);
    const filters = filtersOf(query);
    const { items, nextBefore } = await events.list({
      limit: EVENTS_PER_PAGE,
      before: beforeOf(query.before),
      type: filters.type || undefined,
      user: filters.user || undefined,
      client: filters.client || undefined,
      text: filters.q || undefined,
    });
    const older = new URLSearchParams({ ...setFilters(filters), before: String(nextBefore) });
    const next = nextBefore === undefined ? undefined : `/admin/events?${older.toString()}`;
    const body = eventsView({ events: items, filters, paged: Boolean(query.before), next });
    return reply.html(adminPage(kit.config, 'events', 'Events', body, signedIn(request)));
  });
}
