import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../config/load.ts';
import { writeConfigFile } from '../../../test/support/config.ts';
import { accountFormView, linkProblemView, signUpRequestView } from './account.view.ts';

const config = loadConfig(
  writeConfigFile(`server:
  external_url: https://auth.example.com/
storage:
  encryption_key: a-very-long-encryption-key-for-tests
  local:
    path: db.sqlite3
`).file,
  {},
);

test('the account form escapes what it shows, carries the link and the CSRF token, and keeps a fixed username', () => {
  const markup = accountFormView(config, {
    action: '/invitation',
    csrf: 'csrf-1',
    token: 'tok"en',
    email: '<ann>@example.com',
    fixedUsername: 'ann',
    groups: ['staff'],
    title: 'Accept your invitation',
    errors: { username: 'the username is already taken' },
  });
  assert.match(markup, /&#60;ann&#62;@example\.com/);
  assert.match(markup, /name="token" value="tok&#34;en"/);
  assert.match(markup, /name="csrf" value="csrf-1"/);
  assert.match(markup, /id="fixed-username">ann</);
  assert.doesNotMatch(markup, /name="username"/);
  assert.match(markup, /already taken/);
  assert.match(markup, /autocomplete="new-password"/);
});

test('a link that cannot be used says why; the sign-up answer does not depend on the address', () => {
  assert.match(linkProblemView(config, 'revoked'), /withdrawn/);
  assert.match(linkProblemView(config, 'whatever'), /not valid/);
  const sent = signUpRequestView(config, { csrf: 'c', domains: [], sent: true });
  assert.match(sent, /If the address can be used/);
  assert.match(
    signUpRequestView(config, { csrf: 'c', domains: ['example.org'] }),
    /example\.org can sign up/,
  );
});
