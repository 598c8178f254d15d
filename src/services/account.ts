// A user's own account, as the portal changes it: profile, password, sign-in sessions and second
// factors. Each change writes its audit event in the change's transaction; the actor is the user's
// username (the portal's events have always named the user so) and `clientIp` where they acted from.
import { z } from 'zod';
import type { PasswordAuthenticator } from '../auth/login.ts';
import type { AuthorizationPolicies } from '../auth/policy.ts';
import { sessionsOf, type LoginSession } from '../auth/login-sessions.ts';
import { hashPassword, type PasswordHashing } from '../auth/passwords.ts';
import { PasswordPolicy } from '../auth/password-policy.ts';
import { personalInputs, PROFILE_FIELDS } from '../auth/users.ts';
import type { PasswordPolicySettings } from '../config/password-policy-schema.ts';
import { createSealer, type Sealer } from '../crypto/encryption.ts';
import type { EmailVerification } from './email-verification.ts';
import type { AccountNotifications } from './notifications.ts';
import { proveCurrentPassword } from './password-proof.ts';
import type { Factors, FactorSummary } from '../factors/index.ts';
import type { TotpChoice, TotpEnrolment, TotpKey } from '../factors/totp.ts';
import { InvalidInputError, ReadOnlyError } from '../lib/errors.ts';
import type { NewAuditEvent, Repositories, Store, User, WebauthnCredential } from '../store/index.ts';
import type { ApplicationDetails, ApplicationService } from './applications.ts';

/** How long a started authenticator-app setup may wait for its first code. */
const PENDING_TOTP_SECONDS = 10 * 60;

/** Who acts, on which account, from where. */
export interface Actor {
  user: User;
  clientIp: string;
}

/** The signed-in user with the session they act from (which "end the others" keeps). */
export interface ActorSession extends Actor {
  sessionUid: string;
}

/** An application on the user's launcher. */
export interface Launchable {
  name: string;
  url: string;
  icon?: string;
  description?: string;
}

export interface ProfileInput {
  display_name: string;
  given_name: string;
  family_name: string;
  email: string;
  picture: string;
}

// An empty field clears it.
const clearable = <T extends z.ZodType>(schema: T) => z.union([z.literal(''), schema]);
const profileSchema = z.object({
  display_name: clearable(PROFILE_FIELDS.display_name),
  given_name: clearable(PROFILE_FIELDS.given_name),
  family_name: clearable(PROFILE_FIELDS.family_name),
  email: clearable(PROFILE_FIELDS.email),
  picture: clearable(PROFILE_FIELDS.picture),
});

export interface PasswordChange {
  current: string;
  next: string;
  confirm: string;
  /** Sign out the user's other sessions too. */
  endOthers: boolean;
}

/** A login session with where it began (the sign-in event closest to its login time). */
export interface OwnSession extends LoginSession {
  from?: string;
}

/** An authenticator-app setup in progress: `sealed` carries it to the confirming form. */
export interface PendingTotp extends TotpEnrolment {
  sealed: string;
}

/** A setup in progress, sealed into its form. */
type SealedTotp = TotpKey & { uri: string; expires: number };

export type TotpConfirmation =
  { outcome: 'added' } | { outcome: 'expired' } | { outcome: 'wrong-code'; pending: PendingTotp };

export interface SecurityOverview {
  factors: FactorSummary;
  passkeys: WebauthnCredential[];
  passkeysEnabled: boolean;
  passwordlessEnabled: boolean;
}

/** Where a read-only account is kept, for the portal's refusals. */
function managedIn(user: User): string {
  return user.source === 'ldap' ? 'in the directory' : 'in a file';
}

export class AccountService {
  private readonly store: Store;
  private readonly hashing: PasswordHashing;
  /** `password_policy`, the same check as every other door that sets a password. */
  readonly passwordPolicy: PasswordPolicy;
  private readonly factors: Factors;
  private readonly authenticator: PasswordAuthenticator;
  private readonly applications: ApplicationService;
  private readonly policies: AuthorizationPolicies;
  /** Seals a pending authenticator-app setup into its form (the secret is stored only once confirmed). */
  private readonly sealer: Sealer;
  private readonly notifications?: AccountNotifications;
  /** Mails a link verifying a new address, when there is a notifier. */
  readonly verification?: EmailVerification;
  constructor(input: {
    store: Store;
    hashing: PasswordHashing;
    passwordPolicy: PasswordPolicySettings;
    factors: Factors;
    authenticator: PasswordAuthenticator;
    applications: ApplicationService;
    policies: AuthorizationPolicies;
    encryptionKey: string;
    /** Mails the user about changes to their password and second factors, when there is a notifier. */
    notifications?: AccountNotifications;
    verification?: EmailVerification;
  }) {
    this.store = input.store;
    this.hashing = input.hashing;
    this.passwordPolicy = new PasswordPolicy(input.passwordPolicy);
    this.factors = input.factors;
    this.authenticator = input.authenticator;
    this.applications = input.applications;
    this.policies = input.policies;
    this.sealer = createSealer(input.encryptionKey);
    this.notifications = input.notifications;
    this.verification = input.verification;
  }

  /** The audit event of `actor`'s change (its subject is the user's id unless said). */
  private event(
    actor: Actor,
    type: string,
    details: Record<string, unknown> = {},
    subject = actor.user.id,
  ): NewAuditEvent {
    return { type, actor: actor.user.username, subject, clientIp: actor.clientIp, details };
  }

  private audit(actor: Actor, type: string, details?: Record<string, unknown>) {
    return (tx: Repositories) => tx.events.append(this.event(actor, type, details));
  }

  // ---- My applications ----

  /** The applications the user may open (their policy lets them in), by name. */
  async launcher(actor: Actor): Promise<Launchable[]> {
    const { user, clientIp } = actor;
    const subject = { username: user.username, groups: user.groups, clientIp };
    const tiles: Launchable[] = [];
    for (const { application, client } of await this.applications.list({ limit: 10_000 })) {
      if (!client) continue;
      if (this.policies.decide(client.authorizationPolicy, client.allowedGroups, subject).level === 'deny')
        continue;
      const url = application.launchUrl ?? originOf(client);
      if (url) tiles.push({ ...pick(application), url });
    }
    return tiles.sort((a, b) => a.name.localeCompare(b.name));
  }

  // ---- Profile ----

  /** Saves the profile; the field errors instead when a field is not valid (nothing is saved then). */
  async updateProfile(actor: Actor, input: ProfileInput): Promise<Record<string, string> | undefined> {
    const { user } = actor;
    if (user.source !== 'local') throw new ReadOnlyError(`Your account is managed ${managedIn(user)}.`);
    const parsed = profileSchema.safeParse(input);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
      return errors;
    }
    const { display_name: displayName, given_name: givenName, family_name: familyName } = parsed.data;
    const { email, picture } = parsed.data;
    // A changed address is no longer one anybody verified.
    const emailChanged = (email || undefined) !== user.email;
    await this.store.transaction(async (tx) => {
      await tx.users.update(user.id, {
        ...{ displayName, givenName, familyName, email, picture },
        ...(emailChanged ? { emailVerified: false } : {}),
      });
      await tx.events.append(
        this.event(actor, 'user.profile_updated', { email_changed: emailChanged }, user.username),
      );
    });
    if (emailChanged) {
      // The old address hears of the change; the new one gets the link that verifies it.
      this.notifications?.changed(user, 'email', actor.clientIp);
      if (email) this.verification?.send({ ...user, email, emailVerified: false }, email, actor.clientIp);
    }
    return undefined;
  }

  /** Mails the link verifying the user's address again (nothing when it is verified or absent). */
  resendVerification(actor: Actor): boolean {
    const { user } = actor;
    if (!user.email || user.emailVerified || !this.verification?.available) return false;
    this.verification.send(user, user.email, actor.clientIp);
    return true;
  }

  // ---- Password ----

  /**
   * Changes the password once the current one is proven (under the login page's brute-force
   * regulation). InvalidInputError names the field at fault: current_password, new_password or
   * confirm_password.
   */
  async changePassword(actor: ActorSession, change: PasswordChange): Promise<void> {
    const { user } = actor;
    // A directory user's password is written to the directory; a users-file one is read-only.
    const directory = user.source === 'ldap' ? this.authenticator.directory : undefined;
    if (user.source !== 'local' && !directory)
      throw new ReadOnlyError(`Your password is managed ${managedIn(user)}.`);
    await this.proveCurrent(actor, change.current);
    if (change.next !== change.confirm)
      throw new InvalidInputError('The two new passwords differ.', 'confirm_password');
    await this.passwordPolicy.check(change.next, personalInputs(user), 'new_password');
    // Hashed before the transaction: on SQLite, an open transaction makes every other request wait.
    const digest = directory ? undefined : await hashPassword(change.next, this.hashing);
    if (directory) await directory.changePassword(user.username, change.current, change.next);
    const others = change.endOthers ? await this.others(actor) : [];
    await this.store.transaction(async (tx) => {
      if (digest) await tx.passwords.set(user.id, digest);
      const ended = await this.end(tx, others);
      await tx.events.append(
        this.event(actor, 'user.password_changed', { other_sessions_ended: ended }, user.username),
      );
    });
    this.notifications?.changed(user, 'password', actor.clientIp);
  }

  private async proveCurrent(actor: Actor, password: string): Promise<void> {
    const { authenticator, factors } = this;
    const proof = await proveCurrentPassword(
      { authenticator, regulator: factors.regulator },
      actor,
      password,
    );
    if (proof === 'proven') return;
    if (proof === 'banned')
      throw new InvalidInputError('Too many wrong passwords. Try again later.', 'current_password');
    await this.store.events.append(
      this.event(
        actor,
        'user.password_change_failed',
        { reason: 'wrong current password' },
        actor.user.username,
      ),
    );
    throw new InvalidInputError('This is not your current password.', 'current_password');
  }

  // ---- Sessions ----

  /** The user's live sessions, each with the address its sign-in came from when known. */
  async sessions(user: User): Promise<OwnSession[]> {
    const sessions = await sessionsOf(this.store, user);
    const logins = await this.store.events.list({
      type: 'login.succeeded',
      subject: user.username,
      limit: 200,
    });
    return sessions.map((session) => {
      const at = session.loginAt?.getTime();
      let best: { gap: number; from?: string } | undefined;
      for (const event of at === undefined ? [] : logins) {
        const gap = Math.abs(event.occurredAt.getTime() - at!);
        if (gap < 10_000 && (!best || gap < best.gap)) best = { gap, from: event.clientIp };
      }
      return { ...session, from: best?.from };
    });
  }

  /** Ends one of the user's own sessions (another user's session is left alone). */
  async endSession(actor: ActorSession, id: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const session = await tx.artifacts.findByUid('Session', id);
      if ((session?.payload as { accountId?: string } | undefined)?.accountId !== actor.user.id) return;
      await tx.artifacts.destroy('Session', session!.id);
      await tx.events.append(
        this.event(actor, 'session.ended', { session: id, own: id === actor.sessionUid }),
      );
    });
  }

  async endOtherSessions(actor: ActorSession): Promise<void> {
    const others = await this.others(actor);
    await this.store.transaction(async (tx) => {
      const ended = await this.end(tx, others);
      await tx.events.append(this.event(actor, 'session.ended', { others: ended }));
    });
  }

  /** The user's sessions other than the one they act from. */
  private async others(actor: ActorSession): Promise<LoginSession[]> {
    const sessions = await sessionsOf(this.store, actor.user);
    return sessions.filter((session) => session.id !== actor.sessionUid);
  }

  /** Ends `sessions`; how many were ended. */
  private async end(tx: Repositories, sessions: LoginSession[]): Promise<number> {
    for (const session of sessions) await tx.artifacts.destroy('Session', session.storeId);
    return sessions.length;
  }

  // ---- Second factors ----

  async security(user: User): Promise<SecurityOverview> {
    const [factors, passkeys] = await Promise.all([
      this.factors.summary(user.id),
      this.factors.passkeys.list(user.id),
    ]);
    const { enabled, passwordlessEnabled } = this.factors.passkeys;
    return { factors, passkeys, passkeysEnabled: enabled, passwordlessEnabled };
  }

  /** What the user may choose when setting up an app (`totp.allowed_*`). */
  get totpChoices() {
    return this.factors.totp.choices;
  }

  /** InvalidInputError when `choice` is outside `totp.allowed_*`. */
  async beginTotp(user: User, choice: TotpChoice = {}): Promise<PendingTotp> {
    return this.renew(user, await this.factors.totp.begin(user.email ?? user.username, choice));
  }

  /** Seals the setup for its form, to be confirmed within PENDING_TOTP_SECONDS from now. */
  private renew(user: User, enrolment: TotpEnrolment): PendingTotp {
    const { secret, uri, algorithm, digits, period } = enrolment;
    const expires = Date.now() + PENDING_TOTP_SECONDS * 1000;
    const pending: SealedTotp = { secret, uri, algorithm, digits, period, expires };
    const sealed = this.sealer.seal(JSON.stringify(pending), `totp-enrolment:${user.id}`);
    return { ...enrolment, sealed };
  }

  /** Turns the app on when `code` is its current code; a wrong code keeps the same setup going. */
  async confirmTotp(actor: Actor, sealed: string, code: string): Promise<TotpConfirmation> {
    let pending: SealedTotp | undefined;
    try {
      pending = JSON.parse(this.sealer.open(sealed, `totp-enrolment:${actor.user.id}`)) as typeof pending;
    } catch {
      pending = undefined;
    }
    if (!pending || pending.expires < Date.now()) return { outcome: 'expired' };
    const { secret, uri, algorithm, digits, period } = pending;
    const added = await this.factors.totp.confirm(
      actor.user.id,
      { secret, algorithm, digits, period },
      code,
      this.audit(actor, 'factor.totp_added'),
    );
    if (added) {
      this.notifications?.changed(actor.user, 'totp-added', actor.clientIp);
      return { outcome: 'added' };
    }
    // The same setup again, with its time renewed.
    const enrolment = { secret, uri, algorithm, digits, period, qrSvg: await this.factors.totp.qrFor(uri) };
    return { outcome: 'wrong-code', pending: this.renew(actor.user, enrolment) };
  }

  async removeTotp(actor: Actor): Promise<void> {
    await this.factors.totp.remove(actor.user.id, this.audit(actor, 'factor.totp_removed'));
    this.notifications?.changed(actor.user, 'totp-removed', actor.clientIp);
  }

  passkeyOptions(user: User) {
    return this.factors.passkeys.registrationOptions(user);
  }

  /** Adds the key the browser created (`response`, as JSON); false when it does not verify. */
  async addPasskey(actor: Actor, name: string, response: string): Promise<boolean> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(response);
    } catch {
      parsed = undefined;
    }
    if (!parsed) return false;
    const added = await this.factors.passkeys.register(actor.user, name, parsed as never, (tx, key) =>
      tx.events.append(
        this.event(actor, 'factor.passkey_added', {
          name: key.name,
          device_type: key.deviceType,
          backed_up: key.backedUp,
        }),
      ),
    );
    if (added === undefined) return false;
    this.notifications?.changed(actor.user, 'passkey-added', actor.clientIp);
    return true;
  }

  async renamePasskey(user: User, id: string, name: string): Promise<void> {
    await this.factors.passkeys.rename(user.id, id, name);
  }

  async removePasskey(actor: Actor, id: string): Promise<void> {
    await this.factors.passkeys.remove(
      actor.user.id,
      id,
      this.audit(actor, 'factor.passkey_removed', { id }),
    );
    this.notifications?.changed(actor.user, 'passkey-removed', actor.clientIp);
  }

  /** Ten new recovery codes replacing the old ones; shown once, never stored in the clear. */
  async newRecoveryCodes(actor: Actor): Promise<string[]> {
    const codes = await this.factors.recovery.generate(actor.user.id, (tx, made) =>
      tx.events.append(this.event(actor, 'factor.recovery_codes_generated', { count: made.length })),
    );
    this.notifications?.changed(actor.user, 'recovery-codes', actor.clientIp);
    return codes;
  }
}

/** Where an application without a launch URL opens: the origin of its first strict redirect URI. */
function originOf(client: NonNullable<ApplicationDetails['client']>): string | undefined {
  const first = client.redirectUris.find((uri) => uri.matching_mode === 'strict')?.url;
  return first && URL.canParse(first) ? new URL(first).origin : undefined;
}

function pick({ name, icon, description }: ApplicationDetails['application']) {
  return { name, icon, description };
}
