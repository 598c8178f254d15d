// /admin/events: the audit log, filtered and paged.
import type { FastifyInstance } from 'fastify';
import { EventService } from '../../services/events.ts';
import type { AdminGuard } from '../admin-kit.ts';
import { EVENT_FILTERS, eventsView, setFilters, type EventFilters } from './events.view.ts';
import { asAdmin, sendPage, type SystemPagesContext } from './routes.ts';

const EVENTS_PER_PAGE = 50;
const FILTER_LENGTH: Record<keyof EventFilters, number> = { type: 100, user: 100, client: 100, q: 200 };

function filtersOf(query: Record<string, string | undefined>): EventFilters {
  const entries = EVENT_FILTERS.map((name) => [
    name,
    (query[name] ?? '').trim().slice(0, FILTER_LENGTH[name]),
  ]);
  return Object.fromEntries(entries) as EventFilters;
}

export function registerEventsPage(
  app: FastifyInstance,
  context: SystemPagesContext,
  guard: AdminGuard,
): void {
  const events = new EventService(context.store);
  app.get(
    '/admin/events',
    asAdmin(guard, async (request, reply, signedIn) => {
      const query = request.query as Record<string, string | undefined>;
      const filters = filtersOf(query);
      const before = Number.parseInt(query.before ?? '', 10);
      const { items, nextBefore } = await events.list({
        limit: EVENTS_PER_PAGE,
        before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
        type: filters.type || undefined,
        user: filters.user || undefined,
        client: filters.client || undefined,
        text: filters.q || undefined,
      });
      const next =
        nextBefore === undefined
          ? undefined
          : `/admin/events?${new URLSearchParams({ ...setFilters(filters), before: String(nextBefore) }).toString()}`;
      const body = eventsView({ events: items, filters, paged: Boolean(query.before), next });
      return sendPage(reply, context.config, { section: 'events', title: 'Events', body }, signedIn);
    }),
  );
}
