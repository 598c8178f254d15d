// GET /admin/users: the users list, searched by username, email or display name.
import type { FastifyInstance } from 'fastify';
import { queryOf } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import type { PeopleContext } from '../people.ts';
import { adminPage } from '../layout.view.ts';
import { userListView } from './list.view.ts';

const PAGE_SIZE = 20;

export function registerUserList(app: FastifyInstance, context: PeopleContext): void {
  app.get('/admin/users', async (request, reply) => {
    const query = queryOf(request);
    const search = (query.q ?? '').trim().slice(0, 100);
    const page = Math.max(1, Math.min(10_000, Number.parseInt(query.page ?? '1', 10) || 1));
    const users = await context.users.list({
      search: search || undefined,
      limit: PAGE_SIZE + 1,
      offset: (page - 1) * PAGE_SIZE,
    });
    const body = userListView({
      brand: context.config.branding.name,
      search,
      page,
      users: users.slice(0, PAGE_SIZE),
      more: users.length > PAGE_SIZE,
    });
    return reply.html(adminPage(context.config, 'users', 'Users', body, signedIn(request)));
  });
}
