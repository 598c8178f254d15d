import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEvent } from '../../store/index.ts';
import { eventsView } from './events.view.ts';

const event: AuditEvent = {
  id: 7,
  occurredAt: new Date('2026-01-01T12:00:00Z'),
  type: 'protocol.error',
  actor: 'user:<root>',
  subject: 'notes',
  details: { message: 'redirect_uri is not registered', client_id: 'notes' },
};

test('events: escaped actor, the teaching message with details, filters kept in the pager', () => {
  const markup = eventsView({
    events: [event],
    filters: { type: '', user: '', client: 'notes', q: '' },
    paged: true,
    next: '/admin/events?client=notes&before=7',
  }).value;
  assert.match(markup, /user:&#60;root&#62; → notes/);
  assert.match(markup, /class="teach">redirect_uri is not registered/);
  assert.match(markup, /<summary>Details<\/summary>[\s\S]*client_id/);
  assert.match(markup, /id="filter-client"\s+name="client"\s+value="notes"/);
  assert.match(markup, /href="\/admin\/events\?client=notes">← Newest/);
  assert.match(markup, /href="\/admin\/events\?client=notes&#38;before=7" rel="next"/);
  assert.match(markup, /class="secondary">Clear/);
});

test('events: an empty first page says so and offers no pages', () => {
  const markup = eventsView({
    events: [],
    filters: { type: '', user: '', client: '', q: '' },
    paged: false,
  }).value;
  assert.match(markup, /No events yet\./);
  assert.doesNotMatch(markup, /Clear|rel="next"|Newest/);
});
