import assert from 'node:assert/strict';
import { test } from 'node:test';
import { html } from '../html.ts';
import { dataTable, inputField, switchField } from './forms.ts';

test('an input: escaped value and attributes, its error linked and shown after it', () => {
  const markup = inputField({
    id: 'n',
    name: 'name',
    label: 'Name',
    value: '"><script>',
    attributes: html`required placeholder="${'a "b"'}" maxlength="${5}"`,
    // Settings left unset write no attribute at all.
    type: undefined,
    autocomplete: undefined,
    errors: { name: 'too long' },
  }).value;
  assert.match(markup, /<label for="n">Name<\/label>/);
  assert.match(markup, /value="&#34;&#62;&#60;script&#62;"/);
  assert.match(markup, / required placeholder="a &#34;b&#34;" maxlength="5"/);
  assert.doesNotMatch(markup, /type=|autocomplete=|undefined/);
  assert.match(markup, /aria-invalid="true" aria-describedby="name-error"/);
  assert.match(markup, /<small id="name-error" class="field-error">too long<\/small>/);
});

test('an input: id from the name, its help linked until it has an error, no value for a password', () => {
  const field = {
    name: 'new_password',
    label: 'New password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    help: 'At least <12> characters.',
  };
  const helped = inputField(field).value;
  assert.match(helped, /<label for="new_password">New password<\/label>/);
  assert.match(helped, /id="new_password"\s+name="new_password"/);
  assert.match(helped, /type="password"\s+required\s+autocomplete="new-password"/);
  assert.doesNotMatch(helped, /value=/);
  assert.match(helped, /aria-describedby="new-password-help"/);
  assert.match(helped, /<small id="new-password-help">At least &#60;12&#62; characters.<\/small>/);
  const failed = inputField({ ...field, errors: { new_password: 'too short' } }).value;
  assert.match(failed, /aria-invalid="true" aria-describedby="new_password-error"/);
  assert.doesNotMatch(failed, /-help/);
});

test('an input whose error has its own key', () => {
  const markup = inputField({
    name: 'lifespan_id_token',
    label: 'ID token',
    value: '5',
    errors: { 'lifespans.id_token': 'at least 60' },
    errorKey: 'lifespans.id_token',
  }).value;
  assert.match(markup, /aria-describedby="lifespans.id_token-error"/);
  assert.match(markup, /<small id="lifespans.id_token-error" class="field-error">at least 60<\/small>/);
});

test('a switch: a checkbox with role=switch, checked as told, its help linked', () => {
  const markup = switchField({ name: 'email_verified', label: 'Verified', checked: true, help: 'Why' }).value;
  assert.match(markup, /<label for="email_verified">/);
  assert.match(
    markup,
    /type="checkbox"\s+role="switch"\s+id="email_verified"\s+name="email_verified"\s+value="on"/,
  );
  assert.match(markup, /aria-describedby="email-verified-help"\s+checked/);
  assert.match(markup, /<small id="email-verified-help">Why<\/small>/);
  const off = switchField({ name: 'is_admin', label: 'Members administer <x>', checked: false }).value;
  assert.doesNotMatch(off, /checked|aria-describedby|<small/);
  assert.match(off, /Members administer &#60;x&#62;/);
});

test('a list table: column headings, wide ones hidden on a phone, the rows as given', () => {
  const markup = dataTable(
    ['A', { label: 'B', className: 'hide-sm' }, { label: 'C', srOnly: true }],
    [
      html`<tr>
        <td>1</td>
      </tr>`,
    ],
    'x',
  ).value;
  assert.match(markup, /<div class="overflow-auto">\s*<table class="x">/);
  assert.match(markup, /<th scope="col">A<\/th>\s*<th scope="col" class="hide-sm">B<\/th>/);
  assert.match(markup, /<th scope="col"><span class="sr-only">C<\/span><\/th>/);
  assert.match(markup, /<tbody>\s*<tr>\s*<td>1<\/td>\s*<\/tr>/);
  assert.match(dataTable(['A'], []).value, /<table>/);
});
