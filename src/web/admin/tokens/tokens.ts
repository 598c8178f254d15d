// /admin/tokens: admin API tokens, created (and shown once) and revoked.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formOf, queryOf, toFieldErrors } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import { NotFoundError } from '../../../lib/errors.ts';
import { ApiTokenService } from '../../../services/tokens.ts';
import { actorOf, type AdminKit } from '../kit.ts';
import { adminPage, notFoundPage } from '../layout.view.ts';
import { doneNotice } from '../../views/forms.ts';
import { readTokenForm } from './form.ts';
import { tokensView, type TokensPageData } from './tokens.view.ts';

type PageState = Omit<TokensPageData, 'tokens' | 'now'>;

export function registerTokensPage(scope: FastifyInstance, kit: AdminKit): void {
  const tokens = new ApiTokenService(kit.store);

  async function tokensPage(request: FastifyRequest, reply: FastifyReply, state: PageState, status = 200) {
    const user = signedIn(request);
    const body = tokensView({ ...state, tokens: await tokens.list(), now: new Date() }, user.csrf);
    return reply.html(adminPage(kit.config, 'tokens', 'API tokens', body, user), status);
  }

  scope.get('/admin/tokens', (request, reply) => {
    const created = kit.once.take(request, reply, signedIn(request), 'tokens');
    return tokensPage(request, reply, {
      done: doneNotice({ revoked: 'The token was revoked.' }, queryOf(request).done),
      created:
        typeof created?.name === 'string' && typeof created.token === 'string'
          ? { name: created.name, token: created.token }
          : undefined,
    });
  });

  scope.post('/admin/tokens', async (request, reply) => {
    const form = formOf(request);
    const read = readTokenForm(form);
    if ('errors' in read) return tokensPage(request, reply, { errors: read.errors, form }, 400);
    try {
      const { token, record } = await tokens.create(read.input, actorOf(request));
      kit.once.put(request, reply, signedIn(request), 'tokens', { name: record.name, token });
      return reply.redirect('/admin/tokens?done=created', 303);
    } catch (error) {
      const errors = toFieldErrors(error, ['name', 'scopes', 'expires_at']);
      if (!errors) throw error;
      return tokensPage(request, reply, { errors, form }, 400);
    }
  });

  scope.post('/admin/tokens/:id/revoke', async (request, reply) => {
    try {
      await tokens.revoke((request.params as { id: string }).id, actorOf(request));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      const page = notFoundPage(kit.config, signedIn(request), 'tokens', 'There is no such API token.');
      return reply.html(page, 404);
    }
    return reply.redirect('/admin/tokens?done=revoked', 303);
  });
}
