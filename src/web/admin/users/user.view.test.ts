import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SignedIn } from '../../../http/sessions.ts';
import type { UserOverview } from '../../../services/users.ts';
import type { User } from '../../../store/index.ts';
import { userView } from './user.view.ts';

const root = { id: 'id-root', username: 'root' } as User;
const signedIn = { user: root, csrf: 'token-3', sessionUid: 'uid-1' } as SignedIn;
const ann: User = {
  id: 'id-ann',
  username: 'ann',
  email: 'ann@example.com',
  emailVerified: true,
  displayName: 'Ann',
  claims: {},
  disabled: false,
  source: 'local',
  groups: ['family'],
  createdAt: new Date(0),
  updatedAt: new Date(0),
};
const overview = (user: User): UserOverview => ({
  user,
  factors: { totp: true, passkeys: 2, recoveryCodes: 5 },
  sessions: [
    {
      id: 'uid-1',
      storeId: 's1',
      userId: user.id,
      loginAt: new Date(0),
      amr: ['pwd', 'otp'],
      clients: ['notes'],
    },
  ],
  groupNames: ['admins', 'family'],
});

test("a user's page: every form carries the CSRF token; the one-time password shows once", () => {
  const markup = userView({ signedIn, overview: overview(ann), password: 'p<w>', errors: {} }).value;
  assert.ok(markup.includes('value="p&#60;w&#62;"'));
  const forms = markup.match(/<form method="post"/g)!.length;
  assert.equal(markup.match(/name="csrf" value="token-3"/g)!.length, forms);
  assert.ok(markup.includes('action="/admin/users/ann/disable"'));
  assert.match(markup, /this browser/);
  assert.match(markup, /password, authenticator code/);
  assert.match(markup, /value="family"\s*checked/);
});

test('a user from the users file is read-only here', () => {
  const markup = userView({ signedIn, overview: overview({ ...ann, source: 'file' }), errors: {} }).value;
  assert.match(markup, /users file: read-only/);
  assert.match(markup, /<fieldset disabled>/);
  assert.ok(!markup.includes('Save user'));
  assert.ok(!markup.includes('/password"'));
  assert.match(markup, /Change the users file to disable this account/);
});

test('a user from the LDAP directory is read-only here, labelled with where they come from', () => {
  const markup = userView({ signedIn, overview: overview({ ...ann, source: 'ldap' }), errors: {} }).value;
  assert.match(markup, /LDAP directory: read-only/);
  assert.doesNotMatch(markup, /users file/);
  assert.match(markup, /<fieldset disabled>/);
  assert.ok(!markup.includes('Save user'));
  assert.ok(!markup.includes('/password"'));
  assert.match(markup, /Change the LDAP directory to disable this account/);
});
