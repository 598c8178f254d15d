// /api/v1/applications: an application with its OAuth2/OpenID provider, and its integration guide.
import { z } from 'zod';
import { clientSettingsPatch, pickSettings } from '../apps/client-settings.ts';
import { ApplicationService, type ApplicationDetails } from '../services/applications.ts';
import { buildGuide, presetDefaults } from '../services/guide.ts';
import { findPreset, presets } from '../apps/presets.ts';
import { NEW_CLIENT_DEFAULTS, RESOLVED_CONSENT_MODES } from '../config/client-model.ts';
import type { SesameConfig } from '../config/load.ts';
import { redirectUriInput, redirectUriView } from '../config/redirect-uris.ts';
import type { Store } from '../store/index.ts';
import { route, type AnyRoute } from './routes.ts';

const redirectUri = redirectUriView;
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
  provider: z
    .object({
      client_id: z.string(),
      client_type: z.enum(['public', 'confidential']),
      redirect_uris: z.array(redirectUri),
      post_logout_redirect_uris: z.array(redirectUri),
      scopes: z.array(z.string()),
      consent_mode: z.string(),
      authorization_policy: z.string(),
      allowed_groups: z.array(z.string()),
      subject_mode: z.string(),
      id_token_signed_response_alg: z.string(),
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

export function applicationRoutes(config: SesameConfig, store: Store): AnyRoute[] {
  const service = new ApplicationService(
    store,
    config.authentication_backend.password_hashing,
    config.externalUrl,
  );
  return [
    route({
      method: 'GET',
      path: '/applications',
      operationId: 'listApplications',
      summary: 'List applications with their providers',
      tag: 'applications',
      resource: 'applications',
      access: 'read',
      query: pageQuery,
      response: z.object({ items: z.array(applicationView), next_offset: z.number().optional() }),
      async handler({ query }) {
        const page = await service.list({ limit: query.limit + 1, offset: query.offset });
        return {
          items: page.slice(0, query.limit).map(toApplicationView),
          next_offset: page.length > query.limit ? query.offset + query.limit : undefined,
        };
      },
    }),
    route({
      method: 'POST',
      path: '/applications',
      operationId: 'createApplication',
      summary: 'Create an application and its provider; the answer holds the client secret, shown once',
      tag: 'applications',
      resource: 'applications',
      access: 'write',
      body: createBody,
      status: 201,
      response: z.object({ application: applicationView, guide: guideView }),
      async handler({ body, actor }) {
        const defaults =
          body.preset && body.app_url ? presetDefaults(findPreset(body.preset), body.app_url) : undefined;
        const created = await service.create(
          {
            name: body.name ?? defaults!.name,
            slug: body.slug ?? defaults?.slug,
            launchUrl: body.launch_url ?? defaults?.launchUrl ?? body.app_url,
            icon: body.icon,
            description: body.description,
            redirectUris: [...(defaults?.redirectUris ?? []), ...body.redirect_uris],
            postLogoutRedirectUris: body.post_logout_redirect_uris,
            public: body.public,
            clientId: body.client_id,
            scopes: body.scopes ?? defaults?.scopes,
            consentMode: body.consent_mode ?? defaults?.consentMode,
            authorizationPolicy: body.authorization_policy,
            allowedGroups: body.allowed_groups,
            settings: pickSettings(body),
            preset: defaults?.preset,
          },
          actor,
        );
        return {
          application: toApplicationView(created),
          guide: buildGuide(created, config.externalUrl, created.clientSecret),
        };
      },
    }),
    route({
      method: 'GET',
      path: '/applications/{slug}',
      operationId: 'getApplication',
      summary: 'One application with its provider and URLs',
      tag: 'applications',
      resource: 'applications',
      access: 'read',
      params: slugParams,
      response: applicationView,
      async handler({ params }) {
        return toApplicationView(await service.show(params.slug));
      },
    }),
    route({
      method: 'GET',
      path: '/applications/{slug}/guide',
      operationId: 'getApplicationGuide',
      summary:
        'The integration guide: the values to paste into the app, and its settings when it is a known app',
      tag: 'applications',
      resource: 'applications',
      access: 'read',
      params: slugParams,
      response: guideView,
      async handler({ params, reply }) {
        // Values such as a freshly generated session secret differ on each call: never cache.
        void reply.header('cache-control', 'no-store');
        return buildGuide(await service.show(params.slug), config.externalUrl);
      },
    }),
    route({
      method: 'DELETE',
      path: '/applications/{slug}',
      operationId: 'deleteApplication',
      summary: 'Delete an application and its provider; its issuer disappears',
      tag: 'applications',
      resource: 'applications',
      access: 'write',
      params: slugParams,
      async handler({ params, actor }) {
        await service.delete(params.slug, actor);
      },
    }),
  ];
}
