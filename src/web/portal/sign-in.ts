// Signing in to the portal is an ordinary authorization request of the built-in portal client: the
// login page, second factors and policies are the ones every app gets. The state travels in a signed
// cookie; the code itself is never redeemed (the login session is what the portal needs).
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { SesameConfig } from '../../config/load.ts';
import { ENDPOINTS } from '../../config/urls.ts';
import { constantTimeEqual } from '../../crypto/compare.ts';
import { queryOf } from '../../http/forms.ts';
import { ACR } from '../../auth/policy.ts';
import { PORTAL_CLIENT_ID } from '../../oidc/portal-client.ts';
import { errorPage } from '../pages.ts';

const STATE_COOKIE = 'sesame_portal_login';
/** How long a sign-in may take before its state is forgotten. */
const STATE_SECONDS = 600;

interface SavedState {
  state: string;
  target: string;
}

/** Where to go after signing in: only a path of the portal or the admin UI. */
function safeReturn(value: unknown): string {
  return typeof value === 'string' && /^\/(portal|admin)(\/[A-Za-z0-9/_.~-]*)?$/.test(value)
    ? value
    : '/portal';
}

/**
 * A sign-in for a forward-auth app comes back to the entry (`/?rd=…`), which checks `rd` again and
 * sets the domain's cookie; `stepped` tells it a step-up was already asked for.
 */
function forwardAuthReturn(query: Record<string, unknown>): string | undefined {
  if (typeof query.rd !== 'string' || !query.rd) return undefined;
  const back = new URLSearchParams({ rd: query.rd, stepped: '1' });
  if (typeof query.rm === 'string' && query.rm) back.set('rm', query.rm);
  return `/?${back.toString()}`;
}

/** The callback goes to a target this module chose (signed state): a portal path or the entry. */
function returnOf(target: string): string {
  return target.startsWith('/?') ? target : safeReturn(target);
}

/** `again`: sign in anew even with a login session (it was idle longer than forward-auth allows). */
function authorizationUrl(base: string, state: string, secondFactor: boolean, again = false): string {
  const url = new URL(`${base}${ENDPOINTS.global.authorization}`);
  url.search = new URLSearchParams({
    client_id: PORTAL_CLIENT_ID,
    redirect_uri: `${base}${ENDPOINTS.portalCallback}`,
    response_type: 'code',
    scope: 'openid',
    state,
    code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
    code_challenge_method: 'S256',
    // A two_factor resource asks for the second factor (step-up keeps the same login).
    ...(secondFactor ? { acr_values: ACR.twoFactor } : {}),
    ...(again ? { prompt: 'login' } : {}),
  }).toString();
  return url.href;
}

function readState(
  raw: string | undefined,
  unsign: (value: string) => { valid: boolean; value: string | null },
) {
  const opened = raw ? unsign(raw) : undefined;
  if (!opened?.valid || !opened.value) return undefined;
  try {
    return JSON.parse(Buffer.from(opened.value, 'base64url').toString()) as SavedState;
  } catch {
    return undefined;
  }
}

export function registerPortalSignIn(app: FastifyInstance, config: SesameConfig): void {
  const base = config.externalUrl.replace(/\/+$/, '');
  const cookie = {
    path: '/portal',
    httpOnly: true,
    sameSite: 'lax',
    secure: base.startsWith('https:'),
  } as const;

  app.get('/portal/login', async (request, reply) => {
    const query = queryOf(request);
    const saved: SavedState = {
      state: randomBytes(16).toString('base64url'),
      target: forwardAuthReturn(query) ?? safeReturn(query.return),
    };
    const value = Buffer.from(JSON.stringify(saved)).toString('base64url');
    void reply.setCookie(STATE_COOKIE, value, { ...cookie, signed: true, maxAge: STATE_SECONDS });
    return reply.redirect(
      authorizationUrl(base, saved.state, query.level === 'two_factor', query.again === '1'),
    );
  });

  // The login session now exists; the code itself is not needed (it expires unused).
  app.get(ENDPOINTS.portalCallback, async (request, reply) => {
    const query = queryOf(request);
    const saved = readState(request.cookies[STATE_COOKIE], (value) => request.unsignCookie(value));
    if (!saved || typeof query.state !== 'string' || !constantTimeEqual(saved.state, query.state))
      return reply.html(
        errorPage(config, 'invalid_request', 'The sign-in could not be matched to this browser. Try again.'),
        400,
      );
    void reply.clearCookie(STATE_COOKIE, cookie);
    if (query.error) return reply.html(errorPage(config, query.error, query.error_description), 403);
    return reply.redirect(returnOf(saved.target));
  });
}
