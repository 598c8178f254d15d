import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Invitation } from '../../../store/index.ts';
import { invitationsView } from './invitations.view.ts';

const now = new Date('2026-06-01T00:00:00Z');

function invitation(id: string, fields: Partial<Invitation>): Invitation {
  return {
    id,
    email: `${id}@example.com`,
    groups: ['staff'],
    mailed: true,
    createdAt: new Date('2026-05-30T00:00:00Z'),
    expiresAt: new Date('2026-06-05T00:00:00Z'),
    ...fields,
  };
}

test('invitations: each state has its badge, only pending ones can be revoked, the link is shown once', () => {
  const markup = invitationsView(
    {
      invitations: [
        invitation('open', { username: '<b>fixed</b>' }),
        invitation('done', { usedAt: now }),
        invitation('late', { expiresAt: new Date('2026-05-31T00:00:00Z') }),
        invitation('gone', { revokedAt: now, mailed: false }),
      ],
      now,
      canMail: true,
      created: { email: 'open@example.com', link: 'https://sso.test/invitation?token=abc', mailed: true },
    },
    'csrf-1',
  ).value;
  for (const state of ['pending', 'used', 'expired', 'revoked'])
    assert.match(markup, new RegExp(`badge[^"]*">${state}<`));
  assert.equal(markup.match(/\/revoke"/g)?.length, 1);
  assert.match(markup, /\/admin\/invitations\/open\/revoke/);
  assert.match(markup, /&#60;b&#62;fixed&#60;\/b&#62;/);
  assert.match(markup, /value="https:\/\/sso.test\/invitation\?token=abc" readonly/);
  assert.match(markup, /\(link copied\)/);
  assert.match(markup, /name="send_mail"/);
  assert.match(markup, /name="csrf" value="csrf-1"/);
});

test('invitations: without a notifier the form says the link is to be copied', () => {
  const markup = invitationsView({ invitations: [], now, canMail: false }, 'csrf-1').value;
  assert.doesNotMatch(markup, /name="send_mail"/);
  assert.match(markup, /no notifier/);
  assert.match(markup, /No invitations yet/);
});
