// Applications and their OAuth2/OpenID clients (Authentik's "provider"), created together.
import type { PasswordHashing } from '../auth/passwords.ts';
import { hashPassword } from '../auth/passwords.ts';
import { NEW_CLIENT_DEFAULTS, type ResolvedConsentMode } from '../config/client-model.ts';
import { redirectUrisProblem } from '../config/redirect-uris.ts';
import { CLIENT_ID_HELP, UNRESERVED } from '../config/schema.ts';
import { randomString } from '../crypto/random.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../lib/errors.ts';
import { isUniqueViolation } from '../store/sql.ts';
import type { Application, OAuthClient, Page, RedirectUri, Repositories, Store } from '../store/index.ts';
import {
  clientDefaults,
  clientProblem,
  settingsChange,
  type ClientSettingsValues,
} from '../apps/client-settings.ts';
import { presets } from '../apps/presets.ts';
import { applicationUrls, type ApplicationUrls } from '../config/urls.ts';

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Authentik's shared endpoints live beside the per-application paths; no application may take their names. */
export const RESERVED_SLUGS = new Set([
  'authorize',
  'token',
  'userinfo',
  'introspect',
  'revoke',
  'device',
  'end-session',
  'jwks',
]);

export interface NewApplicationInput {
  name: string;
  slug?: string;
  launchUrl?: string;
  icon?: string;
  description?: string;
  redirectUris: RedirectUri[];
  postLogoutRedirectUris?: RedirectUri[];
  public?: boolean;
  clientId?: string;
  scopes?: string[];
  grantTypes?: string[];
  consentMode?: ResolvedConsentMode;
  preConfiguredConsentDuration?: number;
  authorizationPolicy?: string;
  allowedGroups?: string[];
  subjectMode?: string;
  idTokenSignedResponseAlg?: string;
  requirePkce?: boolean;
  /** The YAML client's further settings by key (backchannel_logout_uri, jwks_uri …), see client-settings.ts. */
  settings?: ClientSettingsValues;
  /** The catalogue entry it is made from (see presetDefaults). */
  preset?: string;
}

export interface ApplicationDetails {
  application: Application;
  client?: OAuthClient;
  urls: ApplicationUrls;
}

export interface CreatedApplication extends ApplicationDetails {
  client: OAuthClient;
  /** The client secret in clear: shown once, only its digest is stored. */
  clientSecret?: string;
}

export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
}

export class ApplicationService {
  private readonly store: Store;
  private readonly hashing: PasswordHashing;
  private readonly externalUrl: string;
  constructor(store: Store, hashing: PasswordHashing, externalUrl: string) {
    this.store = store;
    this.hashing = hashing;
    this.externalUrl = externalUrl;
  }

  private validate(input: NewApplicationInput, slug: string, clientId: string): void {
    if (!input.name.trim()) throw new InvalidInputError('the application needs a name', 'name');
    if (!SLUG.test(slug) || slug.length > 50)
      throw new InvalidInputError(
        `slug '${slug}' must be lowercase letters, digits and single dashes, at most 50`,
        'slug',
      );
    if (RESERVED_SLUGS.has(slug))
      throw new InvalidInputError(`slug '${slug}' is reserved for a shared endpoint; choose another`, 'slug');
    if (!UNRESERVED.test(clientId) || clientId.length > 100)
      throw new InvalidInputError(`client id '${clientId}' must be ${CLIENT_ID_HELP}`, 'client_id');
    if (input.preset !== undefined && !presets().has(input.preset))
      throw new InvalidInputError(
        `unknown preset '${input.preset}' (allowed: ${[...presets().keys()].join(', ')})`,
        'preset',
      );
    if (input.redirectUris.length === 0)
      throw new InvalidInputError(
        'at least one redirect URI is needed for the authorization code flow',
        'redirect_uris',
      );
    const problem = redirectUrisProblem([...input.redirectUris, ...(input.postLogoutRedirectUris ?? [])]);
    if (problem) throw new InvalidInputError(problem, 'redirect_uris');
  }

  private insertClient(
    tx: Repositories,
    input: NewApplicationInput,
    clientId: string,
    secretDigest?: string,
  ) {
    return tx.clients.create(this.newClient(input, clientId, secretDigest));
  }

  /** The client to store, with its further settings, checked by the YAML client's rules. */
  private newClient(input: NewApplicationInput, clientId: string, secretDigest?: string) {
    const isPublic = input.public ?? false;
    const defaults = clientDefaults(isPublic);
    const client = {
      clientId,
      name: input.name,
      secretDigest,
      public: isPublic,
      redirectUris: input.redirectUris,
      postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
      scopes: input.scopes ?? [...NEW_CLIENT_DEFAULTS.scopes],
      ...defaults,
      grantTypes: input.grantTypes ?? defaults.grantTypes,
      consentMode: input.consentMode ?? NEW_CLIENT_DEFAULTS.consentMode,
      preConfiguredConsentDuration: input.preConfiguredConsentDuration,
      authorizationPolicy: input.authorizationPolicy ?? NEW_CLIENT_DEFAULTS.authorizationPolicy,
      allowedGroups: input.allowedGroups ?? [],
      idTokenSignedResponseAlg:
        input.idTokenSignedResponseAlg ?? NEW_CLIENT_DEFAULTS.idTokenSignedResponseAlg,
      requirePkce: input.requirePkce ?? isPublic,
      subjectMode: input.subjectMode ?? NEW_CLIENT_DEFAULTS.subjectMode,
      lifespans: {},
      settings: {},
    };
    const withSettings = { ...client, ...settingsChange(client, input.settings ?? {}) };
    const problem = clientProblem(withSettings);
    if (problem) throw new InvalidInputError(problem.message, problem.field);
    return withSettings;
  }

  /**
   * Authentik's order: a provider (client) first, on its own; an application takes it later.
   * Until then the client is served by the global issuer.
   */
  async createProvider(
    input: Omit<NewApplicationInput, 'slug' | 'launchUrl' | 'icon' | 'description' | 'preset'>,
    actor: string,
  ): Promise<{ client: OAuthClient; clientSecret?: string }> {
    const clientId = input.clientId ?? randomString(40, 'alphanumeric');
    this.validate(input, 'provider', clientId);
    const clientSecret = input.public ? undefined : randomString(72, 'rfc3986');
    const secretDigest =
      clientSecret === undefined ? undefined : await hashPassword(clientSecret, this.hashing);
    try {
      const client = await this.store.transaction(async (tx) => {
        const created = await this.insertClient(tx, input, clientId, secretDigest);
        await tx.events.append({
          type: 'provider.created',
          actor,
          subject: clientId,
          details: { name: input.name, public: input.public ?? false },
        });
        return created;
      });
      return { client, clientSecret };
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`a client with id '${clientId}' already exists`);
      throw error;
    }
  }

  /** An application for an existing provider that no other application uses. */
  async createForProvider(
    input: {
      name: string;
      slug?: string;
      clientId: string;
      launchUrl?: string;
      icon?: string;
      description?: string;
    },
    actor: string,
  ): Promise<ApplicationDetails> {
    const slug = input.slug ?? slugify(input.name);
    if (!input.name.trim()) throw new InvalidInputError('the application needs a name', 'name');
    if (!SLUG.test(slug) || slug.length > 50)
      throw new InvalidInputError(
        `slug '${slug}' must be lowercase letters, digits and single dashes, at most 50`,
        'slug',
      );
    if (RESERVED_SLUGS.has(slug))
      throw new InvalidInputError(`slug '${slug}' is reserved for a shared endpoint; choose another`, 'slug');
    const client = await this.store.clients.findByClientId(input.clientId);
    if (!client)
      throw new InvalidInputError(`there is no provider with client id '${input.clientId}'`, 'provider');
    if (await this.store.applications.findByClientRef(client.id))
      throw new InvalidInputError('that provider is already used by another application', 'provider');
    try {
      const application = await this.store.transaction(async (tx) => {
        const created = await tx.applications.create({
          slug,
          name: input.name.trim(),
          clientRef: client.id,
          launchUrl: input.launchUrl,
          icon: input.icon,
          description: input.description,
        });
        await tx.events.append({
          type: 'application.created',
          actor,
          subject: slug,
          details: { client_id: client.clientId },
        });
        return created;
      });
      return { application, client, urls: applicationUrls(this.externalUrl, slug) };
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(`an application with slug '${slug}' already exists`);
      throw error;
    }
  }

  /** A new secret for a database client; returned once, only its digest is kept. */
  async regenerateSecret(clientId: string, actor: string): Promise<string> {
    const client = await this.store.clients.findByClientId(clientId);
    if (!client) throw new NotFoundError(`there is no client '${clientId}'`);
    if (client.public) throw new InvalidInputError('a public client has no secret', 'client_id');
    const secret = randomString(72, 'rfc3986');
    await this.store.clients.update(client.id, { secretDigest: await hashPassword(secret, this.hashing) });
    await this.store.events.append({
      type: 'provider.secret_regenerated',
      actor,
      subject: clientId,
      details: {},
    });
    return secret;
  }

  /** Providers (database clients) that no application uses yet. */
  async unassignedProviders(): Promise<OAuthClient[]> {
    const clients = await this.store.clients.list({ limit: 10_000 });
    const free: OAuthClient[] = [];
    for (const client of clients)
      if (!(await this.store.applications.findByClientRef(client.id))) free.push(client);
    return free;
  }

  async create(input: NewApplicationInput, actor: string): Promise<CreatedApplication> {
    const slug = input.slug ?? slugify(input.name);
    const clientId = input.clientId ?? randomString(40, 'alphanumeric');
    this.validate(input, slug, clientId);
    const isPublic = input.public ?? false;
    const clientSecret = isPublic ? undefined : randomString(72, 'rfc3986');
    const secretDigest =
      clientSecret === undefined ? undefined : await hashPassword(clientSecret, this.hashing);
    try {
      const { application, client } = await this.store.transaction(async (tx) => {
        const client = await this.insertClient(tx, input, clientId, secretDigest);
        const application = await tx.applications.create({
          slug,
          name: input.name,
          clientRef: client.id,
          launchUrl: input.launchUrl,
          icon: input.icon,
          description: input.description,
          preset: input.preset,
        });
        await tx.events.append({
          type: 'application.created',
          actor,
          subject: slug,
          details: { client_id: clientId, public: isPublic, preset: input.preset },
        });
        return { application, client };
      });
      return { application, client, clientSecret, urls: applicationUrls(this.externalUrl, slug) };
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(
          `an application with slug '${slug}' or a client with id '${clientId}' already exists`,
        );
      throw error;
    }
  }

  async show(slug: string): Promise<ApplicationDetails> {
    const application = await this.store.applications.findBySlug(slug);
    if (!application) throw new NotFoundError(`there is no application with slug '${slug}'`);
    const client = application.clientRef ? await this.store.clients.get(application.clientRef) : undefined;
    return { application, client, urls: applicationUrls(this.externalUrl, slug) };
  }

  async list(page: Page = {}): Promise<ApplicationDetails[]> {
    const applications = await this.store.applications.list(page);
    return Promise.all(applications.map((application) => this.show(application.slug)));
  }

  /** Changes what the admin UI and the portal show: name, launch URL, icon, description. */
  async update(
    slug: string,
    patch: { name?: string; launchUrl?: string; icon?: string; description?: string },
    actor: string,
  ): Promise<ApplicationDetails> {
    const { application } = await this.show(slug);
    if (patch.name !== undefined && !patch.name.trim())
      throw new InvalidInputError('the application needs a name', 'name');
    for (const [field, value] of [
      ['launch_url', patch.launchUrl],
      ['icon', patch.icon],
    ] as const)
      if (value && !/^https?:\/\/[^\s/]+/i.test(value))
        throw new InvalidInputError(`'${value}' is not an http(s) URL`, field);
    await this.store.applications.update(application.id, {
      name: patch.name?.trim() ?? application.name,
      launchUrl: patch.launchUrl || undefined,
      icon: patch.icon || undefined,
      description: patch.description?.trim() || undefined,
    });
    await this.store.events.append({
      type: 'application.updated',
      actor,
      subject: slug,
      details: { fields: Object.keys(patch) },
    });
    return this.show(slug);
  }

  async delete(slug: string, actor: string): Promise<void> {
    const { application, client } = await this.show(slug);
    await this.store.transaction(async (tx) => {
      await tx.applications.delete(application.id);
      if (client) await tx.clients.delete(client.id);
      await tx.events.append({ type: 'application.deleted', actor, subject: slug, details: {} });
    });
  }
}
