import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceCodeConfirmView, deviceCodeInputView, deviceSuccessView } from './device.view.ts';

const FORM = { action: '/device', method: 'post', xsrf: 'x-s-r-f' } as const;

test('the code entry posts the form token and shows the typed code with what was wrong', () => {
  const first = String(deviceCodeInputView(FORM, {}).body);
  assert.ok(first.includes('<form method="post" action="/device">'));
  assert.ok(first.includes('<input type="hidden" name="xsrf" value="x-s-r-f" />'));
  assert.ok(!first.includes('role="alert"'));
  const again = String(deviceCodeInputView(FORM, { userCode: '<b>BCDF', problem: 'not_found' }).body);
  assert.ok(again.includes('value="&#60;b&#62;BCDF"'), 'the typed code is escaped');
  assert.match(again, /role="alert">That code is not valid/);
});

test('without a stored session the code entry goes by GET and carries no token', () => {
  const page = String(deviceCodeInputView({ ...FORM, method: 'get' }, { problem: 'form_expired' }).body);
  assert.ok(page.includes('<form method="get" action="/device">'));
  assert.ok(!page.includes('name="xsrf"'));
  assert.match(page, /Enter the code again/);
});

test('the confirmation names the application, repeats the code and offers to cancel', () => {
  const page = String(deviceCodeConfirmView(FORM, { userCode: 'BCDF-GHJK', clientName: 'TV & Co' }).body);
  assert.ok(page.includes('Connect TV &#38; Co?'));
  assert.ok(page.includes('<code class="user-code">BCDF-GHJK</code>'));
  assert.ok(page.includes('name="confirm" value="yes"'));
  assert.ok(page.includes('name="abort" value="yes"'));
  assert.ok(page.includes('<input type="hidden" name="xsrf" value="x-s-r-f" />'));
});

test('the success page names the application when it has a name', () => {
  assert.match(String(deviceSuccessView('Kodi').body), /Kodi on your device can continue now/);
  assert.match(String(deviceSuccessView(undefined).body), /Your device\s+can continue now/);
});
