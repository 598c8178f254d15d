// An application's page rendered from plain data, without a server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applicationUrls } from '../../../config/urls.ts';
import type { ApplicationDetails } from '../../../services/applications.ts';
import { buildGuide } from '../../../services/guide.ts';
import { applicationPage } from './detail.view.ts';
import { applicationList } from './list.view.ts';

const details: ApplicationDetails = {
  application: {
    id: 'a1',
    slug: 'notes',
    name: 'Notes & "Co" <b>',
    clientRef: 'c1',
    launchUrl: 'https://notes.example.com',
    createdAt: new Date(0),
    updatedAt: new Date(0),
  },
  urls: applicationUrls('https://sso.example.com', 'notes'),
};

test('the application page escapes its values and carries the CSRF token in the edit and delete forms', () => {
  const guide = buildGuide(details, 'https://sso.example.com');
  const markup = applicationPage({ details, guide, csrf: 'tok<en>', errors: {} }).value;
  assert.ok(!markup.includes('<b>'));
  assert.ok(markup.includes('Notes &#38; &#34;Co&#34; &#60;b&#62;'));
  assert.equal(markup.match(/name="csrf" value="tok&#60;en&#62;"/g)?.length, 2);
  assert.ok(markup.includes('action="/admin/applications/notes/delete"'));
  assert.ok(markup.includes('https://sso.example.com/application/o/notes/'));
});

test('a refused edit shows what was sent and the error next to its field', () => {
  const guide = buildGuide(details, 'https://sso.example.com');
  const markup = applicationPage({
    details,
    guide,
    csrf: 't',
    values: { name: 'New name', launch_url: 'ftp://x' },
    errors: { launch_url: "'ftp://x' is not an http(s) URL" },
  }).value;
  assert.ok(markup.includes('value="New name"'));
  assert.ok(markup.includes('id="launch_url-error"'));
});

test('the list says how to start when there are no applications', () => {
  assert.ok(applicationList([]).value.includes('href="/admin/providers/new"'));
  assert.ok(applicationList([details], 'deleted').value.includes('were deleted'));
});
