// The user portal signs people in the way any app does: as an OpenID Connect client of the global
// issuer. It is built in, not configured, and every node derives the same one from the config.
import type { SesameConfig } from '../config/load.ts';
import { ENDPOINTS } from '../config/urls.ts';
import type { SesameClient } from './clients.ts';

export const PORTAL_CLIENT_ID = 'sesame-portal';
/** Where sign-out (`/logout?rd=…`) comes back to before following `rd`. */
export const PORTAL_LOGOUT_DONE = '/logout/done';

export function portalClient(config: SesameConfig): SesameClient {
  const base = config.externalUrl.replace(/\/+$/, '');
  return {
    clientId: PORTAL_CLIENT_ID,
    name: `${config.branding.name} account`,
    public: true,
    redirectUris: [{ url: `${base}${ENDPOINTS.portalCallback}`, matching_mode: 'strict' }],
    postLogoutRedirectUris: [{ url: `${base}${PORTAL_LOGOUT_DONE}`, matching_mode: 'strict' }],
    scopes: ['openid'],
    grantTypes: ['authorization_code'],
    responseTypes: ['code'],
    tokenEndpointAuthMethod: 'none',
    idTokenSignedResponseAlg: 'RS256',
    userinfoSignedResponseAlg: 'none',
    accessTokenSignedResponseAlg: 'none',
    requirePkce: true,
    consentMode: 'implicit',
    authorizationPolicy: 'one_factor',
    allowedGroups: [],
    subjectMode: 'user_id',
    lifespans: {},
    audience: [],
    requestedAudienceMode: 'explicit',
    source: 'config',
  };
}
