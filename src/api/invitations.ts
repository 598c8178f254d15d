// /api/v1/invitations: invite someone into groups (by mail, or a link to hand over), list, revoke.
// Invitations make accounts, so they take the `users` scope.
import { z } from 'zod';
import { parseDuration } from '../config/duration.ts';
import type { SesameConfig } from '../config/load.ts';
import { InvalidInputError } from '../lib/errors.ts';
import { InvitationService, invitationState } from '../services/invitations.ts';
import { mailerOf } from '../services/notifier.ts';
import type { Invitation, Store } from '../store/index.ts';
import { isoTime, operations, type AnyRoute } from './routes.ts';

const { read, write } = operations('users');

const invitationView = z.object({
  id: z.string(),
  email: z.string(),
  username: z.string().optional().describe('Fixed for the invitee; absent: they choose'),
  groups: z.array(z.string()),
  mailed: z.boolean().describe('Sent by mail (the address then counts as verified)'),
  state: z.enum(['pending', 'used', 'expired', 'revoked']),
  created_by: z.string().optional(),
  created_at: z.string(),
  expires_at: z.string(),
  used_at: z.string().optional(),
  used_by_user_id: z.string().optional(),
  revoked_at: z.string().optional(),
});

function toView(invitation: Invitation): z.output<typeof invitationView> {
  return {
    id: invitation.id,
    email: invitation.email,
    username: invitation.username,
    groups: invitation.groups,
    mailed: invitation.mailed,
    state: invitationState(invitation),
    created_by: invitation.createdBy,
    created_at: invitation.createdAt.toISOString(),
    expires_at: invitation.expiresAt.toISOString(),
    used_at: isoTime(invitation.usedAt),
    used_by_user_id: invitation.usedByUserId,
    revoked_at: isoTime(invitation.revokedAt),
  };
}

const createInvitation = z.strictObject({
  email: z.string().min(1).max(320),
  username: z.string().min(1).max(100).optional(),
  groups: z.array(z.string().min(1).max(100)).max(100).default([]),
  expires_in: z.string().default('7d').describe('A duration such as 7d or 12h: at most 90d'),
  send_mail: z
    .boolean()
    .default(true)
    .describe('Mail the link (needs a notifier); false: only create it, to copy from the answer'),
});

export function invitationRoutes(config: SesameConfig, store: Store): AnyRoute[] {
  const invitations = new InvitationService({ config, store, mailer: mailerOf(config) });
  return [
    read({
      method: 'GET',
      path: '/invitations',
      operationId: 'listInvitations',
      summary: 'Invitations, newest first, with their state',
      response: z.object({ items: z.array(invitationView) }),
      async handler() {
        return { items: (await invitations.list()).map(toView) };
      },
    }),
    write({
      method: 'POST',
      path: '/invitations',
      operationId: 'createInvitation',
      summary:
        'Invite someone: the answer carries the link once (it is mailed too unless send_mail is false)',
      body: createInvitation,
      status: 201,
      response: invitationView.extend({
        link: z.string().describe('The invitee’s one-time link (shown once)'),
      }),
      async handler({ body, actor }) {
        const seconds = parseDuration(body.expires_in);
        if (seconds === undefined)
          throw new InvalidInputError(`'${body.expires_in}' is not a duration such as 7d`, 'expires_in');
        const created = await invitations.create(actor, {
          email: body.email,
          username: body.username,
          groups: body.groups,
          expiresInSeconds: seconds,
          mail: body.send_mail,
        });
        return { ...toView(created.invitation), link: created.link };
      },
    }),
    write({
      method: 'DELETE',
      path: '/invitations/{id}',
      operationId: 'revokeInvitation',
      summary: 'Revoke an unused invitation: its link stops working',
      params: z.object({ id: z.string().min(1).max(64) }),
      async handler({ params, actor }) {
        await invitations.revoke(actor, params.id);
      },
    }),
  ];
}
