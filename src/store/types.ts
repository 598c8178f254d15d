// What the store keeps, as the rest of Sesame sees it (camelCase, Dates, parsed JSON).
import type { ClientCore } from '../config/client-model.ts';

/**
 * Where a record comes from: made in Sesame, or loaded from a file the operator owns, or from the
 * LDAP directory (the last two read-only).
 */
export type RecordSource = 'local' | 'file' | 'config' | 'ldap';

/** The further standard claims (OpenID Connect Core 5.1) a user record may hold. */
export interface ProfileClaims {
  middle_name?: string;
  nickname?: string;
  profile?: string;
  website?: string;
  gender?: string;
  birthdate?: string;
  zoneinfo?: string;
  locale?: string;
  phone_number?: string;
  address?: {
    formatted?: string;
    street_address?: string;
    locality?: string;
    region?: string;
    postal_code?: string;
    country?: string;
  };
}

export interface User {
  id: string;
  username: string;
  email?: string;
  emailVerified: boolean;
  displayName?: string;
  givenName?: string;
  familyName?: string;
  picture?: string;
  claims: ProfileClaims;
  disabled: boolean;
  source: RecordSource;
  groups: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  username: string;
  email?: string;
  emailVerified?: boolean;
  displayName?: string;
  givenName?: string;
  familyName?: string;
  picture?: string;
  claims?: ProfileClaims;
  disabled?: boolean;
  source?: RecordSource;
  groups?: string[];
}

export type UserPatch = Partial<Omit<NewUser, 'username' | 'source'>>;

export interface Group {
  id: string;
  name: string;
  isAdmin: boolean;
  source: RecordSource;
  createdAt: Date;
}

export type { ClientLifespans, RedirectUri } from '../config/client-model.ts';

/** An OAuth 2.0 / OpenID Connect client (Authentik calls it a provider), as the store keeps it. */
export interface OAuthClient extends ClientCore {
  id: string;
  secretDigest?: string;
  /** As chosen (`auto` included); the engine resolves it (resolveConsentMode). */
  consentMode: string;
  preConfiguredConsentDuration?: number;
  /** Further client metadata (response modes, jwks_uri …, see StoredClientSettings) kept as given. */
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type NewOAuthClient = Omit<OAuthClient, 'id' | 'createdAt' | 'updatedAt'>;
export type OAuthClientPatch = Partial<Omit<NewOAuthClient, 'clientId'>>;

export interface Application {
  id: string;
  slug: string;
  name: string;
  /** The store id (not the OAuth client_id) of the client this application uses. */
  clientRef?: string;
  launchUrl?: string;
  icon?: string;
  description?: string;
  /** The catalogue entry (src/apps/presets.yml) it was made from, if any: its guide is shown later. */
  preset?: string;
  createdAt: Date;
  updatedAt: Date;
}

export type NewApplication = Omit<Application, 'id' | 'createdAt' | 'updatedAt'>;
export type ApplicationPatch = Partial<Omit<NewApplication, 'slug'>>;

export type SigningKeyStatus = 'active' | 'next' | 'retired';

export interface SigningKey {
  kid: string;
  algorithm: string;
  use: string;
  /** The private JWK as JSON, already decrypted. */
  privateJwk: string;
  publicJwk: string;
  status: SigningKeyStatus;
  createdAt: Date;
  retiredAt?: Date;
}

/** A short-lived protocol record (session, code, token, grant …) with its expiry. */
export interface Artifact {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  grantId?: string;
  uid?: string;
  userCode?: string;
  expiresAt?: Date;
  consumedAt?: Date;
}

export interface AuditEvent {
  id: number;
  occurredAt: Date;
  type: string;
  actor?: string;
  subject?: string;
  clientIp?: string;
  requestId?: string;
  details: Record<string, unknown>;
}

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'occurredAt'> & { occurredAt?: Date };

export interface Page {
  limit?: number;
  offset?: number;
}

export interface ApiToken {
  id: string;
  name: string;
  scopes: string[];
  createdBy?: string;
  createdAt: Date;
  expiresAt?: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

export type NewApiToken = Omit<ApiToken, 'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt'> & {
  tokenHash: string;
};

export interface Invitation {
  id: string;
  email: string;
  /** The username the invitee gets; unset: they choose one. */
  username?: string;
  groups: string[];
  /** Sent by mail to `email` (which then counts as verified); false for a link an administrator copied. */
  mailed: boolean;
  createdBy?: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt?: Date;
  usedByUserId?: string;
  revokedAt?: Date;
  /** The id of the invitation's one-time link. */
  linkId?: string;
}

export type NewInvitation = Omit<Invitation, 'createdAt' | 'usedAt' | 'usedByUserId' | 'revokedAt'>;
