// OAuth2/OpenID providers (clients): those from the configuration file (read-only) and the database
// clients the admin API, the admin UI and the CLI create, change and give new secrets. One set of
// rules for every transport; each change writes its audit event in the same transaction.
import { definedOnly } from '../store/sql.ts';
import { z } from 'zod';
import type { SesameConfig } from '../config/load.ts';
import {
  policyChoices,
  RESOLVED_CONSENT_MODES,
  SIGNING_ALGORITHMS,
  SUBJECT_MODES,
} from '../config/client-model.ts';
import { redirectUriInput, redirectUrisProblem } from '../config/redirect-uris.ts';
import { signingKeyProblem } from '../config/schema.ts';
import { applicationUrls, ENDPOINTS, globalIssuer, type ApplicationUrls } from '../config/urls.ts';
import { InvalidInputError, NotFoundError, ReadOnlyError } from '../lib/errors.ts';
import type { PasswordHashing } from '../auth/passwords.ts';
import { randomString } from '../crypto/random.ts';
import { fromConfig, fromDatabase, type SesameClient } from '../oidc/clients.ts';
import type { NewOAuthClient, OAuthClient, Store } from '../store/index.ts';
import {
  clientDefaults,
  clientProblem,
  clientSettingsPatch,
  settingsChange,
} from '../apps/client-settings.ts';
import { checkNewClient, newClientRecord, newSecret, unique, type NewProviderInput } from './applications.ts';

// A client made in Sesame chooses a consent mode outright (no `auto`): see client-model.ts.

export const providerPatch = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  client_type: z
    .enum(['public', 'confidential'])
    .optional()
    .describe('Becoming confidential generates a client secret, returned once as client_secret'),
  redirect_uris: z.array(redirectUriInput).min(1).optional(),
  post_logout_redirect_uris: z.array(redirectUriInput).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  consent_mode: z.enum(RESOLVED_CONSENT_MODES).optional(),
  pre_configured_consent_duration: z.number().int().min(1).optional(),
  authorization_policy: z.string().min(1).optional(),
  allowed_groups: z.array(z.string()).optional(),
  subject_mode: z.enum(SUBJECT_MODES).optional(),
  require_pkce: z.boolean().optional(),
  id_token_signed_response_alg: z.enum(SIGNING_ALGORITHMS).optional(),
  lifespans: z
    .strictObject({
      access_token: z.number().int().min(60).optional(),
      authorize_code: z.number().int().min(10).optional(),
      id_token: z.number().int().min(60).optional(),
      refresh_token: z.number().int().min(60).optional(),
    })
    .optional()
    .describe('Seconds'),
  // The YAML client's further settings, with its rules (null clears one).
  ...clientSettingsPatch,
});

export type ProviderPatch = z.output<typeof providerPatch>;

/**
 * A patch that changes the grant types but not the response types: the response types follow, `code`
 * with the authorization code grant, none without it (a device-flow-only client, say).
 */
function responseTypesFollowing(
  client: OAuthClient,
  body: ProviderPatch,
  grantTypes: string[] | undefined,
): { responseTypes?: string[] } {
  if (grantTypes === undefined || (body as Record<string, unknown>).response_types !== undefined) return {};
  if (!grantTypes.includes('authorization_code')) return { responseTypes: [] };
  return { responseTypes: client.responseTypes.length > 0 ? client.responseTypes : ['code'] };
}

/** The issuer a client's app uses: its application's, or the global one until an application takes it. */
export function clientIssuer(
  externalUrl: string,
  client: SesameClient,
): { urls?: ApplicationUrls; issuer: string; discovery: string } {
  const urls = client.applicationSlug ? applicationUrls(externalUrl, client.applicationSlug) : undefined;
  const issuer = urls?.issuer ?? globalIssuer(externalUrl);
  return { urls, issuer, discovery: urls?.discovery ?? `${issuer}${ENDPOINTS.discovery[0]}` };
}

/** The patch's own fields as a change to the stored client (the type change aside). */
function fieldChange(client: OAuthClient, body: ProviderPatch): Partial<NewOAuthClient> {
  return definedOnly({
    name: body.name,
    redirectUris: body.redirect_uris,
    postLogoutRedirectUris: body.post_logout_redirect_uris,
    scopes: body.scopes,
    consentMode: body.consent_mode,
    preConfiguredConsentDuration: body.pre_configured_consent_duration,
    authorizationPolicy: body.authorization_policy,
    allowedGroups: body.allowed_groups,
    subjectMode: body.subject_mode,
    requirePkce: body.require_pkce,
    idTokenSignedResponseAlg: body.id_token_signed_response_alg,
    lifespans: body.lifespans ? { ...client.lifespans, ...body.lifespans } : undefined,
  });
}

export class ProviderService {
  private readonly store: Store;
  private readonly hashing: PasswordHashing;
  /** one_factor, two_factor, deny and the configuration's named policies. */
  readonly policies: string[];
  readonly fromFile: Map<string, SesameClient>;
  private readonly keyAlgorithms: string[];
  constructor(config: SesameConfig, store: Store) {
    const oidc = config.identity_providers.oidc;
    this.store = store;
    this.keyAlgorithms = oidc.jwks.map((key) => key.algorithm);
    this.hashing = config.authentication_backend.password_hashing;
    this.policies = policyChoices(Object.keys(oidc.authorization_policies));
    this.fromFile = new Map(
      oidc.clients.map((client) => [client.client_id, fromConfig(client, oidc.lifespans.custom)]),
    );
  }

  private async slugOf(client: OAuthClient): Promise<string | undefined> {
    return (await this.store.applications.findByClientRef(client.id))?.slug;
  }

  /** Every client: the configuration file's first, then the database's. */
  async list(): Promise<SesameClient[]> {
    const list = [...this.fromFile.values()];
    for (const client of await this.store.clients.list({ limit: 10_000 }))
      list.push(fromDatabase(client, await this.slugOf(client)));
    return list;
  }

  /** Database clients that no application uses yet. */
  async unassigned(): Promise<OAuthClient[]> {
    const free: OAuthClient[] = [];
    for (const client of await this.store.clients.list({ limit: 10_000 }))
      if (!(await this.slugOf(client))) free.push(client);
    return free;
  }

  /** The groups a provider can be limited to. */
  async groupNames(): Promise<string[]> {
    return (await this.store.groups.list()).map((group) => group.name);
  }

  /** Any client, from the file or the database, with the slug of the application using it. */
  async find(clientId: string): Promise<SesameClient | undefined> {
    const configured = this.fromFile.get(clientId);
    if (configured) return configured;
    const client = await this.store.clients.findByClientId(clientId);
    return client && fromDatabase(client, await this.slugOf(client));
  }

  /** Like find, for an answer that must name the client: an unknown one is a NotFoundError. */
  async get(clientId: string): Promise<SesameClient> {
    const found = await this.find(clientId);
    if (!found) throw new NotFoundError(`there is no client '${clientId}'`);
    return found;
  }

  /** A database client; a file client is refused as read-only. */
  async stored(clientId: string): Promise<{ client: OAuthClient; slug?: string }> {
    if (this.fromFile.has(clientId))
      throw new ReadOnlyError(
        `'${clientId}' is defined in the configuration file; change it there and restart`,
      );
    const client = await this.store.clients.findByClientId(clientId);
    if (!client) throw new NotFoundError(`there is no client '${clientId}'`);
    return { client, slug: await this.slugOf(client) };
  }

  /**
   * Authentik's order: a provider (client) first, on its own; an application takes it later.
   * Until then the client is served by the global issuer.
   */
  async create(
    input: NewProviderInput,
    actor: string,
  ): Promise<{ client: OAuthClient; clientSecret?: string }> {
    const clientId = input.clientId ?? randomString(40, 'alphanumeric');
    checkNewClient(input, clientId);
    const { clientSecret, secretDigest } = await newSecret(input.public ?? false, this.hashing);
    const write = this.store.transaction(async (tx) => {
      const created = await tx.clients.create(newClientRecord(input, clientId, secretDigest));
      await tx.events.append({
        type: 'provider.created',
        actor,
        subject: clientId,
        details: { name: input.name, public: input.public ?? false },
      });
      return created;
    });
    const client = await unique(write, `a client with id '${clientId}' already exists`);
    return { client, clientSecret };
  }

  /** The rules a patch must pass beyond its schema: URIs, signing key, policy, consent duration. */
  private checkPatch(client: OAuthClient, body: ProviderPatch): void {
    const uriProblem = redirectUrisProblem([
      ...(body.redirect_uris ?? []),
      ...(body.post_logout_redirect_uris ?? []),
    ]);
    if (uriProblem) throw new InvalidInputError(uriProblem, 'redirect_uris');
    for (const key of ['id_token_signed_response_alg', 'access_token_signed_response_alg'] as const) {
      const keyProblem = signingKeyProblem(
        (body as Record<string, unknown>)[key] as string | undefined,
        this.keyAlgorithms,
      );
      if (keyProblem) throw new InvalidInputError(keyProblem, key);
    }
    if (body.authorization_policy && !this.policies.includes(body.authorization_policy))
      throw new InvalidInputError(
        `'${body.authorization_policy}' is not a policy (allowed: ${this.policies.join(', ')})`,
        'authorization_policy',
      );
    const consentMode = body.consent_mode ?? client.consentMode;
    const duration = body.pre_configured_consent_duration ?? client.preConfiguredConsentDuration;
    if (consentMode === 'pre-configured' && duration === undefined)
      throw new InvalidInputError(
        'pre-configured consent needs pre_configured_consent_duration',
        'pre_configured_consent_duration',
      );
  }

  /** Public ↔ confidential: a client made confidential gets a new secret, returned once. */
  private async typeChange(
    client: OAuthClient,
    type: ProviderPatch['client_type'],
  ): Promise<{ change: Partial<NewOAuthClient>; clientSecret?: string }> {
    if (type === 'public' && !client.public)
      return {
        change: {
          public: true,
          secretDigest: undefined,
          tokenEndpointAuthMethod: clientDefaults(true).tokenEndpointAuthMethod,
          requirePkce: true,
        },
      };
    if (type !== 'confidential' || !client.public) return { change: {} };
    const { clientSecret, secretDigest } = await newSecret(false, this.hashing);
    return {
      change: {
        public: false,
        secretDigest,
        tokenEndpointAuthMethod: clientDefaults(false).tokenEndpointAuthMethod,
      },
      clientSecret,
    };
  }

  /**
   * Applies a validated patch; takes effect at the next request on every node. A client made
   * confidential gets a new secret, returned here once.
   */
  async update(
    clientId: string,
    body: ProviderPatch,
    actor: string,
  ): Promise<{ client: SesameClient; clientSecret?: string }> {
    const { client, slug } = await this.stored(clientId);
    this.checkPatch(client, body);
    const { change: typeChange, clientSecret } = await this.typeChange(client, body.client_type);
    const change = { ...typeChange, ...fieldChange(client, body) };
    const settings = settingsChange({ ...client, ...change }, body);
    Object.assign(settings, responseTypesFollowing(client, body, settings.grantTypes));
    // The client as it would be stored must pass the rules a YAML client passes.
    const problem = clientProblem({ ...client, ...change, ...settings });
    if (problem) throw new InvalidInputError(problem.message, problem.field);
    const updated = await this.store.transaction(async (tx) => {
      const saved = await tx.clients.update(client.id, { ...change, ...settings });
      await tx.events.append({
        type: 'provider.updated',
        actor,
        subject: clientId,
        details: { fields: Object.keys(body) },
      });
      return saved;
    });
    return { client: fromDatabase(updated!, slug), clientSecret };
  }

  /** The same change, to the provider of an application (the CLI names apps by slug). */
  async updateForApplication(
    slug: string,
    body: ProviderPatch,
    actor: string,
  ): Promise<{ client: SesameClient; clientSecret?: string }> {
    const application = await this.store.applications.findBySlug(slug);
    if (!application) throw new NotFoundError(`there is no application with slug '${slug}'`);
    const client = application.clientRef ? await this.store.clients.get(application.clientRef) : undefined;
    if (!client) throw new InvalidInputError(`application '${slug}' has no provider`);
    return this.update(client.clientId, body, actor);
  }

  /** A new secret for a database client; returned once, only its digest is kept. */
  async regenerateSecret(clientId: string, actor: string): Promise<string> {
    const { client } = await this.stored(clientId);
    if (client.public) throw new InvalidInputError('a public client has no secret', 'client_id');
    const { clientSecret, secretDigest } = await newSecret(false, this.hashing);
    await this.store.transaction(async (tx) => {
      await tx.clients.update(client.id, { secretDigest });
      await tx.events.append({
        type: 'provider.secret_regenerated',
        actor,
        subject: clientId,
        details: {},
      });
    });
    return clientSecret!;
  }
}
