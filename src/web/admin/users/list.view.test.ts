import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { User } from '../../../store/index.ts';
import { userListView } from './list.view.ts';

const user = (username: string, changes: Partial<User> = {}): User => ({
  id: `id-${username}`,
  username,
  emailVerified: false,
  claims: {},
  disabled: false,
  source: 'local',
  groups: [],
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...changes,
});

test('the users list escapes what users typed and links each user', () => {
  const markup = userListView({
    brand: 'Sesame',
    search: '<b>',
    page: 2,
    more: true,
    users: [
      user('ann', { displayName: '<script>x</script>', groups: ['family'] }),
      user('bob', { source: 'file' }),
    ],
  }).value;
  assert.ok(!markup.includes('<script>x'));
  assert.ok(markup.includes('&#60;script&#62;x'));
  assert.ok(markup.includes('value="&#60;b&#62;"'));
  assert.ok(markup.includes('href="/admin/users/ann"'));
  assert.match(markup, /bob<\/a>\s*<span class="badge">users file<\/span>/);
  assert.ok(markup.includes('rel="prev"') && markup.includes('rel="next"'));
});

test('an empty search says nothing matches', () => {
  const markup = userListView({ brand: 'Sesame', search: 'zed', page: 1, more: false, users: [] }).value;
  assert.match(markup, /No user matches “zed”/);
  assert.ok(!markup.includes('rel="prev"'));
});
