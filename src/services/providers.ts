// Changing an OAuth2/OpenID provider (a database client): one set of rules for the admin API's
// PATCH and the admin UI's edit form. Clients from the configuration file are read-only.
import { z } from 'zod';
import { RESOLVED_CONSENT_MODES as CONSENT_MODES, SUBJECT_MODES } from '../config/client-model.ts';
import type { SesameConfig } from '../config/load.ts';
import { redirectUriInput, redirectUrisProblem } from '../config/redirect-uris.ts';
import { SIGNING_ALGORITHMS, signingKeyProblem } from '../config/schema.ts';
import { InvalidInputError, NotFoundError, ReadOnlyError } from '../lib/errors.ts';
import { hashPassword, type PasswordHashing } from '../auth/passwords.ts';
import { randomString } from '../crypto/random.ts';
import { fromConfig, fromDatabase, type SesameClient } from '../oidc/clients.ts';
import type { OAuthClient, Store } from '../store/index.ts';
import {
  clientDefaults,
  clientProblem,
  clientSettingsPatch,
  settingsChange,
} from '../apps/client-settings.ts';

// A client made in Sesame chooses a consent mode outright (no `auto`): see client-model.ts.
export { CONSENT_MODES, SUBJECT_MODES };

export const providerPatch = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  client_type: z
    .enum(['public', 'confidential'])
    .optional()
    .describe('Becoming confidential generates a client secret, returned once as client_secret'),
  redirect_uris: z.array(redirectUriInput).min(1).optional(),
  post_logout_redirect_uris: z.array(redirectUriInput).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  consent_mode: z.enum(CONSENT_MODES).optional(),
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

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
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
    this.policies = ['one_factor', 'two_factor', 'deny', ...Object.keys(oidc.authorization_policies)];
    this.fromFile = new Map(
      oidc.clients.map((client) => [client.client_id, fromConfig(client, oidc.lifespans.custom)]),
    );
  }

  /** Any client, from the file or the database, with the slug of the application using it. */
  async find(clientId: string): Promise<SesameClient | undefined> {
    const configured = this.fromFile.get(clientId);
    if (configured) return configured;
    const client = await this.store.clients.findByClientId(clientId);
    return client && fromDatabase(client, (await this.store.applications.findByClientRef(client.id))?.slug);
  }

  /** A database client; a file client is refused as read-only. */
  async stored(clientId: string): Promise<{ client: OAuthClient; slug?: string }> {
    if (this.fromFile.has(clientId))
      throw new ReadOnlyError(
        `'${clientId}' is defined in the configuration file; change it there and restart`,
      );
    const client = await this.store.clients.findByClientId(clientId);
    if (!client) throw new NotFoundError(`there is no client '${clientId}'`);
    return { client, slug: (await this.store.applications.findByClientRef(client.id))?.slug };
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
    const uriProblem = redirectUrisProblem([
      ...(body.redirect_uris ?? []),
      ...(body.post_logout_redirect_uris ?? []),
    ]);
    if (uriProblem) throw new InvalidInputError(uriProblem, 'redirect_uris');
    const keyProblem = signingKeyProblem(body.id_token_signed_response_alg, this.keyAlgorithms);
    if (keyProblem) throw new InvalidInputError(keyProblem, 'id_token_signed_response_alg');
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
    const becomesPublic = body.client_type === 'public' && !client.public;
    const becomesConfidential = body.client_type === 'confidential' && client.public;
    const clientSecret = becomesConfidential ? randomString(72, 'rfc3986') : undefined;
    const typeChange = becomesPublic
      ? {
          public: true,
          secretDigest: undefined,
          tokenEndpointAuthMethod: clientDefaults(true).tokenEndpointAuthMethod,
          requirePkce: true,
        }
      : becomesConfidential
        ? {
            public: false,
            secretDigest: await hashPassword(clientSecret!, this.hashing),
            tokenEndpointAuthMethod: clientDefaults(false).tokenEndpointAuthMethod,
          }
        : {};
    const change = {
      ...typeChange,
      ...definedOnly({
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
      }),
    };
    const settings = settingsChange({ ...client, ...change }, body);
    // The client as it would be stored must pass the rules a YAML client passes.
    const problem = clientProblem({ ...client, ...change, ...settings });
    if (problem) throw new InvalidInputError(problem.message, problem.field);
    const updated = await this.store.clients.update(client.id, { ...change, ...settings });
    await this.store.events.append({
      type: 'provider.updated',
      actor,
      subject: clientId,
      details: { fields: Object.keys(body) },
    });
    return { client: fromDatabase(updated!, slug), clientSecret };
  }
}
