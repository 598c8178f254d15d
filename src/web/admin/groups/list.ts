// GET and POST /admin/groups: the groups list, and creating a group.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SignedIn } from '../../../http/sessions.ts';
import { one, type FieldErrors, type Form } from '../../admin-kit.ts';
import { actorOf, asAdmin, attempt, doneNotice, sendPage, statusOf, type PeopleContext } from '../context.ts';
import { groupPath } from './group.view.ts';
import { groupListView } from './list.view.ts';

async function showGroups(
  context: PeopleContext,
  reply: FastifyReply,
  signedIn: SignedIn,
  form: { values?: Form; errors?: FieldErrors; done?: string } = {},
) {
  const errors = form.errors ?? {};
  const body = groupListView({
    signedIn,
    brand: context.config.branding.name,
    groups: await context.groups.list(),
    done: form.done,
    values: form.values ?? {},
    errors,
  });
  return sendPage(reply, context, signedIn, {
    section: 'groups',
    title: 'Groups',
    body,
    status: statusOf(errors),
  });
}

export function registerGroupList(app: FastifyInstance, context: PeopleContext): void {
  app.get(
    '/admin/groups',
    asAdmin(context, (request, reply, signedIn) =>
      showGroups(context, reply, signedIn, {
        done: doneNotice(request, { deleted: 'The group was deleted; its members stay.' }),
      }),
    ),
  );

  app.post(
    '/admin/groups',
    asAdmin(context, async (request, reply, signedIn) => {
      const form = (request.body ?? {}) as Form;
      const created = await attempt(
        () => context.groups.create(actorOf(signedIn), one(form.name), one(form.is_admin) === 'on'),
        ['name'],
        'name',
      );
      if (!created.ok) return showGroups(context, reply, signedIn, { values: form, errors: created.errors });
      return reply.redirect(`${groupPath(created.value.name)}?done=created`, 303);
    }),
  );
}
