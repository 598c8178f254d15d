// A group's page and its forms: add and remove members, delete the group.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formOf, one, queryOf } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import type { SignedIn } from '../../../http/sessions.ts';
import { actorOf, attempt } from '../kit.ts';
import type { PeopleContext } from '../people.ts';
import { doneNotice } from '../../views/forms.ts';
import { adminPage, notFoundPage } from '../layout.view.ts';
import { groupPath, groupView } from './group.view.ts';

const DONE = { created: 'Group created.', added: 'Member added.', removed: 'Member removed.' };

async function showGroup(
  context: PeopleContext,
  reply: FastifyReply,
  admin: SignedIn,
  name: string,
  options: { done?: string; error?: string } = {},
) {
  const { config } = context;
  const overview = await context.groups.overview(name);
  if (!overview) return reply.html(notFoundPage(config, admin, 'groups', 'There is no such group.'), 404);
  const body = groupView({ signedIn: admin, overview, ...options });
  return reply.html(adminPage(config, 'groups', overview.group.name, body, admin), options.error ? 400 : 200);
}

const nameOf = (request: FastifyRequest): string => (request.params as { name: string }).name;

type Change = (actor: string, name: string, request: FastifyRequest) => Promise<unknown>;

/** A form of the group's page: the change, then `done`, or the page with the error. */
function groupForm(app: FastifyInstance, context: PeopleContext, path: string, done: string, change: Change) {
  app.post(`/admin/groups/:name${path}`, async (request, reply) => {
    const admin = signedIn(request);
    const name = nameOf(request);
    const outcome = await attempt(() => change(actorOf(request), name, request));
    if (!outcome.ok) return showGroup(context, reply, admin, name, { error: outcome.errors.form });
    return reply.redirect(done.startsWith('/') ? done : `${groupPath(name)}?done=${done}`, 303);
  });
}

export function registerGroupPage(app: FastifyInstance, context: PeopleContext): void {
  app.get('/admin/groups/:name', (request, reply) =>
    showGroup(context, reply, signedIn(request), nameOf(request), {
      done: doneNotice(DONE, queryOf(request).done),
    }),
  );
  const { groups } = context;
  groupForm(app, context, '/members', 'added', (actor, name, request) =>
    groups.addMember(actor, name, one(formOf(request).username)),
  );
  groupForm(app, context, '/members/:username/remove', 'removed', (actor, name, request) =>
    groups.removeMember(actor, name, (request.params as { username: string }).username),
  );
  groupForm(app, context, '/delete', '/admin/groups?done=deleted', (actor, name) =>
    groups.delete(actor, name),
  );
}
