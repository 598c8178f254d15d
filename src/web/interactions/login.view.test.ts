import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SesameConfig } from '../../config/load.ts';
import { accessDeniedPage } from './abort.view.ts';
import { consentPage } from './consent.view.ts';
import { loginPage, type LoginPageInput } from './login.view.ts';

// The views read only the branding from the configuration.
const config = { branding: { name: 'Sesame <Test>' } } as SesameConfig;
const CSRF = '1900000000.nonce.mac';
const login = (input: Partial<LoginPageInput>) =>
  loginPage(config, { action: '/interaction/abc/login', csrf: CSRF, clientName: 'Wiki', ...input });

test('the login page escapes the client name and carries the interaction’s CSRF token', () => {
  const page = login({ clientName: '<script>alert("x")</script>' });
  assert.ok(!page.includes('<script>alert'), 'the client name is not markup');
  assert.ok(page.includes('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;'));
  assert.ok(page.includes('Sesame &#60;Test&#62;'), 'the brand name is escaped too');
  assert.match(
    page,
    /<form method="post" action="\/interaction\/abc\/login">\s*<input type="hidden" name="csrf" value="1900000000\.nonce\.mac" \/>/,
  );
  assert.match(page, /<input\s+id="username"[^>]*autofocus/, 'an empty form starts at the username');
  assert.ok(!page.includes('data-webauthn'), 'no passkey form unless passkey login is on');
});

test('the login page keeps the typed name, shows the error, and offers a passkey when on', () => {
  const page = login({
    username: 'alice"',
    error: 'The username or password is incorrect.',
    passkeyOptionsUrl: '/interaction/abc/passkey/options',
    passkeyAction: '/interaction/abc/passkey',
  });
  assert.ok(page.includes('value="alice&#34;"'));
  assert.ok(page.includes('<div class="error" role="alert">The username or password is incorrect.</div>'));
  assert.match(page, /<input\s+id="password"[^>]*autofocus/, 'a kept name moves on to the password');
  assert.match(
    page,
    /data-webauthn="authenticate"\s+data-options-url="\/interaction\/abc\/passkey\/options"/,
  );
  assert.equal(page.match(/name="csrf" value="1900000000\.nonce\.mac"/g)?.length, 2);
});

test('the consent and access-denied pages post their CSRF token and escape the client name', () => {
  const consent = consentPage(config, {
    action: '/interaction/abc/consent',
    csrf: CSRF,
    clientName: 'A & B',
    username: 'alice',
    scopes: [{ name: 'email', description: 'See your <email>' }],
    remember: '30 days',
  });
  assert.ok(consent.includes('<h1>Allow A &#38; B?</h1>'));
  assert.ok(consent.includes('See your &#60;email&#62; <code>email</code>'));
  assert.ok(consent.includes('name="csrf" value="1900000000.nonce.mac"'));
  assert.ok(consent.includes('remembered for 30 days'));
  const denied = accessDeniedPage(config, {
    clientName: 'A & B',
    username: 'bob',
    abortAction: '/interaction/abc/abort',
    csrf: CSRF,
  });
  assert.match(
    denied,
    /action="\/interaction\/abc\/abort">\s*<input type="hidden" name="csrf" value="1900000000\.nonce\.mac" \/>/,
  );
  assert.ok(denied.includes('Return to A &#38; B'));
});

test('"Forgot password?" is shown only when there is somewhere for it to lead', () => {
  assert.doesNotMatch(login({}), /Forgot password/);
  assert.match(
    login({ resetUrl: '/reset-password' }),
    /<p class="aside"><a href="\/reset-password">Forgot password\?<\/a>/,
  );
  assert.match(
    login({ resetUrl: 'https://pw.example.com/?a=1&b=2' }),
    /<a href="https:\/\/pw\.example\.com\/\?a=1&#38;b=2">Forgot password\?<\/a>/,
  );
});
