// The admin web UI: server-rendered pages styled with Pico CSS, following Authentik's order —
// Providers → Create (an OAuth2/OpenID provider), then Applications → Create with that provider,
// then the provider's page to copy Client ID, Client Secret and the issuer URL. Users, groups,
// signing keys and the event log have their own pages (admin-people.ts, admin/system.ts).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApplicationService, type ApplicationDetails } from '../services/applications.ts';
import { buildGuide } from '../services/guide.ts';
import {
  CLIENT_SETTINGS,
  clientSettingValues,
  settingOptions,
  type ClientSetting,
} from '../apps/client-settings.ts';
import { CONSENT_MODES, providerPatch, ProviderService, SUBJECT_MODES } from '../services/providers.ts';
import { applicationUrls, globalIssuer } from '../config/urls.ts';
import type { SesameConfig } from '../config/load.ts';
import { redirectUriProblem, SIGNING_ALGORITHMS } from '../config/schema.ts';
import { SesameError } from '../lib/errors.ts';
import { fromDatabase, type SesameClient } from '../oidc/clients.ts';
import type { Factors } from '../factors/index.ts';
import type { Issuers } from '../oidc/issuers.ts';
import type { RedirectUri, Store } from '../store/index.ts';
import {
  adminGuard,
  confirmAction,
  copyField,
  csrfField,
  fieldError,
  formProblem,
  invalid,
  many,
  notice,
  one,
  page,
  selectField,
  toFieldErrors,
  type FieldErrors,
  type Form,
} from './admin-kit.ts';
import { registerPeoplePages } from './admin-people.ts';
import { html, trusted, type SafeHtml } from './html.ts';
import type { SignedIn } from '../http/sessions.ts';

const CLIENT_TYPES = [
  ['confidential', 'Confidential (has a secret)'],
  ['public', 'Public (PKCE, no secret)'],
] as const;

/**
 * One name per provider setting, on the create form and the provider's page alike: Authentik's
 * where it has one (its guides name the flows), keyed by the field (and API) name.
 */
const LABELS = {
  authorization_policy: 'Authentication flow',
  consent_mode: 'Authorization flow',
  client_type: 'Client type',
  redirect_uri: 'Redirect URI',
  post_logout_redirect_uri: 'Post-logout redirect URI',
  id_token_signed_response_alg: 'Signing algorithm',
  subject_mode: 'Subject mode',
} as const;

const CONSENT_LABELS: Record<(typeof CONSENT_MODES)[number], string> = {
  explicit: 'Ask every time (explicit)',
  implicit: 'Never ask (implicit)',
  'pre-configured': 'Ask, then remember (pre-configured)',
};

interface AdminContext {
  config: SesameConfig;
  store: Store;
  issuers: Issuers;
  factors: Factors;
  reloadKeys: () => Promise<unknown>;
}

const STANDARD_SCOPES = ['openid', 'profile', 'email', 'groups', 'offline_access', 'address', 'phone'];

/** Parallel `<name>_url` / `<name>_mode` fields → URIs; empty rows are dropped. */
function uriRowsFrom(form: Form, name: string): RedirectUri[] {
  // Row by row, empty ones included, so that the n-th mode stays with the n-th URL.
  const rows = (value: unknown) => (Array.isArray(value) ? value : [value]).map(one);
  const urls = rows(form[`${name}_url`]);
  const modes = rows(form[`${name}_mode`]);
  return urls
    .map((url, index) => ({
      url,
      matching_mode: modes[index] === 'regex' ? ('regex' as const) : ('strict' as const),
    }))
    .filter((uri) => uri.url);
}

/** Editable rows of URI + matching mode, one blank row to add another (admin.js adds more). */
function uriRows(
  name: string,
  label: string,
  uris: RedirectUri[],
  errors: FieldErrors,
  disabled: boolean,
): SafeHtml {
  const rows = disabled ? uris : [...uris, { url: '', matching_mode: 'strict' as const }];
  return html`<fieldset class="uris" data-uri-rows="${name}">
    <legend>${label}s</legend>
    ${rows.map(
      (uri, index) =>
        html`<div class="uri-row">
          <input
            name="${name}_url"
            value="${uri.url}"
            aria-label="${label} ${index + 1}"
            placeholder="https://app.example.com/callback"
            ${index === 0 ? invalid(errors, `${name}s`) : ''}
          />
          <select name="${name}_mode" aria-label="Matching for ${label} ${index + 1}">
            <option value="strict" ${uri.matching_mode === 'strict' ? trusted('selected') : ''}>exact</option>
            <option value="regex" ${uri.matching_mode === 'regex' ? trusted('selected') : ''}>regex</option>
          </select>
        </div>`,
    )}
    ${fieldError(errors, `${name}s`)}
    ${
      disabled
        ? ''
        : html`<small
            >Exact: the URI must match byte for byte. Regex: a fully anchored RE2 regular expression (as in
            Authelia; no backreferences or lookaround), e.g. <code>https://app.example.com/.*</code>. Leave a
            row empty to remove it.</small
          >`
    }
  </fieldset>`;
}

/** One of the YAML client's further settings as a form field, named by its YAML key. */
function settingField(setting: ClientSetting, value: string | string[], errors: FieldErrors): SafeHtml {
  const help = html`<small id="${setting.key}-help">${setting.help}</small>`;
  const described = errors[setting.key]
    ? invalid(errors, setting.key)
    : trusted(`aria-describedby="${setting.key}-help"`);
  const options = settingOptions(setting);
  if (setting.kind === 'list')
    return html`<fieldset class="choices">
      <legend>${setting.label}</legend>
      ${options.map(
        (option) =>
          html`<label
            ><input
              type="checkbox"
              name="${setting.key}"
              value="${option}"
              ${(value as string[]).includes(option) ? trusted('checked') : ''}
            />
            ${option}</label
          >`,
      )}
      ${errors[setting.key] ? fieldError(errors, setting.key) : help}
    </fieldset>`;
  const field =
    setting.kind === 'choice'
      ? html`<select id="${setting.key}" name="${setting.key}" ${described}>
          <option value="">default</option>
          ${options.map(
            (option) =>
              html`<option value="${option}" ${option === value ? trusted('selected') : ''}>
                ${option}
              </option>`,
          )}
        </select>`
      : setting.kind === 'json'
        ? html`<textarea id="${setting.key}" name="${setting.key}" rows="3" ${described}>${value}</textarea>`
        : html`<input id="${setting.key}" name="${setting.key}" type="url" value="${value}" ${described} />`;
  return html`<label for="${setting.key}">${setting.label}</label> ${field}
    ${errors[setting.key] ? fieldError(errors, setting.key) : help}`;
}

/** The further settings from the form: empty clears one (back to the default). */
function settingsFromForm(form: Form): Record<string, unknown> {
  return Object.fromEntries(
    CLIENT_SETTINGS.map((setting) => {
      if (setting.kind === 'list') {
        const chosen = many(form[setting.key]);
        return [setting.key, chosen.length ? chosen : null];
      }
      const text = one(form[setting.key]);
      if (text === '') return [setting.key, null];
      if (setting.kind !== 'json') return [setting.key, text];
      try {
        return [setting.key, JSON.parse(text) as unknown];
      } catch {
        // Left as text: the schema refuses it next to the field.
        return [setting.key, text];
      }
    }),
  );
}

export function registerAdmin(app: FastifyInstance, context: AdminContext): void {
  const { config, store } = context;
  const oidc = config.identity_providers.oidc;
  const guard = adminGuard(context);
  const { admin } = guard;
  const applications = new ApplicationService(
    store,
    config.authentication_backend.password_hashing,
    config.externalUrl,
  );
  const providers = new ProviderService(config, store);
  const fileClients = providers.fromFile;
  const policies = ['one_factor', 'two_factor', ...Object.keys(oidc.authorization_policies), 'deny'];
  const policyLabel = (policy: string) =>
    policy === 'one_factor'
      ? 'Password (one factor)'
      : policy === 'two_factor'
        ? 'Password and a second factor'
        : policy === 'deny'
          ? 'Nobody (deny)'
          : `Policy: ${policy}`;

  async function allProviders(): Promise<SesameClient[]> {
    const list = [...fileClients.values()];
    for (const client of await store.clients.list({ limit: 10_000 }))
      list.push(fromDatabase(client, (await store.applications.findByClientRef(client.id))?.slug));
    return list;
  }

  // ---- Applications ----
  app.get('/admin/applications', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const list = await applications.list({ limit: 10_000 });
    const done = (request.query as Record<string, string | undefined>).done;
    return reply.type('text/html').send(
      page(
        config,
        'applications',
        'Applications',
        html`<div class="head">
            <hgroup>
              <h1>Applications</h1>
              <p>Each application has its own issuer, <code>/application/o/&lt;slug&gt;/</code>.</p>
            </hgroup>
            <a href="/admin/applications/new" role="button">Create</a>
          </div>
          ${notice(done === 'deleted' ? 'The application and its provider were deleted.' : undefined)}
          ${
            list.length === 0
              ? html`<p class="empty">
                  No applications yet. <a href="/admin/providers/new">Create a provider</a> first, then an
                  application that uses it.
                </p>`
              : html`<div class="overflow-auto">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Slug</th>
                        <th scope="col">Provider</th>
                        <th scope="col" class="hide-sm">Launch URL</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${list.map(
                        ({ application, client }) =>
                          html`<tr>
                            <td><a href="/admin/applications/${application.slug}">${application.name}</a></td>
                            <td><code>${application.slug}</code></td>
                            <td>
                              ${
                                client
                                  ? html`<a href="/admin/providers/${client.clientId}">${client.name}</a>`
                                  : html`<span class="muted">none</span>`
                              }
                            </td>
                            <td class="hide-sm">${application.launchUrl ?? ''}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
          }`,
        signedIn,
      ),
    );
  });

  async function applicationForm(
    reply: FastifyReply,
    signedIn: SignedIn,
    values: Form = {},
    errors: FieldErrors = {},
  ) {
    const free = await applications.unassignedProviders();
    return reply
      .status(Object.keys(errors).length ? 400 : 200)
      .type('text/html')
      .send(
        page(
          config,
          'applications',
          'Create application',
          html`<h1>Create application</h1>
            ${formProblem(errors)}
            <form method="post" action="/admin/applications">
              ${csrfField(signedIn)}
              <label for="name">Name</label>
              <input id="name" name="name" required value="${one(values.name)}" ${invalid(errors, 'name')} />
              ${fieldError(errors, 'name')}
              <label for="slug">Slug</label>
              <input
                id="slug"
                name="slug"
                pattern="[a-z0-9]+(-[a-z0-9]+)*"
                aria-describedby="${errors.slug ? 'slug-error' : 'slug-help'}"
                ${errors.slug ? trusted('aria-invalid="true"') : ''}
                value="${one(values.slug)}"
              />
              ${
                errors.slug
                  ? fieldError(errors, 'slug')
                  : html`<small id="slug-help"
                      >Used in the issuer URL; lowercase letters, digits and dashes. Empty: made from the
                      name.</small
                    >`
              }
              <label for="provider">Provider</label>
              <select id="provider" name="provider" required ${invalid(errors, 'provider')}>
                <option value="">Choose a provider…</option>
                ${free.map(
                  (client) =>
                    html`<option
                      value="${client.clientId}"
                      ${one(values.provider) === client.clientId ? trusted('selected') : ''}
                    >
                      ${client.name}
                    </option>`,
                )}
              </select>
              ${fieldError(errors, 'provider')}
              ${
                free.length === 0
                  ? html`<small
                      >Every provider is in use.
                      <a href="/admin/providers/new">Create a provider</a> first.</small
                    >`
                  : ''
              }
              <label for="launch_url">Launch URL (optional)</label>
              <input id="launch_url" name="launch_url" type="url" value="${one(values.launch_url)}" />
              <label for="icon">Icon URL (optional)</label>
              <input
                id="icon"
                name="icon"
                type="url"
                value="${one(values.icon)}"
                ${invalid(errors, 'icon')}
              />
              ${fieldError(errors, 'icon')}
              <button type="submit">Create</button>
            </form>`,
          signedIn,
        ),
      );
  }

  app.get('/admin/applications/new', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const provider = (request.query as Record<string, string | undefined>).provider;
    return applicationForm(reply, signedIn, provider ? { provider } : {});
  });

  app.post('/admin/applications', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const form = (request.body ?? {}) as Form;
    try {
      await applications.createForProvider(
        {
          name: one(form.name),
          slug: one(form.slug) || undefined,
          clientId: one(form.provider),
          launchUrl: one(form.launch_url) || undefined,
          icon: one(form.icon) || undefined,
        },
        `user:${signedIn.user.username}`,
      );
    } catch (error) {
      const errors = toFieldErrors(error, ['name', 'slug', 'provider', 'icon']);
      if (errors) return applicationForm(reply, signedIn, form, errors);
      throw error;
    }
    return reply.redirect('/admin/applications', 303);
  });

  async function findApplication(slug: string): Promise<ApplicationDetails | undefined> {
    try {
      return await applications.show(slug);
    } catch (error) {
      if (error instanceof SesameError) return undefined;
      throw error;
    }
  }

  function applicationPage(
    reply: FastifyReply,
    signedIn: SignedIn,
    details: ApplicationDetails,
    values: Form | undefined,
    errors: FieldErrors = {},
    done?: string,
  ) {
    const { application, client, urls } = details;
    const guide = buildGuide(details, config.externalUrl);
    const value = (name: string, current: string | undefined) =>
      values ? one(values[name]) : (current ?? '');
    return reply
      .status(Object.keys(errors).length ? 400 : 200)
      .type('text/html')
      .send(
        page(
          config,
          'applications',
          application.name,
          html`<nav aria-label="Breadcrumb">
              <ul>
                <li><a href="/admin/applications">Applications</a></li>
                <li>${application.name}</li>
              </ul>
            </nav>
            <div class="head">
              <hgroup>
                <h1>
                  ${application.icon ? html`<img src="${application.icon}" alt="" width="36" height="36" class="app-icon" /> ` : ''}${application.name}
                </h1>
                <p>
                  Slug <code>${application.slug}</code> · Provider
                  ${
                    client
                      ? html`<a href="/admin/providers/${client.clientId}">${client.name}</a>`
                      : html`<span class="muted">none</span>`
                  }
                </p>
              </hgroup>
              ${application.launchUrl ? html`<a href="${application.launchUrl}" role="button" class="outline">Launch</a>` : ''}
            </div>
            ${notice(done === 'saved' ? 'Saved.' : undefined)}
            <section class="card" aria-labelledby="guide-heading">
              <h2 id="guide-heading">Integration guide${guide.preset ? html`: ${guide.preset.name}` : ''}</h2>
              <p class="muted">
                The values to paste into the app. The client secret is never shown again after it was created;
                <a href="/admin/providers/${guide.client_id ?? ''}">regenerate it</a> on the provider's page
                if it is lost.
              </p>
              ${guide.client_id ? copyField('guide-client-id', 'Client ID', guide.client_id) : ''}
              ${copyField('guide-issuer', 'Issuer', guide.issuer)}
              ${copyField('guide-discovery', 'Discovery URL', guide.discovery_url)}
              ${copyField('guide-redirect', 'Redirect URI(s) registered', guide.redirect_uris.map((uri) => (uri.matching_mode === 'regex' ? `regex: ${uri.url}` : uri.url)).join('  '))}
              <p class="muted">
                Scopes: ${guide.scopes.join(' ')} · Client type: ${guide.client_type ?? 'none'}
              </p>
              ${
                guide.settings.length > 0
                  ? html`<h3>${guide.preset!.name} settings</h3>
                      <div class="overflow-auto">
                        <table>
                          <thead>
                            <tr>
                              <th scope="col">Setting</th>
                              <th scope="col">Value</th>
                            </tr>
                          </thead>
                          <tbody>
                            ${guide.settings.map(
                              (setting) =>
                                html`<tr>
                                  <td><code>${setting.name}</code></td>
                                  <td><code>${setting.value}</code></td>
                                </tr>`,
                            )}
                          </tbody>
                        </table>
                      </div>
                      <label for="guide-env">As an .env file</label>
                      <textarea id="guide-env" readonly rows="${Math.min(12, guide.settings.length + 1)}">
${guide.env}</textarea>
                      <button type="button" class="secondary outline" data-copy="guide-env">
                        Copy .env
                      </button>`
                  : html`<p class="muted">
                      Other endpoints: authorize <code>${urls.authorize}</code>, token
                      <code>${urls.token}</code>, userinfo <code>${urls.userinfo}</code>, JWKS
                      <code>${urls.jwks}</code>, end session <code>${urls.endSession}</code>.
                    </p>`
              }
            </section>
            <section class="card" aria-labelledby="edit-heading">
              <h2 id="edit-heading">Edit</h2>
              ${formProblem(errors)}
              <form method="post" action="/admin/applications/${application.slug}">
                ${csrfField(signedIn)}
                <label for="name">Name</label>
                <input
                  id="name"
                  name="name"
                  required
                  value="${value('name', application.name)}"
                  ${invalid(errors, 'name')}
                />
                ${fieldError(errors, 'name')}
                <label for="launch_url">Launch URL</label>
                <input
                  id="launch_url"
                  name="launch_url"
                  type="url"
                  value="${value('launch_url', application.launchUrl)}"
                  ${errors.launch_url ? invalid(errors, 'launch_url') : trusted('aria-describedby="launch-help"')}
                />
                ${errors.launch_url ? fieldError(errors, 'launch_url') : html`<small id="launch-help">Where "My applications" sends users. Empty: the first redirect URI's site.</small>`}
                <label for="icon">Icon URL</label>
                <input
                  id="icon"
                  name="icon"
                  type="url"
                  value="${value('icon', application.icon)}"
                  ${invalid(errors, 'icon')}
                />
                ${fieldError(errors, 'icon')}
                <label for="description">Description</label>
                <input
                  id="description"
                  name="description"
                  value="${value('description', application.description)}"
                />
                <button type="submit">Save application</button>
              </form>
            </section>
            <section class="card" aria-labelledby="delete-heading">
              <h2 id="delete-heading">Delete</h2>
              ${confirmAction({
                signedIn,
                action: `/admin/applications/${application.slug}/delete`,
                label: 'Delete application',
                text: html`This deletes <strong>${application.name}</strong> and its
                  provider${client ? html` <strong>${client.name}</strong>` : ''}. Its issuer disappears and
                  the app can no longer sign anyone in.`,
                confirm: `Yes, delete ${application.name}`,
              })}
            </section>`,
          signedIn,
        ),
      );
  }

  app.get('/admin/applications/:slug', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const details = await findApplication((request.params as { slug: string }).slug);
    if (!details) return guard.notFound(reply, signedIn, 'applications', 'There is no such application.');
    return applicationPage(
      reply,
      signedIn,
      details,
      undefined,
      {},
      (request.query as Record<string, string>).done,
    );
  });

  app.post('/admin/applications/:slug', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const { slug } = request.params as { slug: string };
    const details = await findApplication(slug);
    if (!details) return guard.notFound(reply, signedIn, 'applications', 'There is no such application.');
    const form = (request.body ?? {}) as Form;
    try {
      await applications.update(
        slug,
        {
          name: one(form.name),
          launchUrl: one(form.launch_url),
          icon: one(form.icon),
          description: one(form.description),
        },
        `user:${signedIn.user.username}`,
      );
    } catch (error) {
      const errors = toFieldErrors(error, ['name', 'launch_url', 'icon']);
      if (errors) return applicationPage(reply, signedIn, details, form, errors);
      throw error;
    }
    return reply.redirect(`/admin/applications/${slug}?done=saved`, 303);
  });

  app.post('/admin/applications/:slug/delete', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const { slug } = request.params as { slug: string };
    if (!(await findApplication(slug)))
      return guard.notFound(reply, signedIn, 'applications', 'There is no such application.');
    await applications.delete(slug, `user:${signedIn.user.username}`);
    return reply.redirect('/admin/applications?done=deleted', 303);
  });

  // ---- Providers ----
  app.get('/admin/providers', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const list = await allProviders();
    return reply.type('text/html').send(
      page(
        config,
        'providers',
        'Providers',
        html`<div class="head">
            <hgroup>
              <h1>Providers</h1>
              <p>OAuth2/OpenID clients. Those defined in the configuration file are read-only here.</p>
            </hgroup>
            <a href="/admin/providers/new" role="button">Create</a>
          </div>
          <div class="overflow-auto">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" class="hide-sm">Client ID</th>
                  <th scope="col">Application</th>
                  <th scope="col">Type</th>
                </tr>
              </thead>
              <tbody>
                ${list.map(
                  (client) =>
                    html`<tr>
                      <td>
                        <a href="/admin/providers/${client.clientId}">${client.name}</a>
                        ${client.source === 'config' ? html` <span class="badge">configuration file</span>` : ''}
                      </td>
                      <td class="hide-sm"><code>${client.clientId}</code></td>
                      <td>
                        ${
                          client.applicationSlug
                            ? html`<a href="/admin/applications/${client.applicationSlug}"
                                >${client.applicationSlug}</a
                              >`
                            : html`<span class="muted">none</span>`
                        }
                      </td>
                      <td>${client.public ? 'public' : 'confidential'}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`,
        signedIn,
      ),
    );
  });

  async function providerForm(
    reply: FastifyReply,
    signedIn: SignedIn,
    values: Form = {},
    errors: FieldErrors = {},
  ) {
    const chosen = (name: string, fallback: string) => one(values[name]) || fallback;
    return reply
      .status(Object.keys(errors).length ? 400 : 200)
      .type('text/html')
      .send(
        page(
          config,
          'providers',
          'Create provider',
          html`<h1>Create provider</h1>
            ${formProblem(errors)}
            <form method="post" action="/admin/providers">
              ${csrfField(signedIn)}
              <fieldset>
                <legend>Type</legend>
                <label
                  ><input type="radio" name="type" value="oauth2" checked /> OAuth2/OpenID Provider</label
                >
              </fieldset>
              <label for="name">Name</label>
              <input id="name" name="name" required value="${one(values.name)}" ${invalid(errors, 'name')} />
              ${fieldError(errors, 'name')}
              ${selectField({
                name: 'authorization_policy',
                label: LABELS.authorization_policy,
                options: policies.map((policy) => [policy, policyLabel(policy)] as const),
                value: chosen('authorization_policy', 'one_factor'),
              })}
              ${selectField({
                name: 'consent_mode',
                label: LABELS.consent_mode,
                // Pre-configured consent needs a duration: set it on the provider's page.
                options: (['explicit', 'implicit'] as const).map(
                  (mode) => [mode, CONSENT_LABELS[mode]] as const,
                ),
                value: chosen('consent_mode', 'explicit'),
              })}
              ${selectField({
                name: 'client_type',
                label: LABELS.client_type,
                options: CLIENT_TYPES,
                value: chosen('client_type', 'confidential'),
              })}
              ${uriRows('redirect_uri', LABELS.redirect_uri, uriRowsFrom(values, 'redirect_uri'), errors, false)}
              ${selectField({
                name: 'id_token_signed_response_alg',
                label: LABELS.id_token_signed_response_alg,
                options: SIGNING_ALGORITHMS,
                value: chosen('id_token_signed_response_alg', 'RS256'),
              })}
              ${selectField({
                name: 'subject_mode',
                label: LABELS.subject_mode,
                options: SUBJECT_MODES,
                value: chosen('subject_mode', 'user_id'),
              })}
              <button type="submit">Done</button>
            </form>`,
          signedIn,
        ),
      );
  }

  app.get('/admin/providers/new', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    return providerForm(reply, signedIn);
  });

  /** The provider's page: values to copy, then every setting in a form (read-only for file clients). */
  async function providerPage(
    reply: FastifyReply,
    signedIn: SignedIn,
    client: SesameClient,
    options: { secret?: string; values?: Form; errors?: FieldErrors; done?: string; status?: number } = {},
  ) {
    const { secret, values, done } = options;
    const errors = options.errors ?? {};
    const readOnly = client.source === 'config';
    const urls = client.applicationSlug
      ? applicationUrls(config.externalUrl, client.applicationSlug)
      : undefined;
    const issuer = urls?.issuer ?? globalIssuer(config.externalUrl);
    const groups = (await store.groups.list()).map((group) => group.name);
    const wanted = (name: string, current: string) => (values ? one(values[name]) : current);
    const checkedIn = (name: string, option: string, current: string[]) =>
      (values ? many(values[name]) : current).includes(option) ? trusted('checked') : '';
    const scopes = [...new Set([...STANDARD_SCOPES, ...client.scopes])];
    const allowedGroups = [...new Set([...groups, ...client.allowedGroups])];
    const redirects = values ? uriRowsFrom(values, 'redirect_uri') : client.redirectUris;
    const logouts = values ? uriRowsFrom(values, 'post_logout_redirect_uri') : client.postLogoutRedirectUris;
    const current = clientSettingValues(client);
    /** The form's value of a setting: what was sent, else the client's. */
    const settingValue = (setting: ClientSetting): string | string[] => {
      if (values) return setting.kind === 'list' ? many(values[setting.key]) : one(values[setting.key]);
      const value = current[setting.key];
      if (setting.kind === 'list') return (value as string[] | undefined) ?? [];
      if (setting.kind === 'json') return value === undefined ? '' : JSON.stringify(value, null, 2);
      return (value as string | undefined) ?? '';
    };
    const defaults = oidc.lifespans;
    const lifespan = (
      name: 'access_token' | 'id_token' | 'refresh_token' | 'authorize_code',
      label: string,
    ) =>
      html`<div>
        <label for="lifespan_${name}">${label}</label>
        <input
          id="lifespan_${name}"
          name="lifespan_${name}"
          type="number"
          min="${name === 'authorize_code' ? 10 : 60}"
          inputmode="numeric"
          placeholder="default ${defaults[name]}"
          value="${wanted(`lifespan_${name}`, client.lifespans[name]?.toString() ?? '')}"
          ${invalid(errors, `lifespans.${name}`)}
        />
        ${fieldError(errors, `lifespans.${name}`)}
      </div>`;
    return reply
      .status(options.status ?? (Object.keys(errors).length ? 400 : 200))
      .type('text/html')
      .send(
        page(
          config,
          'providers',
          client.name,
          html`<nav aria-label="Breadcrumb">
              <ul>
                <li><a href="/admin/providers">Providers</a></li>
                <li>${client.name}</li>
              </ul>
            </nav>
            <hgroup>
              <h1>${client.name}</h1>
              <p>
                OAuth2/OpenID
                Provider${
                  client.applicationSlug
                    ? html` used by
                        <a href="/admin/applications/${client.applicationSlug}"
                          ><strong>${client.applicationSlug}</strong></a
                        >`
                    : ''
                }
                ${readOnly ? html` <span class="badge">configuration file: read-only</span>` : ''}
              </p>
            </hgroup>
            ${
              secret
                ? html`<article role="status">
                    <strong>Copy the client secret now.</strong> It is shown only once: Sesame keeps only its
                    digest.
                  </article>`
                : ''
            }
            ${notice(
              done === 'saved'
                ? 'Saved. The change applies to the next request.'
                : done === 'secret' && secret
                  ? 'A new client secret is active; the old one no longer works.'
                  : undefined,
            )}
            <section class="card" aria-label="Values for the application">
              ${copyField('client_id', 'Client ID', client.clientId)}
              ${
                secret
                  ? copyField('client_secret', 'Client Secret', secret)
                  : html`<p class="muted">
                      Client Secret:
                      ${client.public ? 'none (public client)' : 'stored only as a digest; regenerate it to see a new one.'}
                    </p>`
              }
              ${
                !urls && client.source === 'database'
                  ? html`<p class="notice" role="note">
                      No application uses this provider yet.
                      <a href="/admin/applications/new?provider=${encodeURIComponent(client.clientId)}"
                        >Create an application with it</a
                      >: its issuer,
                      <code>${config.externalUrl.replace(/\/+$/, '')}/application/o/&lt;slug&gt;/</code>, is
                      the one the integration guides copy, and this page shows it then.
                    </p>`
                  : ''
              }
              ${copyField('issuer', urls || client.source === 'config' ? 'OpenID Configuration Issuer' : 'Global issuer', issuer)}
              ${copyField('discovery', 'OpenID Configuration URL', urls?.discovery ?? `${issuer}/.well-known/openid-configuration`)}
              ${
                urls
                  ? html`<details>
                      <summary>Other endpoints (Authentik's shared URLs)</summary>
                      ${copyField('authorize_url', 'Authorize URL', urls.authorize)}
                      ${copyField('token_url', 'Token URL', urls.token)}
                      ${copyField('userinfo_url', 'Userinfo URL', urls.userinfo)}
                      ${copyField('jwks_url', 'JWKS URL', urls.jwks)}
                      ${copyField('end_session_url', 'End session URL', urls.endSession)}
                    </details>`
                  : ''
              }
              ${
                client.source === 'database' && !client.public
                  ? confirmAction({
                      signedIn,
                      action: `/admin/providers/${client.clientId}/secret`,
                      label: 'Regenerate client secret',
                      text: html`The current secret stops working at once:
                      ${client.applicationSlug ? html`<strong>${client.applicationSlug}</strong>` : 'the app'}
                      cannot sign anyone in until it is given the new one, shown once on the next page.`,
                      confirm: 'Yes, regenerate the secret',
                    })
                  : ''
              }
            </section>
            <section aria-labelledby="settings-heading">
              <h2 id="settings-heading">Settings</h2>
              ${readOnly ? html`<p class="muted">Defined in the configuration file: change it there and restart.</p>` : ''}
              ${formProblem(errors)}
              <form method="post" action="/admin/providers/${client.clientId}">
                ${csrfField(signedIn)}
                <fieldset ${readOnly ? trusted('disabled') : ''}>
                  <label for="name">Name</label>
                  <input
                    id="name"
                    name="name"
                    required
                    value="${wanted('name', client.name)}"
                    ${invalid(errors, 'name')}
                  />
                  ${fieldError(errors, 'name')}
                  ${selectField({
                    name: 'client_type',
                    label: LABELS.client_type,
                    options: CLIENT_TYPES,
                    value: wanted('client_type', client.public ? 'public' : 'confidential'),
                    describedBy: 'client-type-help',
                  })}
                  <small id="client-type-help">Making it confidential creates a secret, shown once.</small>
                  ${uriRows('redirect_uri', LABELS.redirect_uri, redirects, errors, readOnly)}
                  ${uriRows('post_logout_redirect_uri', LABELS.post_logout_redirect_uri, logouts, errors, readOnly)}
                  <fieldset class="choices">
                    <legend>Scopes</legend>
                    ${scopes.map(
                      (scope) =>
                        html`<label
                          ><input
                            type="checkbox"
                            name="scopes"
                            value="${scope}"
                            ${checkedIn('scopes', scope, client.scopes)}
                          />
                          ${scope}</label
                        >`,
                    )}
                    ${fieldError(errors, 'scopes')}
                  </fieldset>
                  <div class="grid2">
                    <div>
                      ${selectField({
                        name: 'id_token_signed_response_alg',
                        label: LABELS.id_token_signed_response_alg,
                        options: SIGNING_ALGORITHMS,
                        value: wanted('id_token_signed_response_alg', client.idTokenSignedResponseAlg),
                      })}
                    </div>
                    <div>
                      ${selectField({
                        name: 'subject_mode',
                        label: LABELS.subject_mode,
                        options: SUBJECT_MODES,
                        value: wanted('subject_mode', client.subjectMode),
                      })}
                    </div>
                    <div>
                      ${selectField({
                        name: 'authorization_policy',
                        label: LABELS.authorization_policy,
                        options: [...new Set([...policies, client.authorizationPolicy])].map(
                          (policy) => [policy, policyLabel(policy)] as const,
                        ),
                        value: wanted('authorization_policy', client.authorizationPolicy),
                        errors,
                      })}
                    </div>
                    <div>
                      ${selectField({
                        name: 'consent_mode',
                        label: LABELS.consent_mode,
                        options: CONSENT_MODES.map((mode) => [mode, CONSENT_LABELS[mode]] as const),
                        value: wanted('consent_mode', client.consentMode),
                      })}
                    </div>
                    <div>
                      <label for="pre_configured_consent_duration">Remember consent for (seconds)</label>
                      <input
                        id="pre_configured_consent_duration"
                        name="pre_configured_consent_duration"
                        type="number"
                        min="1"
                        value="${wanted('pre_configured_consent_duration', client.consentDurationSeconds?.toString() ?? '')}"
                        ${invalid(errors, 'pre_configured_consent_duration')}
                      />
                      ${fieldError(errors, 'pre_configured_consent_duration')}
                    </div>
                    <div>
                      <label for="require_pkce">
                        <input
                          type="checkbox"
                          id="require_pkce"
                          name="require_pkce"
                          value="on"
                          role="switch"
                          ${(values ? one(values.require_pkce) === 'on' : client.requirePkce) ? trusted('checked') : ''}
                        />
                        Require PKCE
                      </label>
                    </div>
                  </div>
                  <fieldset class="choices">
                    <legend>Allowed groups</legend>
                    ${allowedGroups.map(
                      (group) =>
                        html`<label
                          ><input
                            type="checkbox"
                            name="allowed_groups"
                            value="${group}"
                            ${checkedIn('allowed_groups', group, client.allowedGroups)}
                          />
                          ${group}</label
                        >`,
                    )}
                    <small>None checked: every user may sign in.</small>
                  </fieldset>
                  <fieldset>
                    <legend>Token lifetimes (seconds; empty for the server default)</legend>
                    <div class="grid2">
                      ${lifespan('access_token', 'Access token')} ${lifespan('id_token', 'ID token')}
                      ${lifespan('refresh_token', 'Refresh token')}
                      ${lifespan('authorize_code', 'Authorization code')}
                    </div>
                  </fieldset>
                  <details
                    class="more"
                    ${CLIENT_SETTINGS.some((setting) => errors[setting.key]) ? trusted('open') : ''}
                  >
                    <summary>More settings</summary>
                    ${CLIENT_SETTINGS.map((setting) => settingField(setting, settingValue(setting), errors))}
                  </details>
                  ${readOnly ? '' : html`<button type="submit">Save provider</button>`}
                </fieldset>
              </form>
            </section>`,
          signedIn,
        ),
      );
  }

  app.post('/admin/providers', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const form = (request.body ?? {}) as Form;
    const consent = one(form.consent_mode) === 'implicit' ? 'implicit' : 'explicit';
    const policy = policies.includes(one(form.authorization_policy))
      ? one(form.authorization_policy)
      : 'one_factor';
    const alg = (SIGNING_ALGORITHMS as readonly string[]).includes(one(form.id_token_signed_response_alg))
      ? one(form.id_token_signed_response_alg)
      : 'RS256';
    try {
      const { client, clientSecret } = await applications.createProvider(
        {
          name: one(form.name),
          public: one(form.client_type) === 'public',
          redirectUris: uriRowsFrom(form, 'redirect_uri'),
          consentMode: consent,
          authorizationPolicy: policy,
          idTokenSignedResponseAlg: alg,
          subjectMode: one(form.subject_mode) || 'user_id',
        },
        `user:${signedIn.user.username}`,
      );
      if (clientSecret)
        guard.once.put(request, reply, signedIn, `provider:${client.clientId}`, { secret: clientSecret });
      return reply.redirect(`/admin/providers/${encodeURIComponent(client.clientId)}?done=created`, 303);
    } catch (error) {
      const errors = toFieldErrors(error, ['name', 'redirect_uris']);
      if (errors) return providerForm(reply, signedIn, form, errors);
      throw error;
    }
  });

  app.get('/admin/providers/:clientId', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const client = await providers.find((request.params as { clientId: string }).clientId);
    if (!client) return guard.notFound(reply, signedIn, 'providers', 'There is no such provider.');
    const secret = guard.once.take(request, reply, signedIn, `provider:${client.clientId}`)?.secret;
    return providerPage(reply, signedIn, client, {
      done: (request.query as Record<string, string>).done,
      secret: typeof secret === 'string' ? secret : undefined,
    });
  });

  /** The edit form → the API's PATCH body, validated by the same schema and the same service. */
  function patchFromForm(form: Form): Record<string, unknown> {
    const number = (name: string) => {
      const text = one(form[name]);
      return text === '' ? undefined : Number(text);
    };
    return {
      name: one(form.name),
      client_type: one(form.client_type),
      redirect_uris: uriRowsFrom(form, 'redirect_uri'),
      post_logout_redirect_uris: uriRowsFrom(form, 'post_logout_redirect_uri'),
      scopes: many(form.scopes),
      consent_mode: one(form.consent_mode),
      pre_configured_consent_duration: number('pre_configured_consent_duration'),
      authorization_policy: one(form.authorization_policy),
      allowed_groups: many(form.allowed_groups),
      subject_mode: one(form.subject_mode),
      require_pkce: one(form.require_pkce) === 'on',
      id_token_signed_response_alg: one(form.id_token_signed_response_alg),
      // Empty means the server default: an explicit undefined clears the client's own value.
      lifespans: {
        access_token: number('lifespan_access_token'),
        id_token: number('lifespan_id_token'),
        refresh_token: number('lifespan_refresh_token'),
        authorize_code: number('lifespan_authorize_code'),
      },
      ...settingsFromForm(form),
    };
  }

  app.post('/admin/providers/:clientId', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const { clientId } = request.params as { clientId: string };
    const client = await providers.find(clientId);
    if (!client) return guard.notFound(reply, signedIn, 'providers', 'There is no such provider.');
    const form = (request.body ?? {}) as Form;
    if (client.source === 'config')
      return providerPage(reply, signedIn, client, {
        errors: { form: 'This provider is defined in the configuration file; change it there and restart.' },
        status: 409,
      });
    const parsed = providerPatch.safeParse(patchFromForm(form));
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const path = issue.path.map(String);
        const field = path[0] === 'lifespans' ? path.slice(0, 2).join('.') : path[0]!;
        errors[field] ??= issue.message;
      }
      // Shown together with the schema's findings rather than after the next submit.
      for (const uri of [
        ...uriRowsFrom(form, 'redirect_uri'),
        ...uriRowsFrom(form, 'post_logout_redirect_uri'),
      ]) {
        const problem = redirectUriProblem(uri);
        if (problem) errors.redirect_uris ??= problem;
      }
      return providerPage(reply, signedIn, client, { values: form, errors });
    }
    try {
      const { clientSecret } = await providers.update(
        clientId,
        parsed.data,
        `user:${signedIn.user.username}`,
      );
      if (clientSecret)
        guard.once.put(request, reply, signedIn, `provider:${clientId}`, { secret: clientSecret });
    } catch (error) {
      const errors = toFieldErrors(error, [
        'redirect_uris',
        'authorization_policy',
        'pre_configured_consent_duration',
        ...CLIENT_SETTINGS.map((setting) => setting.key),
      ]);
      if (errors) return providerPage(reply, signedIn, client, { values: form, errors });
      throw error;
    }
    return reply.redirect(`/admin/providers/${clientId}?done=saved`, 303);
  });

  app.post('/admin/providers/:clientId/secret', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const clientId = (request.params as { clientId: string }).clientId;
    const client = await providers.find(clientId);
    if (!client || client.source !== 'database' || client.public)
      return reply
        .status(409)
        .type('text/html')
        .send(
          page(
            config,
            'providers',
            'Not possible',
            html`<h1>This provider's secret cannot be changed here</h1>`,
            signedIn,
          ),
        );
    const secret = await applications.regenerateSecret(clientId, `user:${signedIn.user.username}`);
    guard.once.put(request, reply, signedIn, `provider:${clientId}`, { secret });
    return reply.redirect(`/admin/providers/${encodeURIComponent(clientId)}?done=secret`, 303);
  });

  registerPeoplePages(app, context, guard);
}
