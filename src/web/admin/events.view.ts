// The event log page: filters, the events newest first, and the pager.
import type { AuditEvent } from '../../store/index.ts';
import { dataTable, formatTime, inputField } from '../views/forms.ts';
import { html, type SafeHtml } from '../html.ts';

export const EVENT_FILTERS = ['type', 'user', 'client', 'q'] as const;
export type EventFilters = Record<(typeof EVENT_FILTERS)[number], string>;

export interface EventsPageData {
  events: AuditEvent[];
  filters: EventFilters;
  /** Showing an older page: "Newest" leads back to the first. */
  paged: boolean;
  /** The next (older) page's URL, when there is one. */
  next?: string;
}

/** One line an operator can read: the event's own explanation when it has one, else its details. */
function describeEvent(event: AuditEvent): SafeHtml {
  const details = { ...event.details };
  const message = typeof details.message === 'string' ? details.message : undefined;
  delete details.message;
  const rest = Object.entries(details).filter(([, value]) => value !== undefined && value !== null);
  const pairs = html`<span class="kv"
    >${rest.map(
      ([key, value]) =>
        html`<span
          ><span class="muted">${key}</span>
          <code>${typeof value === 'string' ? value : JSON.stringify(value)}</code></span
        > `,
    )}</span
  >`;
  if (!message) return rest.length > 0 ? pairs : html``;
  return html`<strong class="teach">${message}</strong> ${
      rest.length > 0
        ? html`<details class="more">
            <summary>Details</summary>
            ${pairs}
          </details>`
        : ''
    }`;
}

/** The filters that are set, as query parameters: what the pager links keep. */
export function setFilters(filters: EventFilters): Record<string, string> {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value));
}

function filterForm(filters: EventFilters, clearable: boolean): SafeHtml {
  const input = (name: keyof EventFilters, label: string, placeholder: string) =>
    html`<div>
      ${inputField({ id: `filter-${name}`, name, label, value: filters[name], type: 'search', attributes: html`placeholder="${placeholder}"` })}
    </div>`;
  return html`<form method="get" action="/admin/events" aria-label="Filter events">
    <div class="filters">
      ${input('type', 'Type', 'e.g. protocol.error')} ${input('user', 'User', 'username')}
      ${input('client', 'Client', 'client id')} ${input('q', 'Text', 'anything in the event')}
    </div>
    <div class="actions">
      <button type="submit">Search</button>
      ${clearable ? html`<a href="/admin/events" class="secondary">Clear</a>` : ''}
    </div>
  </form>`;
}

function eventRow(event: AuditEvent): SafeHtml {
  return html`<tr>
    <td><time datetime="${event.occurredAt.toISOString()}">${formatTime(event.occurredAt)}</time></td>
    <td><code>${event.type}</code></td>
    <td class="hide-sm">
      ${event.actor ?? ''}${event.subject ? html`${event.actor ? ' → ' : ''}${event.subject}` : ''}
      ${event.clientIp ? html`<br /><span class="muted">${event.clientIp}</span>` : ''}
    </td>
    <td>${describeEvent(event)}</td>
  </tr>`;
}

function eventTable(events: AuditEvent[], filtered: boolean): SafeHtml {
  if (events.length === 0) return html`<p class="empty">No events${filtered ? ' match' : ' yet'}.</p>`;
  const columns = ['When', 'Type', { label: 'Who', className: 'hide-sm' }, 'Details'];
  return dataTable(columns, events.map(eventRow), 'events');
}

export function eventsView(data: EventsPageData): SafeHtml {
  const kept = setFilters(data.filters);
  const filtered = Object.keys(kept).length > 0;
  return html`<hgroup>
      <h1>Events</h1>
      <p>The audit log, newest first: sign-ins, changes, and refused protocol requests with what was sent.</p>
    </hgroup>
    ${filterForm(data.filters, filtered || data.paged)} ${eventTable(data.events, filtered)}
    <nav class="pager" aria-label="Pages">
      ${data.paged ? html`<a href="/admin/events?${new URLSearchParams(kept).toString()}">← Newest</a>` : html`<span></span>`}
      ${data.next ? html`<a href="${data.next}" rel="next">Older →</a>` : html`<span></span>`}
    </nav>`;
}
