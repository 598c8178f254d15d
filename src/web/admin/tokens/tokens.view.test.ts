import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiToken } from '../../../store/index.ts';
import { readTokenForm } from './form.ts';
import { tokensView } from './tokens.view.ts';

const csrf = 'csrf-token-2';
const now = new Date('2026-03-01T00:00:00Z');

function token(id: string, fields: Partial<ApiToken>): ApiToken {
  return {
    id,
    name: id,

    scopes: ['users:read'],
    createdAt: new Date('2026-01-01T00:00:00Z'),
    ...fields,
  };
}

test('tokens: states, escaped names, revoke only for live tokens, the form keeps its values', () => {
  const markup = tokensView(
    {
      tokens: [
        token('live', { name: '<b>ci</b>' }),
        token('old', { revokedAt: new Date('2026-02-01T00:00:00Z') }),
        token('late', { expiresAt: new Date('2026-02-01T00:00:00Z') }),
      ],
      now,
      created: { name: 'ci', token: 'sesame_secret' },
      form: { name: 'again', 'scope:users': 'write' },
      errors: { scopes: 'give at least one scope' },
    },
    csrf,
  ).value;
  assert.match(markup, /<td>&#60;b&#62;ci&#60;\/b&#62;<\/td>/);
  assert.match(markup, /badge ok">active[\s\S]*badge off">revoked[\s\S]*badge off">expired/);
  assert.equal(markup.match(/\/revoke"/g)?.length, 2, 'the revoked token has no revoke form');
  assert.match(markup, /value="sesame_secret" readonly/);
  assert.match(markup, /action="\/admin\/tokens">\s*<input type="hidden" name="csrf" value="csrf-token-2"/);
  assert.match(markup, /value="again"/);
  assert.match(markup, /name="scope:users"\s+value="write"\s+checked/);
  assert.match(markup, /id="scopes-error" class="field-error">give at least one scope/);
});

test('the new-token form: scopes from the chosen rows, expiry in days', () => {
  const read = readTokenForm({ name: 'ci', 'scope:*': 'read', 'scope:users': 'write', expires_days: '2' }, 0);
  assert.deepEqual(read, {
    input: { name: 'ci', scopes: ['*:read', 'users:write'], expiresAt: new Date(2 * 86_400_000) },
  });
  assert.ok('errors' in readTokenForm({ name: 'ci', expires_days: '0' }));
  assert.deepEqual(readTokenForm({ name: ['a', 'b'] }), {
    errors: { form: 'a form field that takes one value was sent more than once' },
  });
});
