// Applications and their OAuth2/OpenID clients (Authentik's "provider"), created together.
// Every change takes the actor and writes its audit event in the same transaction.
import type { PasswordHashing } from '../auth/passwords.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { SesameConfig } from '../config/load.ts';
import { NEW_CLIENT_DEFAULTS, type ResolvedConsentMode } from '../config/client-model.ts';
import { redirectUrisProblem } from '../config/redirect-uris.ts';
import { CLIENT_ID_HELP, UNRESERVED } from '../config/schema.ts';
import { randomString } from '../crypto/random.ts';
import { ConflictError, InvalidInputError, NotFoundError, SesameError } from '../lib/errors.ts';
import { isUniqueViolation } from '../store/sql.ts';
import type { Application, OAuthClient, Page, RedirectUri, Store } from '../store/index.ts';
import {
  clientDefaults,
  clientProblem,
  settingsChange,
  type ClientSettingsValues,
} from '../apps/client-settings.ts';
import { presets } from '../apps/presets.ts';
import { applicationUrls, type ApplicationUrls } from '../config/urls.ts';
import { buildGuide, withPresetDefaults, type Guide } from './guide.ts';

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
  /** Required unless a preset with `appUrl` gives it. */
  name?: string;
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
  /** The app's own base URL: with `preset`, fills in what the preset does not ask for. */
  appUrl?: string;
}

/** A provider (client) on its own: the application's fields do not apply. */
export type NewProviderInput = Omit<
  NewApplicationInput,
  'name' | 'slug' | 'launchUrl' | 'icon' | 'description' | 'preset' | 'appUrl'
> & { name: string };

export interface ApplicationDetails {
  application: Application;
  client?: OAuthClient;
  urls: ApplicationUrls;
}

export interface CreatedApplication extends ApplicationDetails {
  client: OAuthClient;
  /** The client secret in clear: shown once, only its digest is stored. */
  clientSecret?: string;
  /** The integration guide, with the secret filled in. */
  guide: Guide;
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

function checkName(name: string): void {
  if (!name.trim()) throw new InvalidInputError('the application needs a name', 'name');
}

function checkSlug(slug: string): void {
  if (!SLUG.test(slug) || slug.length > 50)
    throw new InvalidInputError(
      `slug '${slug}' must be lowercase letters, digits and single dashes, at most 50`,
      'slug',
    );
  if (RESERVED_SLUGS.has(slug))
    throw new InvalidInputError(`slug '${slug}' is reserved for a shared endpoint; choose another`, 'slug');
}

/** A new client's name, client id, preset and URIs; `slug` when an application comes with it. */
export function checkNewClient(
  input: NewProviderInput & { preset?: string },
  clientId: string,
  slug?: string,
): void {
  checkName(input.name);
  if (slug !== undefined) checkSlug(slug);
  if (!UNRESERVED.test(clientId) || clientId.length > 100)
    throw new InvalidInputError(`client id '${clientId}' must be ${CLIENT_ID_HELP}`, 'client_id');
  if (input.preset !== undefined && !presets().has(input.preset))
    throw new InvalidInputError(
      `unknown preset '${input.preset}' (allowed: ${[...presets().keys()].join(', ')})`,
      'preset',
    );
  // (A client that only polls — device flow, client credentials — never comes back to a redirect URI.)
  if (input.redirectUris.length === 0 && grantTypesOf(input).includes('authorization_code'))
    throw new InvalidInputError(
      'at least one redirect URI is needed for the authorization code flow',
      'redirect_uris',
    );
  const problem = redirectUrisProblem([...input.redirectUris, ...(input.postLogoutRedirectUris ?? [])]);
  if (problem) throw new InvalidInputError(problem, 'redirect_uris');
}

/** The grant types a new client asks for (as a field or among its settings), or the default ones. */
function grantTypesOf(input: NewProviderInput): string[] {
  const setting = input.settings?.grant_types;
  if (Array.isArray(setting)) return setting as string[];
  return input.grantTypes ?? [...NEW_CLIENT_DEFAULTS.grantTypes];
}

/** A new client secret (none for a public client) and the digest that is all Sesame keeps. */
export async function newSecret(
  isPublic: boolean,
  hashing: PasswordHashing,
): Promise<{ clientSecret?: string; secretDigest?: string }> {
  if (isPublic) return {};
  const clientSecret = randomString(72, 'rfc3986');
  return { clientSecret, secretDigest: await hashPassword(clientSecret, hashing) };
}

/** The client to store, with its further settings, checked by the YAML client's rules. */
export function newClientRecord(input: NewProviderInput, clientId: string, secretDigest?: string) {
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
    // Without the authorization code grant, the client never visits the authorization endpoint.
    responseTypes: grantTypesOf(input).includes('authorization_code') ? defaults.responseTypes : [],
    consentMode: input.consentMode ?? NEW_CLIENT_DEFAULTS.consentMode,
    preConfiguredConsentDuration: input.preConfiguredConsentDuration,
    authorizationPolicy: input.authorizationPolicy ?? NEW_CLIENT_DEFAULTS.authorizationPolicy,
    allowedGroups: input.allowedGroups ?? [],
    idTokenSignedResponseAlg: input.idTokenSignedResponseAlg ?? NEW_CLIENT_DEFAULTS.idTokenSignedResponseAlg,
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

/** Runs a write; a unique-constraint violation becomes a ConflictError with `message`. */
export async function unique<T>(write: Promise<T>, message: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(message);
    throw error;
  }
}

/** The service as every transport builds it from the configuration. */
export function applicationService(config: SesameConfig, store: Store): ApplicationService {
  return new ApplicationService(store, config.authentication_backend.password_hashing, config.externalUrl);
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

  /** An application and its client in one go; with a preset and `appUrl`, the preset fills in the rest. */
  async create(request: NewApplicationInput, actor: string): Promise<CreatedApplication> {
    const input = withPresetDefaults(request);
    const slug = input.slug ?? slugify(input.name);
    const clientId = input.clientId ?? randomString(40, 'alphanumeric');
    checkNewClient(input, clientId, slug);
    const isPublic = input.public ?? false;
    const { clientSecret, secretDigest } = await newSecret(isPublic, this.hashing);
    const write = this.store.transaction(async (tx) => {
      const client = await tx.clients.create(newClientRecord(input, clientId, secretDigest));
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
    const { application, client } = await unique(
      write,
      `an application with slug '${slug}' or a client with id '${clientId}' already exists`,
    );
    const details = { application, client, urls: applicationUrls(this.externalUrl, slug) };
    return { ...details, clientSecret, guide: buildGuide(details, this.externalUrl, clientSecret) };
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
    checkName(input.name);
    checkSlug(slug);
    const client = await this.store.clients.findByClientId(input.clientId);
    if (!client)
      throw new InvalidInputError(`there is no provider with client id '${input.clientId}'`, 'provider');
    if (await this.store.applications.findByClientRef(client.id))
      throw new InvalidInputError('that provider is already used by another application', 'provider');
    const write = this.store.transaction(async (tx) => {
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
    const application = await unique(write, `an application with slug '${slug}' already exists`);
    return { application, client, urls: applicationUrls(this.externalUrl, slug) };
  }

  async show(slug: string): Promise<ApplicationDetails> {
    const application = await this.store.applications.findBySlug(slug);
    if (!application) throw new NotFoundError(`there is no application with slug '${slug}'`);
    const client = application.clientRef ? await this.store.clients.get(application.clientRef) : undefined;
    return { application, client, urls: applicationUrls(this.externalUrl, slug) };
  }

  /** Like show, but undefined when there is no such application (a page answers 404 itself). */
  async find(slug: string): Promise<ApplicationDetails | undefined> {
    try {
      return await this.show(slug);
    } catch (error) {
      if (error instanceof SesameError) return undefined;
      throw error;
    }
  }

  /** The integration guide: the values to paste into the app (never its secret). */
  async guide(slug: string): Promise<Guide> {
    return buildGuide(await this.show(slug), this.externalUrl);
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
    if (patch.name !== undefined) checkName(patch.name);
    for (const [field, value] of [
      ['launch_url', patch.launchUrl],
      ['icon', patch.icon],
    ] as const)
      if (value && !/^https?:\/\/[^\s/]+/i.test(value))
        throw new InvalidInputError(`'${value}' is not an http(s) URL`, field);
    await this.store.transaction(async (tx) => {
      await tx.applications.update(application.id, {
        name: patch.name?.trim() ?? application.name,
        launchUrl: patch.launchUrl || undefined,
        icon: patch.icon || undefined,
        description: patch.description?.trim() || undefined,
      });
      await tx.events.append({
        type: 'application.updated',
        actor,
        subject: slug,
        details: { fields: Object.keys(patch) },
      });
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
