import assert from 'node:assert/strict';
import { test } from 'node:test';
import { html } from '../html.ts';
import { inputField, listTable } from './fields.view.ts';

test('an input: escaped value and attributes, its error linked and shown after it', () => {
  const markup = inputField({
    id: 'n',
    name: 'name',
    label: 'Name',
    value: '"><script>',
    attributes: { required: true, placeholder: 'a "b"', maxlength: 5, skipped: undefined },
    errors: { name: 'too long' },
  }).value;
  assert.match(markup, /<label for="n">Name<\/label>/);
  assert.match(markup, /value="&#34;&#62;&#60;script&#62;"/);
  assert.match(markup, / required placeholder="a &#34;b&#34;" maxlength="5"/);
  assert.doesNotMatch(markup, /skipped/);
  assert.match(markup, /aria-invalid="true" aria-describedby="name-error"/);
  assert.match(markup, /<small id="name-error" class="field-error">too long<\/small>/);
});

test('a list table: column headings, wide ones hidden on a phone, the rows as given', () => {
  const markup = listTable(
    ['A', { label: 'B', wide: true }],
    [
      html`<tr>
        <td>1</td>
      </tr>`,
    ],
    'x',
  ).value;
  assert.match(markup, /<table class="x">/);
  assert.match(markup, /<th scope="col">A<\/th>\s*<th scope="col" class="hide-sm">B<\/th>/);
  assert.match(markup, /<tbody>\s*<tr>\s*<td>1<\/td>\s*<\/tr>/);
});
