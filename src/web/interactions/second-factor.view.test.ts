import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SesameConfig } from '../../config/load.ts';
import { enrolRequiredPage } from './abort.view.ts';
import { secondFactorPage, type SecondFactorPageInput } from './second-factor.view.ts';

const config = { branding: { name: 'Sesame' } } as SesameConfig;
const CSRF = '1900000000.nonce.mac';
const page = (input: Partial<SecondFactorPageInput>) =>
  secondFactorPage(config, {
    action: '/interaction/abc/second-factor',
    csrf: CSRF,
    clientName: 'Wiki',
    username: 'Alice <A>',
    totp: false,
    passkeys: false,
    recoveryCodes: 0,
    ...input,
  });
const csrfFields = (markup: string) => markup.match(/name="csrf" value="1900000000\.nonce\.mac"/g)?.length;

test('each factor the user has gets a form with the CSRF token', () => {
  const all = page({ totp: true, passkeys: true, recoveryCodes: 3 });
  assert.equal(csrfFields(all), 3);
  assert.ok(all.includes('<input type="hidden" name="method" value="totp" />'));
  assert.ok(all.includes('data-options-url="/interaction/abc/second-factor/options"'));
  assert.ok(all.includes('<details >'), 'recovery codes are folded away beside another factor');
  assert.ok(all.includes('Alice &#60;A&#62;'));
});

test('recovery codes alone are shown open; an error is announced', () => {
  const codes = page({ recoveryCodes: 1, error: 'That code is not valid. Try the current one.' });
  assert.equal(csrfFields(codes), 1);
  assert.ok(codes.includes('<details open>'));
  assert.ok(!codes.includes('data-webauthn'));
  assert.ok(
    codes.includes('<div class="error" role="alert">That code is not valid. Try the current one.</div>'),
  );
});

test('without any second factor the user is sent to the security settings', () => {
  const enrol = enrolRequiredPage(config, {
    clientName: 'Wiki',
    securityUrl: '/portal/security',
    abortAction: '/interaction/abc/abort',
    csrf: CSRF,
  });
  assert.ok(enrol.includes('<a href="/portal/security">security settings</a>'));
  assert.equal(csrfFields(enrol), 1);
  assert.match(enrol, /<button type="submit" class="secondary">Return to Wiki<\/button>/);
});
