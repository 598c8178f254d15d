import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { elevateView } from './elevate.view.ts';

const forms = (markup: string) => markup.match(/<form\b/g) ?? [];
const csrfFields = (markup: string) => markup.match(/name="csrf" value="token-1"/g) ?? [];

describe('the Confirm it is you page', () => {
  it('offers to send a code to the masked address, and a code field, each form with its CSRF field', () => {
    const markup = elevateView({
      csrf: 'token-1',
      need: { kind: 'code', to: 'a***@example.com', lifespan: '5 minutes' },
      next: '/portal/security/totp/new',
    }).value;
    assert.match(markup, /<strong>a\*\*\*@example.com<\/strong>/);
    assert.match(markup, /Send a code to your e-mail/);
    assert.match(markup, /name="next" value="\/portal\/security\/totp\/new"/);
    assert.match(markup, /autocomplete="one-time-code"/);
    assert.equal(forms(markup).length, 2);
    assert.equal(csrfFields(markup).length, forms(markup).length);
  });

  it('says a code was sent, and shows an error escaped', () => {
    const markup = elevateView({
      csrf: 'token-1',
      need: { kind: 'code', to: 'a***@example.com', lifespan: '5 minutes' },
      next: '/portal/security',
      sent: true,
      error: '<b>nope</b>',
    }).value;
    assert.match(markup, /A code was sent to a\*\*\*@example.com. It works once, for 5 minutes./);
    assert.match(markup, /&#60;b&#62;nope/);
    assert.match(markup, /Code from the mail/);
  });

  it('asks for the password without a notifier, and for the second factor first when required', () => {
    const password = elevateView({
      csrf: 'token-1',
      need: { kind: 'password' },
      next: '/portal/profile',
    }).value;
    assert.match(password, /type="password"/);
    assert.ok(!password.includes('Send a code'));
    const second = elevateView({
      csrf: 'token-1',
      need: { kind: 'second-factor' },
      next: '/portal/security',
    }).value;
    assert.match(second, /href="\/portal\/login\?level=two_factor&#38;return=%2Fportal%2Fsecurity"/);
    assert.equal(forms(second).length, 0);
  });
});
