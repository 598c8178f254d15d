// One oidc-provider instance per issuer, all sharing the store, the keys, the accounts and the
// login session. What differs between instances is the issuer and the route layout. The
// configuration is made of named sections (configuration.ts); the Client overrides are in
// client-hooks.ts, the login prompts in interaction-policy.ts, consent in consent.ts.
import type { ServerResponse } from 'node:http';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { AuthorizationPolicies } from '../auth/policy.ts';
import type { SesameConfig } from '../config/load.ts';
import { ENDPOINTS } from '../config/urls.ts';
import type { Logger } from '../lib/logger.ts';
import type { Store } from '../store/index.ts';
import { adapterFor } from './adapter.ts';
import { installClientHooks } from './client-hooks.ts';
import type { ClientSecretVerifier } from './client-secrets.ts';
import type { ClientRegistry } from './clients.ts';
import {
  accountSection,
  algorithmSection,
  answerSection,
  cookieSection,
  featureSection,
  requestCheckSection,
  scopeSection,
  tokenSection,
} from './configuration.ts';
import { grantLoader } from './consent.ts';
import { installDevicePolling, type DeviceCodeProblem, type DeviceForm } from './device-flow.ts';
import { listenForErrors } from './error-events.ts';
import { interactionPolicyFor } from './interaction-policy.ts';
import type { Jwk } from './keys.ts';
import { acceptJwtAccessTokens, resourceSection } from './resources.ts';
import { recordTokenIssued } from '../lib/metrics.ts';

/**
 * The pages the engine shows itself (errors, logout). The web layer renders them and hands them in,
 * so the engine knows nothing of HTML.
 */
export interface EnginePages {
  error: (code: string, description: string) => string;
  /** The logout confirmation; `form` is oidc-provider's own hidden form to submit. */
  logout: (form: string, clientName: string | undefined) => string;
  loggedOut: (clientName: string | undefined) => string;
  /** Lets this response's page post a form to `uri`, a redirect URI the engine has checked. */
  allowFormTarget: (res: ServerResponse, uri: unknown) => void;
  /** The device flow's code entry, again with the typed code and what was wrong with it. */
  deviceCodeInput: (form: DeviceForm, userCode?: string, problem?: DeviceCodeProblem) => string;
  /** The device flow's confirmation: the application's name and the code to compare. */
  deviceCodeConfirm: (form: DeviceForm, userCode: string, clientName: string) => string;
  deviceSuccess: (clientName: string | undefined) => string;
}

export interface ProviderContext {
  pages: EnginePages;
  config: SesameConfig;
  store: Store;
  clients: ClientRegistry;
  secrets: ClientSecretVerifier;
  keys: Jwk[];
  logger: Logger;
  policies: AuthorizationPolicies;
  /** Whether a user has enrolled a second factor (voluntary acr_values step up only then). */
  hasSecondFactor: (userId: string) => Promise<boolean>;
  /** The instance a client belongs to: its application's issuer, or the global one. */
  issuerFor?: (applicationSlug: string | undefined) => Promise<Provider | undefined>;
}

/** Where an instance's endpoints live, relative to its mount point. */
export interface RouteLayout {
  /** The path prefix every request for this instance arrives under ('' or '/application/o'). */
  mount: string;
  routes: NonNullable<Configuration['routes']>;
  /** Only this application's client is known to the instance (per-application issuers). */
  applicationSlug?: string;
}

/** Authelia's paths on the global issuer. */
export const GLOBAL_LAYOUT: RouteLayout = { mount: '', routes: { ...ENDPOINTS.global } };

/** Authentik's paths: shared endpoints under /application/o/, per-application JWKS and logout. */
export function applicationLayout(slug: string): RouteLayout {
  const own = Object.entries(ENDPOINTS.perApplication).map(([route, path]): [string, string] => [
    route,
    `/${slug}${path}`,
  ]);
  return {
    mount: ENDPOINTS.applicationPrefix,
    applicationSlug: slug,
    routes: { ...ENDPOINTS.shared, ...(Object.fromEntries(own) as Record<string, string>) },
  };
}

/** The whole configuration of one instance, section by section. */
function configurationFor(layout: RouteLayout, context: ProviderContext): Configuration {
  const oidc = context.config.identity_providers.oidc;
  const features = featureSection(oidc, context.pages);
  const resources = resourceSection();
  return {
    adapter: adapterFor(context.store, context.clients),
    jwks: { keys: context.keys },
    routes: layout.routes,
    ...cookieSection(oidc),
    ...scopeSection(oidc),
    ...algorithmSection(),
    ...features,
    ...tokenSection(oidc),
    ...resources,
    features: { ...features.features, ...resources.features } as Configuration['features'],
    ...requestCheckSection(oidc, layout.applicationSlug),
    interactions: {
      url: (_ctx, interaction) => Promise.resolve(`${ENDPOINTS.interaction}/${interaction.uid}`),
      policy: interactionPolicyFor(context),
    },
    loadExistingGrant: grantLoader(context.store),
    ...accountSection(context.store, oidc),
    ...answerSection(oidc, context.pages),
  };
}

/**
 * response_mode=form_post answers with a page whose form posts to the client's redirect URI (once
 * that URI has been checked); its inline script gets its hash into the CSP from oidc-provider.
 */
function allowFormPostTargets(provider: Provider, pages: EnginePages): void {
  provider.use(async (ctx, next) => {
    await next();
    const oidcContext = (ctx as Partial<KoaContextWithOIDC>).oidc as
      { redirectUriCheckPerformed?: boolean; params?: { redirect_uri?: unknown } } | undefined;
    if (oidcContext?.redirectUriCheckPerformed && ctx.response.is('html'))
      pages.allowFormTarget(ctx.res, oidcContext.params?.redirect_uri);
  });
}

export function createProvider(issuer: string, layout: RouteLayout, context: ProviderContext): Provider {
  const provider = new Provider(issuer, configurationFor(layout, context));
  // The HTTP layer rewrites X-Forwarded-* from what it trusts (server.trusted_proxies) before handing
  // a request over, so reading them here is safe and gives the right scheme and host behind TLS.
  provider.proxy = true;
  allowFormPostTargets(provider, context.pages);
  acceptJwtAccessTokens(provider, [layout.routes.introspection ?? '', layout.routes.revocation ?? '']);
  listenForErrors(provider, issuer, context.store, context.logger);
  // (Emitted once the token endpoint answered with tokens; grant types are the few Sesame enables.)
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const grantType = ctx.oidc.params?.grant_type;
    recordTokenIssued(typeof grantType === 'string' ? grantType : 'unknown');
  });
  installClientHooks(provider, layout.applicationSlug, context);
  installDevicePolling(provider, context.store);
  return provider;
}
