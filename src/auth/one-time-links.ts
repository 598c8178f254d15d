// Single-use links sent by e-mail (password reset, address verification, invitations): a signed,
// expiring token (a JWT, as Authelia's reset links are) whose id is recorded when it is issued and
// consumed when it is used. Of any number of parallel redemptions exactly one wins, on any node:
// the database decides (ArtifactRepository.consume). A link can be revoked by deleting its record.
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { SesameConfig } from '../config/load.ts';
import { deriveKey } from '../crypto/derive.ts';
import { randomToken } from '../crypto/random.ts';
import type { Store } from '../store/index.ts';

/** The artifact model recording issued links. */
const MODEL = 'IdentityVerification';

/** 'welcome': signs a person in once, right after sign-up created their account. */
export type LinkPurpose = 'reset-password' | 'verify-email' | 'invitation' | 'sign-up' | 'welcome';

/** What a valid link carries. */
export interface LinkClaims {
  purpose: LinkPurpose;
  /** Whom the link is for: a user id (reset, verification) or an invitation id. */
  subject: string;
  /** Purpose-specific values (the address to verify …). Never a secret: links travel by mail. */
  data: Record<string, string>;
  expiresAt: Date;
  /** When the link was issued (to the second). */
  issuedAt: Date;
  /** The link's id (its record). */
  id: string;
}

export interface LinkSettings {
  secret: Uint8Array;
  algorithm: 'HS256' | 'HS384' | 'HS512';
}

/** identity_validation.reset_password's key and algorithm (the legacy `jwt_secret`, else derived). */
export function linkSettingsOf(config: SesameConfig): LinkSettings {
  const reset = config.identity_validation.reset_password;
  const configured = reset.jwt_secret ?? config.jwt_secret;
  const secret = configured
    ? new TextEncoder().encode(configured)
    : deriveKey(config.identity_providers.oidc.hmac_secret, 'identityLinks');
  return { secret, algorithm: reset.jwt_algorithm };
}

/** The installation's links: signed per identity_validation.reset_password, issued by its external URL. */
export function oneTimeLinksOf(config: SesameConfig, store: Store): OneTimeLinks {
  return new OneTimeLinks(store, linkSettingsOf(config), config.externalUrl);
}

/** The address a mail gives for `path` with a link's token. */
export function linkUrl(config: Pick<SesameConfig, 'externalUrl'>, path: string, token: string): string {
  return `${config.externalUrl.replace(/\/+$/, '')}${path}?token=${encodeURIComponent(token)}`;
}

export class OneTimeLinks {
  private readonly store: Store;
  private readonly settings: LinkSettings;
  private readonly issuer: string;
  constructor(store: Store, settings: LinkSettings, issuer: string) {
    this.store = store;
    this.settings = settings;
    this.issuer = issuer;
  }

  /** A token for `subject` that works once, for `lifespan` seconds. */
  async issue(
    purpose: LinkPurpose,
    subject: string,
    lifespan: number,
    data: Record<string, string> = {},
  ): Promise<{ token: string; id: string; expiresAt: Date }> {
    const id = randomToken(18);
    const expiresAt = new Date(Date.now() + lifespan * 1000);
    await this.store.artifacts.upsert({
      model: MODEL,
      id,
      payload: { purpose, subject, data },
      expiresAt,
    });
    const token = await new SignJWT({ purpose, data })
      .setProtectedHeader({ alg: this.settings.algorithm, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(purpose)
      .setSubject(subject)
      .setJti(id)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.settings.secret);
    return { token, id, expiresAt };
  }

  /** The link's claims while it is valid, unused and not revoked; nothing is consumed. */
  async peek(token: string, purpose: LinkPurpose): Promise<LinkClaims | undefined> {
    const claims = await this.verify(token, purpose);
    if (!claims) return undefined;
    const record = await this.store.artifacts.find(MODEL, claims.id);
    return record && !record.consumedAt ? claims : undefined;
  }

  /** Uses the link: its claims for exactly one caller, undefined for every other (and when invalid). */
  async redeem(token: string, purpose: LinkPurpose): Promise<LinkClaims | undefined> {
    const claims = await this.peek(token, purpose);
    if (!claims) return undefined;
    return (await this.store.artifacts.consume(MODEL, claims.id)) ? claims : undefined;
  }

  /** Revokes an unused link by its id. */
  async revoke(id: string): Promise<void> {
    await this.store.artifacts.destroy(MODEL, id);
  }

  private async verify(token: string, purpose: LinkPurpose): Promise<LinkClaims | undefined> {
    if (token.length > 4096) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.settings.secret, {
        algorithms: [this.settings.algorithm],
        issuer: this.issuer,
        audience: purpose,
        requiredClaims: ['jti', 'sub', 'exp', 'iat'],
      });
      const data = (payload.data ?? {}) as Record<string, string>;
      return {
        purpose,
        subject: payload.sub!,
        data,
        expiresAt: new Date(payload.exp! * 1000),
        issuedAt: new Date(payload.iat! * 1000),
        id: payload.jti!,
      };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return undefined;
      throw error;
    }
  }
}
