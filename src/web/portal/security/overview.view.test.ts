import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SecurityOverview } from '../../../services/account.ts';
import type { User, WebauthnCredential } from '../../../store/index.ts';
import { securityView } from './overview.view.ts';

const user: User = {
  id: 'u1',
  username: 'pat<script>',
  emailVerified: false,
  claims: {},
  disabled: false,
  source: 'local',
  groups: [],
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-01T00:00:00Z'),
};

const key: WebauthnCredential = {
  id: 'key-1',
  userId: 'u1',
  name: 'Laptop "work"',
  publicKey: 'pk',
  counter: 0,
  transports: [],
  backedUp: false,
  createdAt: new Date('2026-02-03T10:00:00Z'),
  lastUsedAt: new Date('2026-03-04T10:00:00Z'),
};

function overview(changes: Partial<SecurityOverview> = {}): SecurityOverview {
  return {
    factors: { totp: false, passkeys: 0, recoveryCodes: 0 },
    passkeys: [],
    passkeysEnabled: true,
    passwordlessEnabled: false,
    ...changes,
  };
}

const csrfFields = (markup: string) =>
  markup.match(/<input type="hidden" name="csrf" value="token-1" \/>/g) ?? [];
const forms = (markup: string) => markup.match(/<form\b/g) ?? [];

describe('the Security page', () => {
  it('escapes the username and puts the CSRF field in every form', () => {
    const markup = securityView({ user, csrf: 'token-1', overview: overview(), elevated: true }).value;
    assert.match(markup, /Signed in as <strong>pat&#60;script&#62;<\/strong>/);
    assert.ok(!markup.includes('<script>'));
    assert.ok(forms(markup).length >= 3);
    assert.equal(csrfFields(markup).length, forms(markup).length);
    assert.match(markup, /action="\/portal\/security\/totp\/new"/);
    assert.match(markup, /Create recovery codes/);
  });

  it('lists passkeys (escaped) with rename and remove, and offers removal of a set-up app', () => {
    const markup = securityView({
      user,
      csrf: 'token-1',
      overview: overview({ factors: { totp: true, passkeys: 1, recoveryCodes: 7 }, passkeys: [key] }),
      done: 'Your passkey was added.',
    }).value;
    assert.match(markup, /<div class="notice" role="status">Your passkey was added.<\/div>/);
    assert.match(markup, /action="\/portal\/security\/totp\/remove"/);
    assert.match(markup, /value="Laptop &#34;work&#34;"/);
    assert.match(markup, /action="\/portal\/security\/passkeys\/key-1\/rename"/);
    assert.match(markup, /Added 2026-02-03, last used 2026-03-04/);
    assert.match(markup, /7 unused recovery codes left\./);
    assert.match(markup, /Replace recovery codes/);
    assert.equal(csrfFields(markup).length, forms(markup).length);
  });

  it('offers to confirm it is you, and no passkey registration, until the session is elevated', () => {
    const markup = securityView({ user, csrf: 'token-1', overview: overview() }).value;
    assert.match(markup, /href="\/portal\/security\/elevate\?next=%2Fportal%2Fsecurity"/);
    assert.ok(!markup.includes('data-webauthn="register"'));
    const elevated = securityView({ user, csrf: 'token-1', overview: overview(), elevated: true }).value;
    assert.ok(!elevated.includes('/portal/security/elevate'));
    assert.ok(elevated.includes('data-webauthn="register"'));
  });

  it('leaves out passkeys when they are turned off', () => {
    const markup = securityView({
      user,
      csrf: 'token-1',
      overview: overview({ passkeysEnabled: false }),
    }).value;
    assert.ok(!markup.includes('passkeys-heading'));
  });
});
