import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SignedIn } from '../../../http/sessions.ts';
import { createUserView } from './create.view.ts';

const signedIn = { user: { username: 'root' }, csrf: 'token-1' } as SignedIn;

test('the create form carries the CSRF token and starts with the address verified', () => {
  const markup = createUserView({ signedIn, groupNames: ['family'], values: {}, errors: {} }).value;
  assert.ok(markup.includes('<input type="hidden" name="csrf" value="token-1" />'));
  assert.match(markup, /id="email_verified"[^>]*checked/);
  assert.match(markup, /value="family"/);
  assert.match(markup, /id="password-help"/);
});

test('a form sent back shows its values and errors next to their fields', () => {
  const markup = createUserView({
    signedIn,
    groupNames: [],
    values: { username: 'ann"', email: 'nope', groups: 'gone' },
    errors: { email: 'not a valid email address' },
  }).value;
  assert.ok(markup.includes('value="ann&#34;"'));
  assert.match(markup, /id="email"[^>]*aria-invalid="true"/);
  assert.match(markup, /<small id="email-error" class="field-error">not a valid email address<\/small>/);
  assert.ok(!/id="email_verified"[^>]*checked/.test(markup), 'the sent choice (off) is kept');
  assert.match(markup, /value="gone"\s*checked/);
});
