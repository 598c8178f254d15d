import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { User } from '../../store/index.ts';
import { profileValues, profileView } from './profile.view.ts';

const user: User = {
  id: 'u1',
  username: 'pat',
  displayName: 'Pat "the cat" <b>',
  email: 'pat@example.com',
  emailVerified: true,
  claims: {},
  disabled: false,
  source: 'local',
  groups: ['family'],
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-01T00:00:00Z'),
};

describe('the Profile page', () => {
  it('shows the stored values escaped, with the CSRF field and the e-mail help', () => {
    const markup = profileView({ user, csrf: 'token-1', values: profileValues(user) }).value;
    assert.match(markup, /<input type="hidden" name="csrf" value="token-1" \/>/);
    assert.match(markup, /value="Pat &#34;the cat&#34; &#60;b&#62;"/);
    assert.match(markup, /aria-describedby="email-help"/);
    assert.match(markup, /<small id="email-help">Verified. Changing it marks it unverified.<\/small>/);
    assert.match(markup, /<button type="submit">Save profile<\/button>/);
    assert.ok(!markup.includes('role="alert"'));
  });

  it('marks a field with its error and keeps what was sent', () => {
    const values = { ...profileValues(user), picture: 'javascript:alert(1)' };
    const markup = profileView({
      user,
      csrf: 'token-1',
      values,
      errors: { picture: 'not an http(s) URL' },
    }).value;
    assert.match(markup, /aria-invalid="true" aria-describedby="picture-error"/);
    assert.match(markup, /<small id="picture-error" class="field-error">not an http\(s\) URL<\/small>/);
    assert.match(markup, /value="javascript:alert\(1\)"/);
    assert.match(markup, /role="alert"/);
  });

  it('is read-only for an account of the users file', () => {
    const markup = profileView({
      user: { ...user, source: 'file' },
      csrf: 'token-1',
      values: profileValues(user),
    }).value;
    assert.match(markup, /<fieldset disabled>/);
    assert.ok(!markup.includes('Save profile'));
  });
});
