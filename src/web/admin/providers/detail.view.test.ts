// The provider's page rendered from plain data, without a server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromDatabase } from '../../../oidc/clients.ts';
import type { OAuthClient } from '../../../store/index.ts';
import { providerPage, type ProviderPageInput } from './detail.view.ts';
import { providerList } from './list.view.ts';

const stored: OAuthClient = {
  id: 'c1',
  clientId: 'notes-client',
  name: 'Notes <script>alert(1)</script>',
  secretDigest: '$pbkdf2-sha512$…',
  public: false,
  redirectUris: [{ url: 'https://notes.example.com/cb', matching_mode: 'strict' }],
  postLogoutRedirectUris: [],
  scopes: ['openid', 'profile'],
  grantTypes: ['authorization_code'],
  responseTypes: ['code'],
  consentMode: 'explicit',
  authorizationPolicy: 'one_factor',
  allowedGroups: [],
  tokenEndpointAuthMethod: 'client_secret_basic',
  idTokenSignedResponseAlg: 'RS256',
  userinfoSignedResponseAlg: 'none',
  accessTokenSignedResponseAlg: 'none',
  requirePkce: false,
  subjectMode: 'user_id',
  lifespans: {},
  settings: {},
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

const input = (overrides: Partial<ProviderPageInput> = {}): ProviderPageInput => ({
  client: fromDatabase(stored, 'notes'),
  csrf: 'token-123',
  externalUrl: 'https://sso.example.com',
  policies: ['one_factor', 'two_factor', 'deny'],
  groups: ['admins'],
  lifespanDefaults: { access_token: 3600, id_token: 3600, refresh_token: 86400, authorize_code: 60 },
  errors: {},
  ...overrides,
});

test('the provider page escapes the name and carries the CSRF token in both of its forms', () => {
  const markup = providerPage(input()).value;
  assert.ok(!markup.includes('<script>alert(1)</script>'));
  assert.ok(markup.includes('Notes &#60;script&#62;alert(1)&#60;/script&#62;'));
  assert.equal(markup.match(/<input type="hidden" name="csrf" value="token-123" \/>/g)?.length, 2);
  assert.ok(markup.includes('action="/admin/providers/notes-client/secret"'));
  assert.ok(markup.includes('https://sso.example.com/application/o/notes/'));
});

test('the secret is shown only when given; a configuration-file client is read-only', () => {
  assert.ok(providerPage(input({ secret: 's3cret', done: 'secret' })).value.includes('value="s3cret"'));
  assert.ok(!providerPage(input()).value.includes('name="client_secret"'));
  const file = { ...fromDatabase(stored), source: 'config' as const };
  const markup = providerPage(input({ client: file })).value;
  assert.ok(markup.includes('<fieldset disabled>'));
  assert.ok(!markup.includes('/secret"'));
  assert.ok(!markup.includes('Save provider'));
});

test('errors come back next to their fields with what was sent', () => {
  const markup = providerPage(
    input({ values: { name: 'Renamed', redirect_uri_url: 'nope' }, errors: { redirect_uris: 'not a URI' } }),
  ).value;
  assert.ok(markup.includes('role="alert"'));
  assert.ok(markup.includes('value="Renamed"'));
  assert.ok(markup.includes('<small id="redirect_uris-error" class="field-error">not a URI</small>'));
});

test('the list marks configuration-file clients and links applications', () => {
  const markup = providerList([
    fromDatabase(stored, 'notes'),
    { ...fromDatabase(stored), source: 'config' },
  ]).value;
  assert.ok(markup.includes('<a href="/admin/applications/notes">notes</a>'));
  assert.ok(markup.includes('configuration file'));
});
