// The admin web UI: server-rendered pages styled with Pico CSS, following Authentik's order —
// Providers → Create (an OAuth2/OpenID provider), then Applications → Create with that provider,
// then the provider's page to copy Client ID, Client Secret and the issuer URL.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApplicationService } from '../apps/applications.ts';
import { applicationUrls, globalIssuer } from '../apps/urls.ts';
import { UserService } from '../auth/users.ts';
import type { SesameConfig } from '../config/load.ts';
import { SIGNING_ALGORITHMS } from '../config/schema.ts';
import { SesameError } from '../errors.ts';
import { fromConfig, fromDatabase, type SesameClient } from '../oidc/clients.ts';
import type { Issuers } from '../oidc/issuers.ts';
import type { RedirectUri, Store } from '../store/index.ts';
import { html, trusted, type SafeHtml } from './html.ts';
import { BrowserSessions, type SignedIn } from './session.ts';

interface AdminContext {
  config: SesameConfig;
  store: Store;
  issuers: Issuers;
}

type Form = Record<string, string | string[] | undefined>;
const SECTIONS = [
  ['applications', 'Applications'],
  ['providers', 'Providers'],
] as const;

function page(
  config: SesameConfig,
  section: (typeof SECTIONS)[number][0],
  title: string,
  body: SafeHtml,
  signedIn: SignedIn,
): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} – ${config.branding.name} admin</title>
        <link rel="stylesheet" href="/assets/pico.min.css" />
        <style>
          ${trusted(
            'header.container nav{margin-bottom:0}.muted{color:var(--pico-muted-color);font-size:.9em}td code,dd code{overflow-wrap:anywhere}.copy{display:flex;gap:.5rem;align-items:center}.copy input{margin:0}.copy button{width:auto;margin:0}.badge{font-size:.75em;padding:.1em .5em;border-radius:1em;background:var(--pico-secondary-background);color:var(--pico-secondary-inverse)}',
          )}
        </style>
        <script src="/assets/admin.js" defer></script>
      </head>
      <body>
        <header class="container">
          <nav aria-label="Admin">
            <ul>
              <li><strong>${config.branding.name} admin</strong></li>
            </ul>
            <ul>
              ${SECTIONS.map(
                ([id, label]) =>
                  html`<li>
                    <a href="/admin/${id}" ${id === section ? trusted('aria-current="page"') : ''}
                      >${label}</a
                    >
                  </li>`,
              )}
              <li><a href="/portal/security" class="secondary">${signedIn.user.username}</a></li>
            </ul>
          </nav>
        </header>
        <main class="container">${body}</main>
      </body>
    </html>`.value;
}

function copyField(id: string, label: string, value: string): SafeHtml {
  return html`<label for="${id}">${label}</label>
    <div class="copy">
      <input id="${id}" value="${value}" readonly />
      <button type="button" class="secondary outline" data-copy="${id}" aria-label="Copy ${label}">
        Copy
      </button>
    </div>`;
}

function parseRedirects(text: string): RedirectUri[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) =>
      line.startsWith('regex:')
        ? { url: line.slice(6).trim(), matching_mode: 'regex' as const }
        : { url: line, matching_mode: 'strict' as const },
    );
}

const one = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? value[0] : value)?.trim() ?? '';

export function registerAdmin(app: FastifyInstance, context: AdminContext): void {
  const { config, store } = context;
  const oidc = config.identity_providers.oidc;
  const sessions = new BrowserSessions(context.issuers.global.provider, store, oidc.hmac_secret);
  const users = new UserService(store, config.authentication_backend.password_hashing);
  const applications = new ApplicationService(
    store,
    config.authentication_backend.password_hashing,
    config.externalUrl,
  );
  const fileClients = new Map(
    oidc.clients.map((client) => [client.client_id, fromConfig(client, oidc.lifespans.custom)]),
  );
  const policies = ['one_factor', 'two_factor', ...Object.keys(oidc.authorization_policies), 'deny'];

  /** An administrator with a valid CSRF token on POST; otherwise the answer is already sent. */
  async function admin(request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | undefined> {
    const signedIn = await sessions.current(request, reply);
    if (!signedIn) {
      await reply.redirect(`/portal/login?return=${encodeURIComponent(request.url.split('?')[0]!)}`);
      return undefined;
    }
    if (!(await users.isAdmin(signedIn.user))) {
      await reply
        .status(403)
        .type('text/html')
        .send(
          html`<!doctype html>
            <html lang="en">
              <head>
                <meta charset="utf-8" />
                <title>Forbidden</title>
                <link rel="stylesheet" href="/assets/pico.min.css" />
              </head>
              <body>
                <main class="container">
                  <h1>Administrators only</h1>
                  <p>${signedIn.user.username} is not in an administrators group.</p>
                  <p><a href="/portal/security">Go to your account</a></p>
                </main>
              </body>
            </html>`.value,
        );
      return undefined;
    }
    if (request.method === 'POST' && !sessions.csrfMatches(signedIn, ((request.body ?? {}) as Form).csrf)) {
      await reply.status(403).type('text/html').send('The form was not sent from this site.');
      return undefined;
    }
    void reply.header('cache-control', 'no-store');
    return signedIn;
  }

  async function allProviders(): Promise<SesameClient[]> {
    const list = [...fileClients.values()];
    for (const client of await store.clients.list({ limit: 10_000 }))
      list.push(fromDatabase(client, (await store.applications.findByClientRef(client.id))?.slug));
    return list;
  }

  async function findProvider(clientId: string): Promise<SesameClient | undefined> {
    const configured = fileClients.get(clientId);
    if (configured) return configured;
    const client = await store.clients.findByClientId(clientId);
    return client && fromDatabase(client, (await store.applications.findByClientRef(client.id))?.slug);
  }

  app.get('/admin', async (_request, reply) => reply.redirect('/admin/applications'));

  // ---- Applications ----
  app.get('/admin/applications', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const list = await applications.list();
    return reply.type('text/html').send(
      page(
        config,
        'applications',
        'Applications',
        html`<hgroup>
            <h1>Applications</h1>
            <p>Each application has its own issuer, <code>/application/o/&lt;slug&gt;/</code>.</p>
          </hgroup>
          <p><a href="/admin/applications/new" role="button">Create</a></p>
          ${
            list.length === 0
              ? html`<p>No applications yet. Create a provider first, then an application that uses it.</p>`
              : html`<div class="overflow-auto">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Slug</th>
                        <th scope="col">Provider</th>
                        <th scope="col">Launch URL</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${list.map(
                        ({ application, client }) =>
                          html`<tr>
                            <td>${application.name}</td>
                            <td><code>${application.slug}</code></td>
                            <td>
                              ${
                                client
                                  ? html`<a href="/admin/providers/${client.clientId}">${client.name}</a>`
                                  : html`<span class="muted">none</span>`
                              }
                            </td>
                            <td>${application.launchUrl ?? ''}</td>
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

  async function applicationForm(reply: FastifyReply, signedIn: SignedIn, values: Form = {}, error?: string) {
    const free = await applications.unassignedProviders();
    return reply
      .status(error ? 400 : 200)
      .type('text/html')
      .send(
        page(
          config,
          'applications',
          'Create application',
          html`<h1>Create application</h1>
            ${error ? html`<p role="alert"><mark>${error}</mark></p>` : ''}
            <form method="post" action="/admin/applications">
              <input type="hidden" name="csrf" value="${signedIn.csrf}" />
              <label for="name">Name</label>
              <input id="name" name="name" required value="${one(values.name)}" />
              <label for="slug">Slug</label>
              <input
                id="slug"
                name="slug"
                pattern="[a-z0-9]+(-[a-z0-9]+)*"
                aria-describedby="slug-help"
                value="${one(values.slug)}"
              />
              <small id="slug-help"
                >Used in the issuer URL; lowercase letters, digits and dashes. Empty: made from the
                name.</small
              >
              <label for="provider">Provider</label>
              <select id="provider" name="provider" required>
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
              <button type="submit">Create</button>
            </form>`,
          signedIn,
        ),
      );
  }

  app.get('/admin/applications/new', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    return applicationForm(reply, signedIn);
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
        },
        `user:${signedIn.user.username}`,
      );
    } catch (error) {
      if (error instanceof SesameError) return applicationForm(reply, signedIn, form, error.message);
      throw error;
    }
    return reply.redirect('/admin/applications', 303);
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
        html`<hgroup>
            <h1>Providers</h1>
            <p>OAuth2/OpenID clients. Those defined in the configuration file are read-only here.</p>
          </hgroup>
          <p><a href="/admin/providers/new" role="button">Create</a></p>
          <div class="overflow-auto">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Client ID</th>
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
                      <td><code>${client.clientId}</code></td>
                      <td>${client.applicationSlug ?? html`<span class="muted">none</span>`}</td>
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

  async function providerForm(reply: FastifyReply, signedIn: SignedIn, values: Form = {}, error?: string) {
    const selected = (name: string, value: string, fallback: string) =>
      (one(values[name]) || fallback) === value ? trusted('selected') : '';
    return reply
      .status(error ? 400 : 200)
      .type('text/html')
      .send(
        page(
          config,
          'providers',
          'Create provider',
          html`<h1>Create provider</h1>
            ${error ? html`<p role="alert"><mark>${error}</mark></p>` : ''}
            <form method="post" action="/admin/providers">
              <input type="hidden" name="csrf" value="${signedIn.csrf}" />
              <fieldset>
                <legend>Type</legend>
                <label
                  ><input type="radio" name="type" value="oauth2" checked /> OAuth2/OpenID Provider</label
                >
              </fieldset>
              <label for="name">Name</label>
              <input id="name" name="name" required value="${one(values.name)}" />
              <label for="authentication_flow">Authentication flow</label>
              <select id="authentication_flow" name="authentication_flow">
                ${policies.map(
                  (policy) =>
                    html`<option value="${policy}" ${selected('authentication_flow', policy, 'one_factor')}>
                      ${
                        policy === 'one_factor'
                          ? 'Password (one factor)'
                          : policy === 'two_factor'
                            ? 'Password and a second factor'
                            : policy === 'deny'
                              ? 'Nobody (deny)'
                              : `Policy: ${policy}`
                      }
                    </option>`,
                )}
              </select>
              <label for="authorization_flow">Authorization flow</label>
              <select id="authorization_flow" name="authorization_flow">
                <option value="explicit" ${selected('authorization_flow', 'explicit', 'explicit')}>
                  Ask for consent (explicit)
                </option>
                <option value="implicit" ${selected('authorization_flow', 'implicit', 'explicit')}>
                  Do not ask (implicit consent)
                </option>
              </select>
              <label for="client_type">Client type</label>
              <select id="client_type" name="client_type">
                <option value="confidential" ${selected('client_type', 'confidential', 'confidential')}>
                  Confidential (has a secret)
                </option>
                <option value="public" ${selected('client_type', 'public', 'confidential')}>
                  Public (PKCE, no secret)
                </option>
              </select>
              <label for="redirect_uris">Redirect URIs</label>
              <textarea
                id="redirect_uris"
                name="redirect_uris"
                rows="3"
                required
                aria-describedby="redirect-help"
              >
${one(values.redirect_uris)}</textarea>
              <small id="redirect-help"
                >One per line, matched exactly. Start a line with <code>regex:</code> for a fully anchored
                regular expression.</small
              >
              <label for="signing_alg">Signing algorithm</label>
              <select id="signing_alg" name="signing_alg">
                ${SIGNING_ALGORITHMS.map(
                  (alg) =>
                    html`<option value="${alg}" ${selected('signing_alg', alg, 'RS256')}>${alg}</option>`,
                )}
              </select>
              <label for="subject_mode">Subject mode</label>
              <select id="subject_mode" name="subject_mode">
                ${['user_id', 'hashed_user_id', 'username', 'email', 'pairwise'].map(
                  (mode) =>
                    html`<option value="${mode}" ${selected('subject_mode', mode, 'user_id')}>
                      ${mode}
                    </option>`,
                )}
              </select>
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

  async function providerPage(
    reply: FastifyReply,
    signedIn: SignedIn,
    client: SesameClient,
    secret?: string,
  ) {
    const urls = client.applicationSlug
      ? applicationUrls(config.externalUrl, client.applicationSlug)
      : undefined;
    const issuer = urls?.issuer ?? globalIssuer(config.externalUrl);
    return reply.type('text/html').send(
      page(
        config,
        'providers',
        client.name,
        html`<hgroup>
            <h1>${client.name}</h1>
            <p>
              OAuth2/OpenID
              Provider${client.applicationSlug ? html` used by <strong>${client.applicationSlug}</strong>` : ''}
              ${client.source === 'config' ? html` <span class="badge">configuration file: read-only</span>` : ''}
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
          <section aria-label="Values for the application">
            ${copyField('client_id', 'Client ID', client.clientId)}
            ${
              secret
                ? copyField('client_secret', 'Client Secret', secret)
                : html`<p class="muted">
                    Client Secret:
                    ${client.public ? 'none (public client)' : 'stored only as a digest; regenerate it to see a new one.'}
                  </p>`
            }
            ${copyField('issuer', 'OpenID Configuration Issuer', issuer)}
            ${copyField('discovery', 'OpenID Configuration URL', urls?.discovery ?? `${issuer}/.well-known/openid-configuration`)}
          </section>
          ${
            client.source === 'database' && !client.public
              ? html`<form method="post" action="/admin/providers/${client.clientId}/secret">
                  <input type="hidden" name="csrf" value="${signedIn.csrf}" />
                  <button type="submit" class="secondary">Regenerate client secret</button>
                </form>`
              : ''
          }
          <h2>Settings</h2>
          <dl>
            <dt>Redirect URIs</dt>
            <dd>
              ${client.redirectUris.map(
                (uri) =>
                  html`<div><code>${uri.url}</code>${uri.matching_mode === 'regex' ? ' (regex)' : ''}</div>`,
              )}
            </dd>
            <dt>Scopes</dt>
            <dd>${client.scopes.join(' ')}</dd>
            <dt>Authentication</dt>
            <dd>${client.authorizationPolicy}</dd>
            <dt>Consent</dt>
            <dd>${client.consentMode}</dd>
            <dt>Signing algorithm</dt>
            <dd>${client.idTokenSignedResponseAlg}</dd>
            <dt>Subject mode</dt>
            <dd>${client.subjectMode}</dd>
            ${
              client.allowedGroups.length > 0
                ? html`<dt>Allowed groups</dt>
                    <dd>${client.allowedGroups.join(', ')}</dd>`
                : ''
            }
          </dl>`,
        signedIn,
      ),
    );
  }

  app.post('/admin/providers', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const form = (request.body ?? {}) as Form;
    const consent = one(form.authorization_flow) === 'implicit' ? 'implicit' : 'explicit';
    const policy = policies.includes(one(form.authentication_flow))
      ? one(form.authentication_flow)
      : 'one_factor';
    const alg = (SIGNING_ALGORITHMS as readonly string[]).includes(one(form.signing_alg))
      ? one(form.signing_alg)
      : 'RS256';
    try {
      const { client, clientSecret } = await applications.createProvider(
        {
          name: one(form.name),
          public: one(form.client_type) === 'public',
          redirectUris: parseRedirects(one(form.redirect_uris)),
          consentMode: consent,
          authorizationPolicy: policy,
          idTokenSignedResponseAlg: alg,
          subjectMode: one(form.subject_mode) || 'user_id',
        },
        `user:${signedIn.user.username}`,
      );
      return providerPage(reply.status(201), signedIn, fromDatabase(client), clientSecret);
    } catch (error) {
      if (error instanceof SesameError) return providerForm(reply, signedIn, form, error.message);
      throw error;
    }
  });

  app.get('/admin/providers/:clientId', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const client = await findProvider((request.params as { clientId: string }).clientId);
    if (!client)
      return reply
        .status(404)
        .type('text/html')
        .send(page(config, 'providers', 'Not found', html`<h1>No such provider</h1>`, signedIn));
    return providerPage(reply, signedIn, client);
  });

  app.post('/admin/providers/:clientId/secret', async (request, reply) => {
    const signedIn = await admin(request, reply);
    if (!signedIn) return reply;
    const clientId = (request.params as { clientId: string }).clientId;
    const client = await findProvider(clientId);
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
    return providerPage(reply, signedIn, (await findProvider(clientId))!, secret);
  });
}
