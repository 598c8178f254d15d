// A group's page and its forms: add and remove members, delete the group.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SignedIn } from '../../../http/sessions.ts';
import { one, type Form } from '../../admin-kit.ts';
import { actorOf, asAdmin, attempt, doneNotice, sendPage, type PeopleContext } from '../context.ts';
import { groupPath, groupView } from './group.view.ts';

const DONE = { created: 'Group created.', added: 'Member added.', removed: 'Member removed.' };

async function showGroup(
  context: PeopleContext,
  reply: FastifyReply,
  signedIn: SignedIn,
  name: string,
  options: { done?: string; error?: string } = {},
) {
  const overview = await context.groups.overview(name);
  if (!overview) return context.guard.notFound(reply, signedIn, 'groups', 'There is no such group.');
  const body = groupView({ signedIn, overview, ...options });
  return sendPage(reply, context, signedIn, {
    section: 'groups',
    title: overview.group.name,
    body,
    status: options.error ? 400 : 200,
  });
}

type GroupAction = (
  actor: string,
  name: string,
  request: { params: unknown; body: unknown },
) => Promise<unknown>;

/** A form of the group's page: the change, then `done` on success or the page with the error. */
function groupForm(
  app: FastifyInstance,
  context: PeopleContext,
  path: string,
  done: string,
  action: GroupAction,
) {
  app.post(
    `/admin/groups/:name${path}`,
    asAdmin(context, async (request, reply, signedIn) => {
      const { name } = request.params as { name: string };
      const outcome = await attempt(() => action(actorOf(signedIn), name, request));
      if (!outcome.ok) return showGroup(context, reply, signedIn, name, { error: outcome.errors.form });
      return reply.redirect(done.startsWith('/') ? done : `${groupPath(name)}?done=${done}`, 303);
    }),
  );
}

export function registerGroupPage(app: FastifyInstance, context: PeopleContext): void {
  app.get(
    '/admin/groups/:name',
    asAdmin(context, (request, reply, signedIn) =>
      showGroup(context, reply, signedIn, (request.params as { name: string }).name, {
        done: doneNotice(request, DONE),
      }),
    ),
  );
  const { groups } = context;
  groupForm(app, context, '/members', 'added', (actor, name, request) =>
    groups.addMember(actor, name, one(((request.body ?? {}) as Form).username)),
  );
  groupForm(app, context, '/members/:username/remove', 'removed', (actor, name, request) =>
    groups.removeMember(actor, name, (request.params as { username: string }).username),
  );
  groupForm(app, context, '/delete', '/admin/groups?done=deleted', (actor, name) =>
    groups.delete(actor, name),
  );
}
