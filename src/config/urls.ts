// The URLs an app is configured with. Both URL worlds point at the same server:
// the global issuer (Authelia style) and one issuer per application (Authentik style, trailing slash).

export interface ApplicationUrls {
  issuer: string;
  discovery: string;
  authorize: string;
  token: string;
  userinfo: string;
  endSession: string;
  jwks: string;
}

export function globalIssuer(externalUrl: string): string {
  return externalUrl.replace(/\/+$/, '');
}

export function applicationUrls(externalUrl: string, slug: string): ApplicationUrls {
  const base = `${globalIssuer(externalUrl)}/application/o`;
  return {
    issuer: `${base}/${slug}/`,
    discovery: `${base}/${slug}/.well-known/openid-configuration`,
    authorize: `${base}/authorize/`,
    token: `${base}/token/`,
    userinfo: `${base}/userinfo/`,
    endSession: `${base}/${slug}/end-session/`,
    jwks: `${base}/${slug}/jwks/`,
  };
}
