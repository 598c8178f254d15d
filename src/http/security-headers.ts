// Headers every answer carries, set on the raw response before anything else runs, so the pages,
// the JSON answers, redirects and oidc-provider's own answers all have them.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

// Scripts and styles come only from Sesame's own files (no inline code). Images may come from
// anywhere: the branding logo and the applications' icons are URLs the operator chose.
// form-action starts at 'self'; a page whose forms (or the redirects that follow them) lead back to
// an application adds that application's redirect URI (see allowFormTarget).
const POLICY: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ['*', 'data:'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
};

const serialise = (policy: Record<string, string[]>) =>
  Object.entries(policy)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');

export const CONTENT_SECURITY_POLICY = serialise(POLICY);

/** Authelia's placeholder in `server.headers.csp_template`. */
export const NONCE_PLACEHOLDER = '${NONCE}';

/**
 * The Content-Security-Policy of one answer: Sesame's own, or the operator's template with each
 * `${NONCE}` replaced by a fresh nonce (Sesame's pages carry no inline code, so none needs it).
 */
export function contentSecurityPolicy(template?: string): string {
  if (template === undefined) return CONTENT_SECURITY_POLICY;
  if (!template.includes(NONCE_PLACEHOLDER)) return template;
  return template.replaceAll(NONCE_PLACEHOLDER, randomBytes(18).toString('base64url'));
}

export function setSecurityHeaders(res: ServerResponse, cspTemplate?: string): void {
  res.setHeader('content-security-policy', contentSecurityPolicy(cspTemplate));
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
}

/**
 * Lets this answer's forms reach `uri`: browsers hold form submissions — and the redirects after
 * them, such as the login form's way back to the application — to form-action. Only for a redirect
 * URI the protocol layer has already checked against the client.
 */
export function allowFormTarget(res: ServerResponse, uri: unknown): void {
  if (typeof uri !== 'string' || !URL.canParse(uri)) return;
  // (Clients are web applications: their redirect URIs are http(s) URLs, which have an origin.)
  const source = new URL(uri).origin;
  if (source !== 'null') allowFormSources(res, [source]);
}

/**
 * Lets the portal's sign-in forms end on a forward-auth cookie domain (the `rd` a proxy sent the
 * browser with): the domain and its subdomains, on any port, over https. The domains are the
 * operator's, and `rd` is checked against them before any redirect.
 */
export function allowCookieDomains(res: ServerResponse, domains: readonly string[]): void {
  allowFormSources(
    res,
    domains.flatMap((domain) => [`https://${domain}:*`, `https://*.${domain}:*`]),
  );
}

function allowFormSources(res: ServerResponse, sources: string[]): void {
  if (res.headersSent || sources.length === 0) return;
  const current = res.getHeader('content-security-policy');
  if (typeof current !== 'string') return;
  res.setHeader(
    'content-security-policy',
    current
      .split(';')
      .map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        if (name !== 'form-action') return directive.trim();
        return [name, ...values, ...sources.filter((source) => !values.includes(source))].join(' ');
      })
      .join('; '),
  );
}
