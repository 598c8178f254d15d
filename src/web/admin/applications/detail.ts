// GET /admin/applications/:slug: the integration guide, the edit form and the delete confirmation.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { queryOf, type FieldErrors, type Form } from '../../../http/forms.ts';
import { signedIn } from '../../../http/guards.ts';
import { buildGuide } from '../../../services/guide.ts';
import type { ApplicationDetails } from '../../../services/applications.ts';
import type { AppsPages } from '../apps.ts';
import { statusOf } from '../kit.ts';
import { adminPage, notFoundPage } from '../layout.view.ts';
import { applicationPage } from './detail.view.ts';

export type SlugParams = { Params: { slug: string } };

export function noSuchApplication({ config }: AppsPages, request: FastifyRequest, reply: FastifyReply) {
  const page = notFoundPage(config, signedIn(request), 'applications', 'There is no such application.');
  return reply.html(page, 404);
}

/** The page, with the edit form's values and errors when it comes back refused. */
export function showApplication(
  { config }: AppsPages,
  request: FastifyRequest,
  reply: FastifyReply,
  details: ApplicationDetails,
  edit: { values?: Form; errors?: FieldErrors; done?: string } = {},
) {
  const user = signedIn(request);
  const errors = edit.errors ?? {};
  const guide = buildGuide(details, config.externalUrl);
  const body = applicationPage({ details, guide, csrf: user.csrf, ...edit, errors });
  const status = statusOf(errors);
  return reply.html(adminPage(config, 'applications', details.application.name, body, user), status);
}

export function registerApplicationDetail(app: FastifyInstance, pages: AppsPages): void {
  app.get<SlugParams>('/admin/applications/:slug', async (request, reply) => {
    const details = await pages.applications.find(request.params.slug);
    if (!details) return noSuchApplication(pages, request, reply);
    return showApplication(pages, request, reply, details, { done: queryOf(request).done });
  });
}
