// Forward-auth's routes: the authorization endpoints reverse proxies ask (server.endpoints.authz),
// the sign-in entry Authelia's proxies send browsers to (`/?rd=…`), the hop that sets a domain's
// cookie on its own host, and sign-out (`/logout?rd=…`). Each is a thin step over the services.
import { recordAuthz } from '../lib/metrics.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SesameConfig } from '../config/load.ts';
import { ENDPOINTS } from '../config/urls.ts';
import { forwardedTrust } from '../http/proxies.ts';
import { queryOf } from '../http/forms.ts';
import type { BrowserSessions } from '../http/sessions.ts';
import { PORTAL_CLIENT_ID, PORTAL_LOGOUT_DONE } from '../oidc/portal-client.ts';
import type { AuthzEndpoint } from '../config/authz-endpoints-schema.ts';
import {
  HOP_PATH,
  type Arrival,
  type AuthzRequest,
  type ForwardAuthPortal,
  type ForwardAuthService,
} from '../services/forward-auth.ts';
import { errorPage } from './pages.ts';

export interface ForwardAuthContext {
  config: SesameConfig;
  service: ForwardAuthService;
  portal: ForwardAuthPortal;
  sessions: BrowserSessions;
}

/** Where an endpoint is served: `/api/authz/<name>`, the legacy one at `/api/verify`. */
export function authzPath(name: string): string {
  return name === 'legacy' ? '/api/verify' : `/api/authz/${name}`;
}

function registerAuthzEndpoint(
  app: FastifyInstance,
  context: ForwardAuthContext,
  name: string,
  endpoint: AuthzEndpoint,
) {
  const trust = forwardedTrust(context.config.server.trusted_proxies);
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const wildcard = (request.params as { '*'?: string })['*'];
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const input: AuthzRequest = {
      method: request.method,
      headers: request.headers,
      query: queryOf(request),
      cookies: request.cookies,
      extAuthzPath: wildcard === undefined ? undefined : `/${wildcard}${query}`,
      forwardedTrusted: trust.trusted(request),
      clientIp: trust.clientIp(request),
      requestId: request.id,
    };
    const answer = await context.service.check(endpoint, input);
    recordAuthz(answer.status);
    return reply
      .status(answer.status)
      .headers({ 'cache-control': 'no-store', ...answer.headers })
      .send(answer.body ?? '');
  };
  const path = authzPath(name);
  // The proxies that put the original path after the endpoint's (Envoy) get a wildcard route too.
  if (endpoint.implementation === 'ExtAuthz' || endpoint.implementation === 'Legacy') {
    app.all(path, handler);
    app.all(`${path}/*`, handler);
  } else app.route({ method: ['GET', 'HEAD'], url: path, handler });
}

/** Sets a domain's forward-auth cookie on the response. */
function setDomainCookie(reply: FastifyReply, arrival: Extract<Arrival, { kind: 'redirect' }>): void {
  if (!arrival.cookie) return;
  const { cookie, value, maxAge } = arrival.cookie;
  void reply.setCookie(cookie.name, value, {
    // (An IP address takes no Domain attribute: the cookie is then host-only.)
    domain: /^[\d.]+$|:/.test(cookie.domain) ? undefined : cookie.domain,
    path: '/',
    httpOnly: true,
    secure: true,
    sameSite: cookie.same_site,
    maxAge,
  });
}

function answerArrival(config: SesameConfig, reply: FastifyReply, arrival: Arrival): FastifyReply {
  switch (arrival.kind) {
    case 'redirect':
      setDomainCookie(reply, arrival);
      return reply.header('cache-control', 'no-store').redirect(arrival.location, 302);
    case 'sign-in': {
      const query = new URLSearchParams({ rd: arrival.rd });
      if (arrival.rm) query.set('rm', arrival.rm);
      if (arrival.secondFactor) query.set('level', 'two_factor');
      if (arrival.again) query.set('again', '1');
      return reply.redirect(`/portal/login?${query.toString()}`, 302);
    }
    case 'second-factor-missing':
      return reply.html(
        errorPage(
          config,
          'access_denied',
          'This app needs a second factor. Set one up in your account’s security page, then try again.',
        ),
        403,
      );
  }
}

/** The entry (`/?rd=…`): on another host than Sesame's own, first over to it (the login session lives there). */
function registerEntry(app: FastifyInstance, context: ForwardAuthContext): void {
  const external = new URL(context.config.externalUrl);
  const trust = forwardedTrust(context.config.server.trusted_proxies);
  app.get('/', async (request, reply) => {
    const query = queryOf(request);
    if (query.rd === undefined) return reply.redirect(ENDPOINTS.portal, 302);
    if (request.hostname.toLowerCase() !== external.hostname.toLowerCase()) {
      const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      return reply.redirect(new URL(`/${search}`, external).href, 302);
    }
    const signedIn = await context.sessions.current(request, reply);
    const arrival = await context.portal.arrive({
      rd: query.rd,
      rm: query.rm,
      host: request.hostname,
      stepped: query.stepped === '1',
      visitor: signedIn && { sessionUid: signedIn.sessionUid, amr: signedIn.amr, user: signedIn.user },
      clientIp: trust.clientIp(request),
    });
    return answerArrival(context.config, reply, arrival);
  });

  app.get(HOP_PATH, async (request, reply) => {
    const arrival = await context.portal.redeem(queryOf(request).token, request.hostname);
    if (!arrival)
      return reply.html(
        errorPage(context.config, 'invalid_request', 'This sign-in link was used already or has expired.'),
        400,
      );
    return answerArrival(context.config, reply, arrival);
  });
}

/** Sign-out as Authelia spells it: the one login session ends (every app's), then back to `rd`. */
function registerLogout(app: FastifyInstance, context: ForwardAuthContext): void {
  const base = context.config.externalUrl.replace(/\/+$/, '');
  app.get('/logout', (request, reply) => {
    const rd = context.portal.safeTarget(queryOf(request).rd);
    const query = new URLSearchParams({
      client_id: PORTAL_CLIENT_ID,
      post_logout_redirect_uri: `${base}${PORTAL_LOGOUT_DONE}`,
    });
    if (rd) query.set('state', rd.href);
    return reply.redirect(`${ENDPOINTS.global.end_session}?${query.toString()}`, 302);
  });
  app.get(PORTAL_LOGOUT_DONE, (request, reply) => {
    const cookie = context.portal.cookieOfHost(request.hostname);
    if (cookie)
      void reply.clearCookie(cookie.name, { domain: cookie.domain, path: '/', secure: true, httpOnly: true });
    const rd = context.portal.safeTarget(queryOf(request).state);
    return reply.redirect(rd?.href ?? ENDPOINTS.portal, 302);
  });
}

export function registerForwardAuth(app: FastifyInstance, context: ForwardAuthContext): void {
  for (const [name, endpoint] of Object.entries(context.config.server.endpoints.authz))
    registerAuthzEndpoint(app, context, name, endpoint);
  registerEntry(app, context);
  registerLogout(app, context);
}
