// The mails a user expects when their account changes (a password, a second factor): sent after the
// change is stored, never holding it up, and never carrying a secret.
import type { Logger } from '../lib/logger.ts';
import type { Mailer, MailRequest } from '../notify/mailer.ts';
import type { User } from '../store/index.ts';

export type AccountChange =
  | 'password'
  | 'totp-added'
  | 'totp-removed'
  | 'passkey-added'
  | 'passkey-removed'
  | 'recovery-codes'
  | 'email'
  | 'new-device';

const CHANGES: Record<AccountChange, { title: string; what: string }> = {
  password: { title: 'Your password was changed', what: 'Your password was changed' },
  'totp-added': { title: 'An authenticator app was added', what: 'An authenticator app was added' },
  'totp-removed': { title: 'Your authenticator app was removed', what: 'Your authenticator app was removed' },
  'passkey-added': { title: 'A passkey was added', what: 'A passkey was added' },
  'passkey-removed': { title: 'A passkey was removed', what: 'A passkey was removed' },
  'recovery-codes': { title: 'New recovery codes were made', what: 'New recovery codes were made' },
  email: { title: 'Your e-mail address was changed', what: 'Your e-mail address was changed' },
  'new-device': {
    title: 'A sign-in from a new device',
    what: 'Someone signed in from a new device or browser',
  },
};

export class AccountNotifications {
  private readonly mailer?: Mailer;
  private readonly logger?: Logger;
  /** The mails on their way (tests wait for them; nothing else does). */
  readonly pending = new Set<Promise<void>>();
  constructor(mailer: Mailer | undefined, logger?: Logger) {
    this.mailer = mailer;
    this.logger = logger;
  }

  /**
   * Tells `user` by mail, when there is a notifier and an address (`user.email`: for a changed
   * address, the user as they were, so the old address hears of it). The change is already made: a
   * mail that cannot be sent is logged, and the request that made the change does not wait for it.
   */
  changed(user: User, change: AccountChange, clientIp?: string): void {
    if (!this.mailer || !user.email) return;
    const { title, what } = CHANGES[change];
    const mail = this.mailer.send({
      to: user.email,
      title,
      template: 'account-change',
      data: {
        name: user.displayName ?? user.username,
        what,
        time: new Date().toUTCString(),
        ip: clientIp ?? 'an unknown address',
      },
    });
    inBackground(this.pending, mail, this.logger, 'account change mail not sent', {
      change,
      user: user.username,
    });
  }
}

/**
 * Sends a mail without holding up the request that asked for it (the answer must not tell, by its
 * timing, whether a mail went out); a failure is logged. `pending` lets tests and the CLI wait.
 */
export function sendInBackground(
  mailer: Mailer,
  request: MailRequest,
  pending: Set<Promise<void>>,
  logger?: Logger,
): Promise<void> {
  return track(pending, mailer.send(request), logger, 'mail not sent', { template: request.template });
}

/**
 * Lets `task` finish after the answer: its failure is logged as `message` (with `context`), and
 * `pending` holds it meanwhile, for tests and the CLI to wait on.
 */
export function inBackground(...args: Parameters<typeof track>): void {
  void track(...args);
}

/** inBackground, with the running work (it never rejects) for whoever wants to wait. */
function track(
  pending: Set<Promise<void>>,
  task: Promise<unknown>,
  logger: Logger | undefined,
  message: string,
  context: Record<string, unknown> = {},
): Promise<void> {
  const running: Promise<void> = task
    .then(
      () => undefined,
      (error: unknown) =>
        logger?.warn({ ...context, reason: error instanceof Error ? error.message : String(error) }, message),
    )
    .finally(() => pending.delete(running));
  pending.add(running);
  return running;
}
