import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SignedIn } from '../../../http/sessions.ts';
import type { User } from '../../../store/index.ts';
import { groupView } from './group.view.ts';

const signedIn = { user: { username: 'root' }, csrf: 'token-2' } as SignedIn;
const group = {
  id: 'g',
  name: 'admins',
  isAdmin: true,
  source: 'local' as const,
  createdAt: new Date(0),
  members: 1,
};
const member = { username: 'ann', displayName: 'Ann <A>', source: 'local', groups: ['admins'] } as User;

test('the last administrators group lists its members and cannot be deleted', () => {
  const markup = groupView({ signedIn, overview: { group, members: [member], lastAdmin: true } }).value;
  assert.match(markup, /This is the last administrators group/);
  assert.ok(!markup.includes('Delete group…'));
  assert.ok(markup.includes('Ann &#60;A&#62;'));
  assert.ok(markup.includes('action="/admin/groups/admins/members/ann/remove"'));
  assert.equal(markup.split('name="csrf" value="token-2"').length - 1, 2, 'remove and add forms');
});

test('another group can be deleted after a confirmation', () => {
  const markup = groupView({
    signedIn,
    overview: { group: { ...group, name: 'temp', isAdmin: false }, members: [], lastAdmin: false },
    error: 'no such user',
  }).value;
  assert.match(markup, /Delete group…/);
  assert.match(markup, /Yes, delete temp/);
  assert.match(markup, /role="alert">no such user</);
});
