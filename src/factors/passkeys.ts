// Passkeys and security keys (WebAuthn) through @simplewebauthn/server. Challenges are stored as
// single-use records with an expiry, so any node can verify and none can be replayed. Registration
// asks what `webauthn.selection_criteria` and `attestation_conveyance_preference` say, and refuses
// what `webauthn.filtering` prohibits.
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type * as WebAuthn from '@simplewebauthn/server';
import type { SesameConfig } from '../config/load.ts';
import { InvalidInputError } from '../lib/errors.ts';
import type { Store, User, WebauthnCredential } from '../store/index.ts';
import type { AlsoInTransaction } from './index.ts';

// Loaded on first use: the library takes ~150 ms and ~25 MiB, and many installations never see a passkey.
let library: Promise<typeof WebAuthn> | undefined;
const webauthn = () => (library ??= import('@simplewebauthn/server'));

const CHALLENGE_MODEL = 'WebAuthnChallenge';
type Purpose = 'register' | 'second-factor' | 'passwordless';

interface ChallengeRecord {
  purpose: Purpose;
  userId?: string;
}

/** A registration refused by `webauthn.filtering`: the message says which rule. */
export class ProhibitedAuthenticatorError extends InvalidInputError {
  /** `model`: its AAGUID is not permitted; `backup`: it can be backed up or synced. */
  readonly reason: 'model' | 'backup';
  constructor(reason: 'model' | 'backup', description: string) {
    super(description, 'response');
    this.name = 'ProhibitedAuthenticatorError';
    this.reason = reason;
  }
}

export interface PasskeyLogin {
  credential: WebauthnCredential;
  userVerified: boolean;
}

export class PasskeyService {
  private readonly store: Store;
  private readonly rpId: string;
  private readonly origin: string;
  private readonly rpName: string;
  private readonly timeoutMs: number;
  private readonly settings: SesameConfig['webauthn'];
  private readonly now: () => number;
  constructor(store: Store, config: SesameConfig, now: () => number = Date.now) {
    const external = new URL(config.externalUrl);
    this.store = store;
    this.rpId = external.hostname;
    this.origin = external.origin;
    this.rpName = config.webauthn.display_name ?? config.branding.name;
    this.timeoutMs = config.webauthn.timeout * 1000;
    this.settings = config.webauthn;
    this.now = now;
  }

  get enabled(): boolean {
    return !this.settings.disable;
  }

  get passwordlessEnabled(): boolean {
    return this.enabled && this.settings.enable_passkey_login;
  }

  /** A passkey login (with user verification) stands for two factors, not one. */
  get passkeyLoginIsTwoFactor(): boolean {
    return this.settings.experimental_enable_passkey_uv_two_factors;
  }

  private get userVerification() {
    return this.settings.selection_criteria.user_verification;
  }

  private async remember(challenge: string, record: ChallengeRecord): Promise<void> {
    await this.store.artifacts.upsert({
      model: CHALLENGE_MODEL,
      id: challenge,
      payload: { ...record },
      expiresAt: new Date(this.now() + this.timeoutMs + 30_000),
    });
  }

  /** Accepts a challenge once, for the purpose (and user) it was issued for. */
  private expect(purpose: Purpose, userId?: string) {
    return async (challenge: string): Promise<boolean> => {
      const stored = await this.store.artifacts.find(CHALLENGE_MODEL, challenge, new Date(this.now()));
      const record = stored?.payload as ChallengeRecord | undefined;
      if (!record || record.purpose !== purpose || (userId !== undefined && record.userId !== userId))
        return false;
      return this.store.artifacts.consume(CHALLENGE_MODEL, challenge, new Date(this.now()));
    };
  }

  list(userId: string): Promise<WebauthnCredential[]> {
    return this.store.webauthn.listForUser(userId);
  }

  async registrationOptions(user: User): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.list(user.id);
    const preference = this.settings.attestation_conveyance_preference;
    const { attachment, discoverability } = this.settings.selection_criteria;
    const options = await (
      await webauthn()
    ).generateRegistrationOptions({
      rpName: this.rpName,
      rpID: this.rpId,
      userName: user.username,
      userDisplayName: user.displayName ?? user.username,
      userID: new TextEncoder().encode(user.id),
      timeout: this.timeoutMs,
      attestationType: preference === 'none' ? 'none' : 'direct',
      excludeCredentials: existing.map((credential) => ({
        id: credential.id,
        transports: credential.transports,
      })),
      authenticatorSelection: {
        residentKey: discoverability,
        userVerification: this.userVerification,
        ...(attachment ? { authenticatorAttachment: attachment } : {}),
      },
    });
    // The library has no `indirect`; the preference is a hint to the browser, any attestation given is verified.
    options.attestation = preference;
    await this.remember(options.challenge, { purpose: 'register', userId: user.id });
    return options;
  }

  /** What `webauthn.filtering` says against this authenticator, if anything. */
  private filteringProblem(
    aaguid: string,
    backupEligible: boolean,
  ): ProhibitedAuthenticatorError | undefined {
    const { permitted_aaguids: permitted, prohibited_aaguids: prohibited } = this.settings.filtering;
    const model = aaguid.toLowerCase();
    if (permitted.length > 0 && !permitted.includes(model))
      return new ProhibitedAuthenticatorError('model', `authenticator model ${model} is not permitted`);
    if (prohibited.includes(model))
      return new ProhibitedAuthenticatorError('model', `authenticator model ${model} is prohibited`);
    if (backupEligible && this.settings.filtering.prohibit_backup_eligibility)
      return new ProhibitedAuthenticatorError(
        'backup',
        'credentials that can be backed up or synced are prohibited',
      );
    return undefined;
  }

  async register(
    user: User,
    name: string,
    response: RegistrationResponseJSON,
    also?: AlsoInTransaction<WebauthnCredential>,
  ): Promise<WebauthnCredential | undefined> {
    const verification = await (
      await webauthn()
    )
      .verifyRegistrationResponse({
        response,
        expectedChallenge: this.expect('register', user.id),
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        requireUserVerification: this.userVerification === 'required',
      })
      .catch(() => undefined);
    if (!verification?.verified) return undefined;
    const { credential, credentialDeviceType, credentialBackedUp, aaguid } = verification.registrationInfo;
    // A multi-device credential is one whose authenticator set the backup-eligible flag.
    const problem = this.filteringProblem(aaguid, credentialDeviceType === 'multiDevice');
    if (problem) throw problem;
    return this.store.transaction(async (tx) => {
      await tx.webauthn.add({
        id: credential.id,
        userId: user.id,
        name: name.trim().slice(0, 60) || 'Passkey',
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: credential.transports ?? response.response.transports ?? [],
        deviceType: credentialDeviceType,
        backedUp: credentialBackedUp,
      });
      const added = await tx.webauthn.get(credential.id);
      if (added) await also?.(tx, added);
      return added;
    });
  }

  /** Options for a second factor (this user's keys) or a passwordless login (any discoverable key). */
  async authenticationOptions(userId?: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const credentials = userId ? await this.list(userId) : [];
    const options = await (
      await webauthn()
    ).generateAuthenticationOptions({
      rpID: this.rpId,
      timeout: this.timeoutMs,
      allowCredentials: credentials.map((credential) => ({
        id: credential.id,
        transports: credential.transports,
      })),
      userVerification: userId ? this.userVerification : 'required',
    });
    await this.remember(
      options.challenge,
      userId ? { purpose: 'second-factor', userId } : { purpose: 'passwordless' },
    );
    return options;
  }

  /**
   * Verifies an assertion. With a user id it must be one of that user's keys (second factor);
   * without, the key names the user (passwordless) and user verification is required.
   */
  async authenticate(
    response: AuthenticationResponseJSON,
    userId?: string,
  ): Promise<PasskeyLogin | undefined> {
    const credential =
      typeof response?.id === 'string' ? await this.store.webauthn.get(response.id) : undefined;
    if (!credential || (userId !== undefined && credential.userId !== userId)) return undefined;
    const verification = await (
      await webauthn()
    )
      .verifyAuthenticationResponse({
        response,
        expectedChallenge: userId ? this.expect('second-factor', userId) : this.expect('passwordless'),
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        credential: {
          id: credential.id,
          publicKey: Buffer.from(credential.publicKey, 'base64url'),
          counter: credential.counter,
          transports: credential.transports,
        },
        requireUserVerification: userId === undefined || this.userVerification === 'required',
      })
      .catch(() => undefined);
    if (!verification?.verified) return undefined;
    await this.store.webauthn.used(
      credential.id,
      verification.authenticationInfo.newCounter,
      new Date(this.now()),
    );
    return { credential, userVerified: verification.authenticationInfo.userVerified };
  }

  rename(userId: string, id: string, name: string): Promise<boolean> {
    return this.store.webauthn.rename(userId, id, name.trim().slice(0, 60) || 'Passkey');
  }

  /** False when the user has no such key (and `also` is not run). */
  remove(userId: string, id: string, also?: AlsoInTransaction): Promise<boolean> {
    return this.store.transaction(async (tx) => {
      const removed = await tx.webauthn.remove(userId, id);
      if (removed) await also?.(tx);
      return removed;
    });
  }
}
