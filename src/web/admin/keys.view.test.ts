import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyRow } from '../../services/keys.ts';
import { keysView } from './keys.view.ts';

const csrf = 'csrf-token-1';

function key(kid: string, fields: Partial<KeyRow>): KeyRow {
  return {
    kid,
    algorithm: 'ES256',
    use: 'sig',
    privateJwk: '{}',
    publicJwk: '{}',
    status: 'active',
    createdAt: new Date('2026-01-01T00:00:00Z'),
    published: true,
    ...fields,
  };
}

test('keys: each state has its badge, rotation is a confirmed form with the CSRF field', () => {
  const markup = keysView(
    {
      keys: [
        key('new<kid>', {}),
        key('old', {
          status: 'retired',
          retiredAt: new Date('2026-01-02T00:00:00Z'),
          publishedUntil: new Date('2026-01-02T01:00:00Z'),
        }),
        key('gone', { status: 'retired', published: false }),
      ],
      overlapSeconds: 3600,
      fromConfiguration: false,
      done: 'New signing keys are active.',
    },
    csrf,
  ).value;
  assert.match(markup, /<code>new&#60;kid&#62;<\/code>/, 'the kid is escaped');
  assert.match(markup, /badge ok">active/);
  assert.match(markup, /badge warn">retiring[\s\S]*verifies until 2026-01-02 01:00 UTC/);
  assert.match(markup, /badge off">retired/);
  assert.match(markup, /role="status">New signing keys are active\./);
  assert.match(markup, /action="\/admin\/keys\/rotate"[\s\S]*name="csrf" value="csrf-token-1"/);
  assert.match(markup, /for 60 minutes/);
});

test('keys from the configuration file: no rotation form, a pointer to the file', () => {
  const markup = keysView({ keys: [], overlapSeconds: 60, fromConfiguration: true }, csrf).value;
  assert.doesNotMatch(markup, /\/admin\/keys\/rotate/);
  assert.match(markup, /identity_providers\.oidc\.jwks/);
});
