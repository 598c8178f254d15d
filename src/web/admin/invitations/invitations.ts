// /admin/invitations: invitations listed with their state, created (the link shown once), revoked.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formOf, one, queryOf, toFieldErrors, type Form } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import { InvalidInputError, NotFoundError } from '../../../lib/errors.ts';
import { InvitationService, type InvitationInput } from '../../../services/invitations.ts';
import { mailerOf } from '../../../services/notifier.ts';
import { doneNotice } from '../../views/forms.ts';
import { actorOf, type AdminKit } from '../kit.ts';
import { adminPage, notFoundPage } from '../layout.view.ts';
import { invitationsView, type InvitationsPageData } from './invitations.view.ts';

type PageState = Omit<InvitationsPageData, 'invitations' | 'now' | 'canMail'>;

function readForm(form: Form, canMail: boolean): InvitationInput {
  const days = one(form.expires_days) || '7';
  if (!/^\d{1,2}$/.test(days)) throw new InvalidInputError('a number of days from 1 to 90', 'expires');
  const groups = one(form.groups)
    .split(',')
    .map((group) => group.trim())
    .filter(Boolean);
  return {
    email: one(form.email),
    username: one(form.username) || undefined,
    groups,
    expiresInSeconds: Number(days) * 86_400,
    mail: canMail && form.send_mail === 'on',
  };
}

export function registerInvitationsPage(scope: FastifyInstance, kit: AdminKit): void {
  const invitations = new InvitationService({
    config: kit.config,
    store: kit.store,
    mailer: mailerOf(kit.config),
  });

  async function page(request: FastifyRequest, reply: FastifyReply, state: PageState, status = 200) {
    const user = signedIn(request);
    const data = {
      ...state,
      invitations: await invitations.list(),
      now: new Date(),
      canMail: invitations.canMail,
    };
    return reply.html(
      adminPage(kit.config, 'invitations', 'Invitations', invitationsView(data, user.csrf), user),
      status,
    );
  }

  scope.get('/admin/invitations', (request, reply) => {
    const created = kit.once.take(request, reply, signedIn(request), 'invitations');
    return page(request, reply, {
      done: doneNotice({ revoked: 'The invitation was revoked.' }, queryOf(request).done),
      created:
        typeof created?.email === 'string' && typeof created.link === 'string'
          ? { email: created.email, link: created.link, mailed: created.mailed === 'yes' }
          : undefined,
    });
  });

  scope.post('/admin/invitations', async (request, reply) => {
    const form = formOf(request);
    try {
      const { invitation, link } = await invitations.create(
        actorOf(request),
        readForm(form, invitations.canMail),
      );
      const note = { email: invitation.email, link, mailed: invitation.mailed ? 'yes' : 'no' };
      kit.once.put(request, reply, signedIn(request), 'invitations', note);
      return reply.redirect('/admin/invitations?done=created', 303);
    } catch (error) {
      const errors = toFieldErrors(error, ['email', 'username', 'groups', 'expires', 'mail']);
      if (!errors) throw error;
      return page(request, reply, { errors, form }, 400);
    }
  });

  scope.post('/admin/invitations/:id/revoke', async (request, reply) => {
    try {
      await invitations.revoke(actorOf(request), (request.params as { id: string }).id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      const missing = notFoundPage(
        kit.config,
        signedIn(request),
        'invitations',
        'There is no such invitation.',
      );
      return reply.html(missing, 404);
    }
    return reply.redirect('/admin/invitations?done=revoked', 303);
  });
}
