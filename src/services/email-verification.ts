// Verified addresses: an address a user gives in the portal is verified by a link mailed to it. The
// link names the account and the address; following it marks the address verified only if the account
// still has that address (a later change makes the old link useless). The mail goes out after the
// answer, so no page waits for the mail server.
import { linkUrl, oneTimeLinksOf, type LinkClaims, type OneTimeLinks } from '../auth/one-time-links.ts';
import type { SesameConfig } from '../config/load.ts';
import type { Logger } from '../lib/logger.ts';
import type { Mailer } from '../notify/mailer.ts';
import type { Store, User } from '../store/index.ts';
import { inBackground } from './notifications.ts';
import { mailerOf } from './notifier.ts';

/** Where a verification link leads. */
export const VERIFY_EMAIL_PATH = '/verify-email';

/** How long a verification link works: long enough for a mail that arrives late, as Authentik's. */
export const VERIFICATION_LINK_SECONDS = 24 * 60 * 60;

export type VerificationOutcome =
  { outcome: 'verified'; user: User; email: string } | { outcome: 'invalid' } | { outcome: 'changed' };

/** What the confirming page shows before the click that verifies (mail scanners follow links). */
export interface PendingVerification {
  email: string;
  username: string;
  /** The link's id: the confirming form's CSRF token is bound to it. */
  id: string;
}

export class EmailVerification {
  private readonly store: Store;
  private readonly links: OneTimeLinks;
  private readonly mailer?: Mailer;
  private readonly externalUrl: string;
  private readonly logger?: Logger;
  /** The mails on their way (tests wait for them; nothing else does). */
  readonly pending = new Set<Promise<void>>();
  constructor(input: {
    store: Store;
    links: OneTimeLinks;
    mailer?: Mailer;
    externalUrl: string;
    logger?: Logger;
  }) {
    this.store = input.store;
    this.links = input.links;
    this.mailer = input.mailer;
    this.externalUrl = input.externalUrl;
    this.logger = input.logger;
  }

  /** Mails can be sent: without a notifier an address stays unverified until an administrator says. */
  get available(): boolean {
    return this.mailer !== undefined;
  }

  /** Sends `user` a link verifying `email` (their current address), in the background. */
  send(user: User, email: string, clientIp: string): void {
    if (!this.mailer) return;
    const mailer = this.mailer;
    const sending = async () => {
      const { token } = await this.links.issue('verify-email', user.id, VERIFICATION_LINK_SECONDS, {
        email: email.toLowerCase(),
      });
      await mailer.send({
        to: email,
        title: 'Verify your e-mail address',
        template: 'verify-email',
        data: {
          name: user.displayName ?? user.username,
          link: linkUrl({ externalUrl: this.externalUrl }, VERIFY_EMAIL_PATH, token),
          hours: String(VERIFICATION_LINK_SECONDS / 3600),
          ip: clientIp,
        },
      });
      await this.store.events.append({
        type: 'user.email_verification_sent',
        actor: user.username,
        subject: user.username,
        clientIp,
        details: {},
      });
    };
    inBackground(this.pending, sending(), this.logger, 'verification mail not sent', { user: user.username });
  }

  /** The link's account and address while it can still be used. */
  async inspect(token: string): Promise<PendingVerification | undefined> {
    const claims = await this.links.peek(token, 'verify-email');
    const user = claims && (await this.holder(claims));
    return user ? { email: user.email!, username: user.username, id: claims.id } : undefined;
  }

  /** Uses the link: the address becomes verified (once, whatever the number of clicks). */
  async confirm(token: string, clientIp: string): Promise<VerificationOutcome> {
    const claims = await this.links.redeem(token, 'verify-email');
    if (!claims) return { outcome: 'invalid' };
    const user = await this.holder(claims);
    if (!user) return { outcome: 'changed' };
    await this.store.transaction(async (tx) => {
      await tx.users.update(user.id, { emailVerified: true });
      await tx.events.append({
        type: 'user.email_verified',
        actor: user.username,
        subject: user.username,
        clientIp,
        details: {},
      });
    });
    return { outcome: 'verified', user, email: user.email! };
  }

  /** The account the link is for, while its address is still the one the link verifies. */
  private async holder(claims: LinkClaims): Promise<User | undefined> {
    const user = await this.store.users.get(claims.subject);
    const current = user?.email?.toLowerCase();
    return user && !user.disabled && current && current === claims.data.email ? user : undefined;
  }
}

/** The installation's verification (it mails only when there is a notifier). */
export function emailVerificationOf(config: SesameConfig, store: Store, logger?: Logger): EmailVerification {
  return new EmailVerification({
    store,
    links: oneTimeLinksOf(config, store),
    mailer: mailerOf(config),
    externalUrl: config.externalUrl,
    logger,
  });
}
