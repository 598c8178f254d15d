// What every step of a sign-in interaction shares: reading the live interaction (or answering that
// it expired), the posted form with its CSRF check, the client's name and settings, and finishing.
import { settingsOf, type SesameClientSettings } from '../../oidc/clients.ts';
import { PORTAL_CLIENT_ID } from '../../oidc/portal-client.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { SesameConfig } from '../../config/load.ts';
import { ENDPOINTS } from '../../config/urls.ts';
import type { Factors } from '../../factors/index.ts';
import type { CsrfTokens } from '../../http/csrf.ts';
import { formOf } from '../../http/forms.ts';
import { allowCookieDomains, allowFormTarget } from '../../http/security-headers.ts';
import { DEVICE_SECONDS, type KnownDevices } from '../../services/devices.ts';
import type { AttemptSource, Login, SignInService } from '../../services/sign-in.ts';
import { errorPage, forgedFormPage } from '../pages.ts';

export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** The fields of an interaction's form: the app-wide check has made sure each is one text. */
export type InteractionForm = Record<string, string | undefined>;

/** The client's own settings, as the engine carries them (see oidc/clients.ts). */
export type ClientSettings = Partial<SesameClientSettings>;

export interface InteractionKit {
  config: SesameConfig;
  provider: Provider;
  signIn: SignInService;
  factors: Factors;
  /** The live interaction of this request; otherwise the "expired" page has been sent. */
  details(request: FastifyRequest, reply: FastifyReply): Promise<Interaction | undefined>;
  /** A posted form for a live interaction, with a valid CSRF token; otherwise the error is sent. */
  submission(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ interaction: Interaction; form: InteractionForm } | undefined>;
  /** The token of the interaction's forms: the same on every rendering of its pages. */
  csrfFor(interaction: Interaction): string;
  clientOf(clientId: unknown): Promise<{ name: string; settings: ClientSettings }>;
  /** Hands the result to oidc-provider, which redirects onward. */
  finish(
    request: FastifyRequest,
    reply: FastifyReply,
    result: InteractionResults,
    merge?: boolean,
  ): Promise<FastifyReply>;
  /** Finishes the login step; the client's policy may still ask for a second factor (see oidc/interaction-policy.ts). */
  finishLogin(request: FastifyRequest, reply: FastifyReply, login: Login): Promise<FastifyReply>;
  /** The login page offers "Remember me" (a forward-auth cookie domain allows remembered sessions). */
  rememberOffered: boolean;
}

export function interactionKit(input: {
  config: SesameConfig;
  provider: Provider;
  signIn: SignInService;
  factors: Factors;
  csrf: CsrfTokens;
  /** Mails a user at a sign-in from a new browser (notifier.new_device_sign_in). */
  devices?: KnownDevices;
}): InteractionKit {
  const { config, provider, csrf } = input;
  const cookieDomains = (config.session?.cookies ?? []).map((cookie) => cookie.domain);
  const details = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const interaction = await provider.interactionDetails(request.raw, reply.raw);
      // The page's forms (and the redirects after them) end at the client's checked redirect URI.
      allowFormTarget(reply.raw, interaction.params.redirect_uri);
      if (interaction.params.client_id === PORTAL_CLIENT_ID) allowCookieDomains(reply.raw, cookieDomains);
      return interaction;
    } catch {
      const text = 'This sign-in page has expired. Go back to the application and start again.';
      await reply.html(errorPage(config, 'expired', text), 400);
      return undefined;
    }
  };
  const finish: InteractionKit['finish'] = async (request, reply, result, merge = false) => {
    reply.hijack();
    await provider.interactionFinished(request.raw, reply.raw, result, { mergeWithLastSubmission: merge });
    return reply;
  };
  return {
    ...input,
    details,
    async submission(request, reply) {
      const interaction = await details(request, reply);
      if (!interaction) return undefined;
      const form = formOf(request) as InteractionForm;
      if (!csrf.valid(interaction.uid, form.csrf)) {
        await reply.html(forgedFormPage(config), 403);
        return undefined;
      }
      return { interaction, form };
    },
    csrfFor: (interaction) => csrf.issue(interaction.uid, { expiresAt: interaction.exp, stable: true }),
    async clientOf(clientId) {
      const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
      return {
        name: client?.clientName ?? (typeof clientId === 'string' ? clientId : 'the application'),
        settings: settingsOf(client),
      };
    },
    finish,
    finishLogin: async (request, reply, login) => {
      const remember = login.remember ?? (await rememberedNow(provider, request, reply));
      if (input.devices) await rememberDevice(input.devices, request, reply, login.accountId);
      return finish(request, reply, { login: { ...login, remember } });
    },
    rememberOffered: (config.session?.cookies ?? []).some((cookie) => cookie.remember_me > 0),
  };
}

const DEVICE_COOKIE = 'sesame_device';

/** Records the browser's device id for the account, in a cookie the engine's own cookies join. */
async function rememberDevice(
  devices: KnownDevices,
  request: FastifyRequest,
  reply: FastifyReply,
  accountId: string,
) {
  const id = await devices.signedIn(accountId, request.cookies[DEVICE_COOKIE], request.ip);
  // (The engine writes the response itself: the cookie goes straight onto it.)
  reply.raw.appendHeader(
    'set-cookie',
    request.server.serializeCookie(DEVICE_COOKIE, id, {
      path: '/',
      maxAge: DEVICE_SECONDS,
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
    }),
  );
}

/**
 * Whether the login session this interaction continues is a remembered one (oidc-provider marks the
 * others `transient`); a new login is, unless the login page said otherwise.
 */
async function rememberedNow(provider: Provider, request: FastifyRequest, reply: FastifyReply) {
  const ctx = provider.createContext(request.raw, reply.raw);
  const session = await provider.Session.get(ctx);
  return !(session as { transient?: boolean }).transient;
}

/** A step's posted form, checked, with its request and reply. */
export interface Submitted {
  request: FastifyRequest;
  reply: FastifyReply;
  interaction: Interaction;
  form: InteractionForm;
}

/** A form post of an interaction's page: `handler` runs for a live interaction and a valid CSRF token. */
export function onSubmit(
  app: FastifyInstance,
  kit: InteractionKit,
  path: string,
  handler: (submitted: Submitted) => Promise<unknown>,
): void {
  app.post(path, async (request, reply) => {
    const submitted = await kit.submission(request, reply);
    if (!submitted) return reply;
    return handler({ request, reply, ...submitted });
  });
}

/** The path of an interaction's page (`/interaction/<uid>`) or of one of its steps' forms. */
export function stepPath(uid: string, step?: string): string {
  return `${ENDPOINTS.interaction}/${uid}${step ? `/${step}` : ''}`;
}

/** The route of a step's form (`/interaction/:uid/<step>`), or of the page itself. */
export const stepRoute = (step?: string): string => stepPath(':uid', step);

/** Why oidc-provider stopped at this interaction (its own reasons and Sesame's policy checks). */
export function reasons(interaction: Interaction): string[] {
  return interaction.prompt.reasons ?? [];
}

/** The request's origin, for the regulator and the audit log. */
export function sourceOf(request: FastifyRequest, interaction: Interaction): AttemptSource {
  return { clientId: interaction.params.client_id, clientIp: request.ip, requestId: request.id };
}

export function parseJson(value: string | undefined): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
