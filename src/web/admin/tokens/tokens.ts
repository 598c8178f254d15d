// /admin/tokens: admin API tokens, created (and shown once) and revoked.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SignedIn } from '../../../http/sessions.ts';
import { NotFoundError } from '../../../lib/errors.ts';
import { ApiTokenService } from '../../../services/tokens.ts';
import { toFieldErrors, type AdminGuard, type Form } from '../../admin-kit.ts';
import { asAdmin, doneNotice, sendPage, type SystemPagesContext } from '../routes.ts';
import { readTokenForm } from './form.ts';
import { tokensView, type TokensPageData } from './tokens.view.ts';

type PageState = Omit<TokensPageData, 'tokens' | 'now'>;

export function registerTokensPage(
  app: FastifyInstance,
  context: SystemPagesContext,
  guard: AdminGuard,
): void {
  const tokens = new ApiTokenService(context.store);

  async function tokensPage(reply: FastifyReply, signedIn: SignedIn, state: PageState = {}) {
    const body = tokensView({ ...state, tokens: await tokens.list(), now: new Date() }, signedIn);
    // The page may hold a token just created.
    void reply.header('cache-control', 'no-store');
    return sendPage(reply, context.config, { section: 'tokens', title: 'API tokens', body }, signedIn);
  }

  app.get(
    '/admin/tokens',
    asAdmin(guard, (request, reply, signedIn) => {
      const created = guard.once.take(request, reply, signedIn, 'tokens');
      return tokensPage(reply, signedIn, {
        done: doneNotice(request, { revoked: 'The token was revoked.' }),
        created:
          typeof created?.name === 'string' && typeof created.token === 'string'
            ? { name: created.name, token: created.token }
            : undefined,
      });
    }),
  );

  app.post(
    '/admin/tokens',
    asAdmin(guard, async (request, reply, signedIn) => {
      const form = (request.body ?? {}) as Form;
      const read = readTokenForm(form);
      if ('errors' in read) return tokensPage(reply.status(400), signedIn, { errors: read.errors, form });
      try {
        const { token, record } = await tokens.create(read.input, `user:${signedIn.user.username}`);
        guard.once.put(request, reply, signedIn, 'tokens', { name: record.name, token });
        return reply.redirect('/admin/tokens?done=created', 303);
      } catch (error) {
        const errors = toFieldErrors(error, ['name', 'scopes', 'expires_at']);
        if (!errors) throw error;
        return tokensPage(reply.status(400), signedIn, { errors, form });
      }
    }),
  );

  app.post(
    '/admin/tokens/:id/revoke',
    asAdmin(guard, async (request, reply, signedIn) => {
      const { id } = request.params as { id: string };
      try {
        await tokens.revoke(id, `user:${signedIn.user.username}`);
      } catch (error) {
        if (error instanceof NotFoundError)
          return guard.notFound(reply, signedIn, 'tokens', 'There is no such API token.');
        throw error;
      }
      return reply.redirect('/admin/tokens?done=revoked', 303);
    }),
  );
}
