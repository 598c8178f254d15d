import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SesameConfig } from '../../config/load.ts';
import { linkInvalidPage, newPasswordPage, passwordChangedPage } from './new-password.view.ts';
import { requestPage, requestSentPage } from './request.view.ts';

// The views read only the branding from the configuration.
const config = { branding: { name: 'Sesame' } } as SesameConfig;
const CSRF = '1900000000.nonce.mac';

test('the request page posts the identifier with its CSRF token; the answer names no account', () => {
  const page = requestPage(config, { action: '/reset-password', csrf: CSRF, signIn: '/portal/login' });
  assert.match(
    page,
    /<form method="post" action="\/reset-password">\s*<input type="hidden" name="csrf" value="1900000000\.nonce\.mac" \/>/,
  );
  assert.match(page, /name="username"/);
  const sent = requestSentPage(config, { minutes: 5, signIn: '/portal/login' });
  assert.match(sent, /It works once, for 5\s+minutes\./);
  assert.equal(sent, requestSentPage(config, { minutes: 5, signIn: '/portal/login' }));
});

test('the new-password page carries the link back, shows the rules and a field error', () => {
  const page = newPasswordPage(config, {
    action: '/reset-password/new',
    csrf: CSRF,
    token: 'a.b"c',
    username: '<ada>',
    rules: { text: ['At least 10 characters.'], minLength: 10 },
    errors: { new_password: 'The password must have at most 30 characters.' },
  });
  assert.ok(page.includes('name="token" value="a.b&#34;c"'), 'the token is an escaped value');
  assert.ok(page.includes('&#60;ada&#62;') && !page.includes('<ada>'));
  assert.match(page, /minlength="10"/);
  assert.match(page, /The password must have at most 30 characters\./);
  assert.match(page, /aria-invalid="true"/);
});

test('a dead link says so and offers a new one; the end page leads to sign-in', () => {
  const dead = linkInvalidPage(config, { again: '/reset-password' });
  assert.match(dead, /This link has expired or was already used\./);
  assert.match(dead, /<a href="\/reset-password">Ask for a new link<\/a>/);
  assert.match(
    passwordChangedPage(config, { signIn: '/portal/login' }),
    /<a href="\/portal\/login">Sign in<\/a>/,
  );
});
