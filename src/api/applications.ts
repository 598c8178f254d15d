// /api/v1/applications: an application with its OAuth2/OpenID provider, and its integration guide.
// Each route parses its input and calls one method of ApplicationService.
import { z } from 'zod';
import { clientSettingsPatch, pickSettings } from '../apps/client-settings.ts';
import {
  applicationService,
  type ApplicationDetails,
  type ApplicationService,
} from '../services/applications.ts';
import { presets } from '../apps/presets.ts';
import { NEW_CLIENT_DEFAULTS, RESOLVED_CONSENT_MODES } from '../config/client-model.ts';
import type { SesameConfig } from '../config/load.ts';
import { redirectUriInput, redirectUriView as redirectUri } from '../config/redirect-uris.ts';
import type { Store } from '../store/index.ts';
import { providerView } from './providers.ts';
import { operations, type AnyRoute } from './routes.ts';

const consentMode = z.enum(RESOLVED_CONSENT_MODES);

const applicationView = z.object({
  slug: z.string(),
  name: z.string(),
  launch_url: z.string().optional(),
  icon: z.string().optional(),
  description: z.string().optional(),
  preset: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  provider: providerView
    .pick({
      client_id: true,
      client_type: true,
      redirect_uris: true,
      post_logout_redirect_uris: true,
      scopes: true,
      consent_mode: true,
      authorization_policy: true,
      allowed_groups: true,
      subject_mode: true,
      id_token_signed_response_alg: true,
    })
    .optional(),
  urls: z.object({
    issuer: z.string(),
    discovery: z.string(),
    authorize: z.string(),
    token: z.string(),
    userinfo: z.string(),
    end_session: z.string(),
    jwks: z.string(),
  }),
});

const guideView = z.object({
  application: z.object({ slug: z.string(), name: z.string() }),
  preset: z
    .object({ id: z.string(), name: z.string(), description: z.string(), docs: z.string() })
    .optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional().describe('Only in the answer that created the secret'),
  client_type: z.enum(['public', 'confidential']).optional(),
  issuer: z.string(),
  discovery_url: z.string(),
  global_issuer: z.string(),
  global_discovery_url: z.string(),
  redirect_uris: z.array(redirectUri),
  scopes: z.array(z.string()),
  settings: z.array(z.object({ name: z.string(), value: z.string() })),
  env: z.string(),
});

const createBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional().describe("Display name (default: the preset's)"),
    slug: z
      .string()
      .optional()
      .describe('Used in the issuer URL /application/o/<slug>/ (default: from the name)'),
    preset: z
      .string()
      .optional()
      .describe('A known app from the catalogue: fills in redirect URI, scopes and consent'),
    app_url: z.url().optional().describe("The app's own base URL; required with preset"),
    launch_url: z.url().optional(),
    icon: z.string().optional(),
    description: z.string().max(2000).optional(),
    redirect_uris: z.array(redirectUriInput).default([]),
    post_logout_redirect_uris: z.array(redirectUriInput).default([]),
    public: z.boolean().default(false),
    client_id: z.string().optional(),
    scopes: z.array(z.string()).optional(),
    consent_mode: consentMode.optional(),
    authorization_policy: z.string().default(NEW_CLIENT_DEFAULTS.authorizationPolicy),
    allowed_groups: z.array(z.string()).default([]),
    ...clientSettingsPatch,
  })
  .superRefine((body, ctx) => {
    if (body.preset !== undefined && !presets().has(body.preset))
      ctx.addIssue({
        code: 'custom',
        path: ['preset'],
        message: `unknown preset '${body.preset}' (allowed: ${[...presets().keys()].join(', ')})`,
      });
    else if (body.preset !== undefined && body.app_url === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['app_url'],
        message: "a preset needs app_url, the app's own base URL",
      });
    if (body.preset === undefined && body.name === undefined)
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'give the application a name (or a preset)' });
  });

const slugParams = z.object({ slug: z.string().min(1).max(100) });
const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export function toApplicationView(details: ApplicationDetails): z.output<typeof applicationView> {
  const { application, client, urls } = details;
  return {
    slug: application.slug,
    name: application.name,
    launch_url: application.launchUrl,
    icon: application.icon,
    description: application.description,
    preset: application.preset,
    created_at: application.createdAt.toISOString(),
    updated_at: application.updatedAt.toISOString(),
    provider: client && {
      client_id: client.clientId,
      client_type: client.public ? 'public' : 'confidential',
      redirect_uris: client.redirectUris,
      post_logout_redirect_uris: client.postLogoutRedirectUris,
      scopes: client.scopes,
      consent_mode: client.consentMode,
      authorization_policy: client.authorizationPolicy,
      allowed_groups: client.allowedGroups,
      subject_mode: client.subjectMode,
      id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    },
    urls: {
      issuer: urls.issuer,
      discovery: urls.discovery,
      authorize: urls.authorize,
      token: urls.token,
      userinfo: urls.userinfo,
      end_session: urls.endSession,
      jwks: urls.jwks,
    },
  };
}

const applicationOps = operations('applications');

const listRoute = (service: ApplicationService) =>
  applicationOps.read({
    method: 'GET',
    path: '/applications',
    operationId: 'listApplications',
    summary: 'List applications with their providers',
    query: pageQuery,
    response: z.object({ items: z.array(applicationView), next_offset: z.number().optional() }),
    async handler({ query }) {
      const page = await service.list({ limit: query.limit + 1, offset: query.offset });
      return {
        items: page.slice(0, query.limit).map(toApplicationView),
        next_offset: page.length > query.limit ? query.offset + query.limit : undefined,
      };
    },
  });

const createRoute = (service: ApplicationService) =>
  applicationOps.write({
    method: 'POST',
    path: '/applications',
    operationId: 'createApplication',
    summary: 'Create an application and its provider; the answer holds the client secret, shown once',
    body: createBody,
    status: 201,
    response: z.object({ application: applicationView, guide: guideView }),
    async handler({ body, actor }) {
      const created = await service.create(
        {
          name: body.name,
          slug: body.slug,
          preset: body.preset,
          appUrl: body.app_url,
          launchUrl: body.launch_url,
          icon: body.icon,
          description: body.description,
          redirectUris: body.redirect_uris,
          postLogoutRedirectUris: body.post_logout_redirect_uris,
          public: body.public,
          clientId: body.client_id,
          scopes: body.scopes,
          consentMode: body.consent_mode,
          authorizationPolicy: body.authorization_policy,
          allowedGroups: body.allowed_groups,
          settings: pickSettings(body),
        },
        actor,
      );
      return { application: toApplicationView(created), guide: created.guide };
    },
  });

const getRoute = (service: ApplicationService) =>
  applicationOps.read({
    method: 'GET',
    path: '/applications/{slug}',
    operationId: 'getApplication',
    summary: 'One application with its provider and URLs',
    params: slugParams,
    response: applicationView,
    async handler({ params }) {
      return toApplicationView(await service.show(params.slug));
    },
  });

const guideRoute = (service: ApplicationService) =>
  applicationOps.read({
    method: 'GET',
    path: '/applications/{slug}/guide',
    operationId: 'getApplicationGuide',
    summary:
      'The integration guide: the values to paste into the app, and its settings when it is a known app',
    params: slugParams,
    response: guideView,
    async handler({ params, reply }) {
      // Values such as a freshly generated session secret differ on each call: never cache.
      void reply.header('cache-control', 'no-store');
      return service.guide(params.slug);
    },
  });

const deleteRoute = (service: ApplicationService) =>
  applicationOps.write({
    method: 'DELETE',
    path: '/applications/{slug}',
    operationId: 'deleteApplication',
    summary: 'Delete an application and its provider; its issuer disappears',
    params: slugParams,
    async handler({ params, actor }) {
      await service.delete(params.slug, actor);
    },
  });

export function applicationRoutes(config: SesameConfig, store: Store): AnyRoute[] {
  const service = applicationService(config, store);
  return [listRoute, createRoute, getRoute, guideRoute, deleteRoute].map((make) => make(service));
}
