// GET and POST /admin/groups: the groups list, and creating a group.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { formOf, one, queryOf, type FieldErrors, type Form } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import type { SignedIn } from '../../../http/sessions.ts';
import { actorOf, attempt, statusOf } from '../kit.ts';
import type { PeopleContext } from '../people.ts';
import { doneNotice } from '../../views/forms.ts';
import { adminPage } from '../layout.view.ts';
import { groupPath } from './group.view.ts';
import { groupListView } from './list.view.ts';

async function showGroups(
  context: PeopleContext,
  reply: FastifyReply,
  admin: SignedIn,
  form: { values?: Form; errors?: FieldErrors; done?: string } = {},
) {
  const errors = form.errors ?? {};
  const body = groupListView({
    signedIn: admin,
    brand: context.config.branding.name,
    groups: await context.groups.list(),
    done: form.done,
    values: form.values ?? {},
    errors,
  });
  return reply.html(adminPage(context.config, 'groups', 'Groups', body, admin), statusOf(errors));
}

export function registerGroupList(app: FastifyInstance, context: PeopleContext): void {
  app.get('/admin/groups', (request, reply) =>
    showGroups(context, reply, signedIn(request), {
      done: doneNotice({ deleted: 'The group was deleted; its members stay.' }, queryOf(request).done),
    }),
  );

  app.post('/admin/groups', async (request, reply) => {
    const admin = signedIn(request);
    const form = formOf(request);
    const created = await attempt(
      () => context.groups.create(actorOf(request), one(form.name), one(form.is_admin) === 'on'),
      ['name'],
      'name',
    );
    if (!created.ok) return showGroups(context, reply, admin, { values: form, errors: created.errors });
    return reply.redirect(`${groupPath(created.value.name)}?done=created`, 303);
  });
}
