// Password reset by e-mail (identity_validation.reset_password): a request mails a signed, single-use,
// expiring link to the account's address; the link's page sets a new password under password_policy,
// and then every login session and every token of the user ends. A request gets the same answer
// whether or not the account exists (the mail is sent in the background); requests are limited per
// address and mails per account, so the page cannot be used to flood an inbox.
import type { PasswordAuthenticator } from '../auth/login.ts';
import { sessionsOf } from '../auth/login-sessions.ts';
import { linkUrl, oneTimeLinksOf, type OneTimeLinks } from '../auth/one-time-links.ts';
import { PasswordPolicy } from '../auth/password-policy.ts';
import { hashPassword } from '../auth/passwords.ts';
import { personalInputs } from '../auth/users.ts';
import type { SesameConfig } from '../config/load.ts';
import { Quota } from '../factors/regulation.ts';
import { InvalidInputError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Mailer } from '../notify/mailer.ts';
import type { Store, User } from '../store/index.ts';
import { AccountNotifications, inBackground } from './notifications.ts';
import { mailerOf } from './notifier.ts';
import { signOutEverywhere } from './sessions.ts';

/** Where the request page lives; the mailed link opens `<external_url>/reset-password/new?token=…`. */
export const RESET_PASSWORD_PATH = '/reset-password';
export const NEW_PASSWORD_PATH = `${RESET_PASSWORD_PATH}/new`;

/** Requests per client address allowed for each mail an account may get (in the same window). */
const REQUESTS_PER_MAIL = 10;
/** Mails per account per window when regulation is off (it never is for mails). */
const DEFAULT_MAILS = 3;

/** The artifact model remembering a user's latest reset link, so a newer one revokes it. */
const LATEST_LINK = 'LatestResetLink';

/** Whether "Forgot password?" is offered, and where it leads. */
export type ResetOffer = { kind: 'off' } | { kind: 'external'; url: string } | { kind: 'built-in' };

/** `password_reset.disable` hides it; `custom_url` sends users elsewhere; otherwise it needs a notifier. */
export function resetOfferOf(config: SesameConfig): ResetOffer {
  const settings = config.authentication_backend.password_reset;
  if (settings?.disable) return { kind: 'off' };
  if (settings?.custom_url) return { kind: 'external', url: settings.custom_url };
  return config.notifier ? { kind: 'built-in' } : { kind: 'off' };
}

/** The "Forgot password?" link of the sign-in page, when there is one. */
export function forgotPasswordLink(config: SesameConfig): string | undefined {
  const offer = resetOfferOf(config);
  return offer.kind === 'built-in' ? RESET_PASSWORD_PATH : offer.kind === 'external' ? offer.url : undefined;
}

/** What became of a request (the audit event's `outcome`; the requester never learns it). */
export type RequestOutcome = 'sent' | 'unknown' | 'no-address' | 'read-only' | 'disabled' | 'throttled';

export type ResetResult = { outcome: 'changed'; user: User } | { outcome: 'invalid' };

export interface PasswordResetDeps {
  config: SesameConfig;
  store: Store;
  authenticator: PasswordAuthenticator;
  links: OneTimeLinks;
  quota: Quota;
  mailer?: Mailer;
  notifications?: AccountNotifications;
  logger?: Logger;
}

export class PasswordResetService {
  private readonly deps: PasswordResetDeps;
  readonly passwordPolicy: PasswordPolicy;
  /** The requests still being handled in the background (tests wait for them; nothing else does). */
  readonly pending = new Set<Promise<void>>();
  constructor(deps: PasswordResetDeps) {
    this.deps = deps;
    this.passwordPolicy = new PasswordPolicy(deps.config.password_policy);
  }

  /** Sesame's own reset is on (not disabled, not elsewhere, and there is a notifier to mail links). */
  get available(): boolean {
    return resetOfferOf(this.deps.config).kind === 'built-in' && this.deps.mailer !== undefined;
  }

  /** The window limits count in, and how many mails an account may get in one. */
  private limits(): { window: number; mails: number } {
    const { max_retries: retries, find_time: findTime, ban_time: banTime } = this.deps.config.regulation;
    return { window: findTime + banTime, mails: retries > 0 ? retries : DEFAULT_MAILS };
  }

  /**
   * Asks for a link for the account `identifier` (a username or an address) names. The answer says
   * only whether this address has asked too often; the rest happens after it, in the background.
   */
  async request(identifier: string, clientIp: string): Promise<'accepted' | 'too-many'> {
    const { window, mails } = this.limits();
    if (!(await this.deps.quota.take(`reset-ip:${clientIp}`, mails * REQUESTS_PER_MAIL, window)))
      return 'too-many';
    const handling = this.handle(identifier.trim().slice(0, 256), clientIp);
    inBackground(this.pending, handling, this.deps.logger, 'password reset request failed');
    return 'accepted';
  }

  private async handle(identifier: string, clientIp: string): Promise<void> {
    const user = identifier ? await this.deps.authenticator.findUser(identifier) : undefined;
    let outcome = this.refusal(user);
    if (!outcome && !(await this.takeMail(user!))) outcome = 'throttled';
    await this.deps.store.events.append({
      type: 'user.password_reset_requested',
      actor: user?.username ?? 'anonymous',
      subject: user?.username ?? identifier,
      clientIp,
      details: { outcome: outcome ?? 'sent' },
    });
    if (!outcome) await this.mailLink(user!, clientIp);
  }

  /**
   * Why `user` gets no mail, if they get one. A users-file account is read-only: no mail either. A
   * directory account's new password is written to the directory (by the service account).
   */
  private refusal(user: User | undefined): RequestOutcome | undefined {
    if (!user) return 'unknown';
    if (user.disabled) return 'disabled';
    if (user.source === 'file') return 'read-only';
    if (user.source === 'ldap' && !this.deps.authenticator.directory) return 'read-only';
    return user.email ? undefined : 'no-address';
  }

  private takeMail(user: User): Promise<boolean> {
    const { window, mails } = this.limits();
    return this.deps.quota.take(`reset-user:${user.id}`, mails, window);
  }

  /** Issues the link (revoking the user's earlier unused one) and mails it. */
  private async mailLink(user: User, clientIp: string): Promise<void> {
    const { config, links, store } = this.deps;
    const lifespan = config.identity_validation.reset_password.jwt_lifespan;
    const issued = await links.issue('reset-password', user.id, lifespan);
    const previous = await store.artifacts.find(LATEST_LINK, user.id);
    if (previous) await links.revoke(String(previous.payload.id));
    await store.artifacts.upsert({
      model: LATEST_LINK,
      id: user.id,
      payload: { id: issued.id },
      expiresAt: issued.expiresAt,
    });
    const link = linkUrl(config, NEW_PASSWORD_PATH, issued.token);
    await this.deps.mailer!.send({
      to: user.email!,
      title: 'Reset your password',
      template: 'reset-password',
      data: {
        name: user.displayName ?? user.username,
        link,
        ip: clientIp,
        expires: issued.expiresAt.toUTCString(),
      },
    });
  }

  /**
   * The user a link is for while it is valid, unused, the account may still change its password,
   * and the password has not changed since the link was sent (in the portal, by an administrator).
   */
  async open(token: string): Promise<User | undefined> {
    const claims = await this.deps.links.peek(token, 'reset-password');
    const user = claims ? await this.deps.store.users.get(claims.subject) : undefined;
    if (!user || this.refusal(user)) return undefined;
    const password = await this.deps.store.passwords.get(user.id);
    // (iat has whole seconds: a change in a later second than the link's voids it.)
    const changedSince = password && password.updatedAt.getTime() >= claims!.issuedAt.getTime() + 1000;
    return changedSince ? undefined : user;
  }

  /**
   * Sets the new password with the link: the two entries and password_policy are checked before the
   * link is used (InvalidInputError names new_password or confirm_password, and the link still
   * works); of parallel uses of one link exactly one changes the password. Then every login session
   * and every grant (with its tokens) of the user ends.
   */
  async reset(token: string, next: string, confirm: string, clientIp: string): Promise<ResetResult> {
    const user = await this.open(token);
    if (!user) return { outcome: 'invalid' };
    if (next !== confirm) throw new InvalidInputError('The two passwords differ.', 'confirm_password');
    await this.passwordPolicy.check(next, personalInputs(user), 'new_password');
    const directory = user.source === 'ldap' ? this.deps.authenticator.directory : undefined;
    // Hashed before the link is used and outside the transaction (SQLite serialises writers).
    const hashing = this.deps.config.authentication_backend.password_hashing;
    const digest = directory ? undefined : await hashPassword(next, hashing);
    if (!(await this.deps.links.redeem(token, 'reset-password'))) return { outcome: 'invalid' };
    // Written only by the one use that redeemed the link; the directory keeps it (nothing here).
    if (directory) await directory.resetPassword(user.username, next);
    const sessions = await sessionsOf(this.deps.store, user, 10_000);
    await this.deps.store.transaction(async (tx) => {
      if (digest) await tx.passwords.set(user.id, digest);
      const ended = await signOutEverywhere(tx, user.id, sessions);
      await tx.events.append({
        type: 'user.password_reset',
        actor: user.username,
        subject: user.username,
        clientIp,
        details: { sessions_ended: ended.sessions, grants_revoked: ended.grants },
      });
    });
    this.deps.notifications?.changed(user, 'password', clientIp);
    return { outcome: 'changed', user };
  }
}

/** The service as the server runs it: links signed per identity_validation, the configured notifier. */
export function passwordResetServiceOf(context: {
  config: SesameConfig;
  store: Store;
  authenticator: PasswordAuthenticator;
  logger?: Logger;
}): PasswordResetService {
  const { config, store, logger } = context;
  const mailer = resetOfferOf(config).kind === 'built-in' ? mailerOf(config) : undefined;
  return new PasswordResetService({
    ...context,
    links: oneTimeLinksOf(config, store),
    quota: new Quota(store),
    mailer,
    notifications: new AccountNotifications(mailer, logger),
  });
}
