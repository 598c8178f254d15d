// Accounts people make themselves: by an invitation's link, or (with `registration.enabled`) by a
// link mailed to the address they give. Either way the link is redeemed before the account is made,
// so of any number of parallel submissions exactly one creates it, on any node. The new account is
// then signed in once by a short "welcome" link the browser keeps in a cookie.
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { linkUrl, oneTimeLinksOf, type OneTimeLinks } from '../auth/one-time-links.ts';
import { checkUsername, personalInputs, PROFILE_FIELDS, UserService } from '../auth/users.ts';
import { PasswordPolicy } from '../auth/password-policy.ts';
import { Quota } from '../factors/regulation.ts';
import { ConflictError, InvalidInputError } from '../lib/errors.ts';
import type { Invitation, User } from '../store/index.ts';
import { invitationState, type InvitationState, type MailDependencies } from './invitations.ts';
import { inBackground, sendInBackground } from './notifications.ts';
import { forgotPasswordLink } from './password-reset.ts';

export const SIGN_UP_PATH = '/sign-up';
export const SIGN_UP_COMPLETE_PATH = '/sign-up/complete';
/** How long the browser that made an account may take to get signed in with it. */
const WELCOME_SECONDS = 120;

/** What a person types to make their account. */
export interface AccountChoice {
  /** Ignored where the invitation fixed the username. */
  username: string;
  displayName: string;
  password: string;
}

/** A link that no longer works, and why (for a clear page). */
export class LinkProblem extends Error {
  readonly state: InvitationState | 'invalid';
  constructor(state: InvitationState | 'invalid') {
    super(`the link is ${state}`);
    this.state = state;
  }
}

/** The username was taken between the check and the creation: the form gets a fresh link. */
export class UsernameTaken extends InvalidInputError {
  readonly token: string;
  constructor(username: string, token: string) {
    super(`the username '${username}' is already taken`, 'username');
    this.token = token;
  }
}

export interface Created {
  user: User;
  /** Signs the new account in once (see welcome()). */
  welcome: string;
}

export class SignUpService {
  private readonly deps: MailDependencies;
  private readonly links: OneTimeLinks;
  private readonly users: UserService;
  private readonly policy: PasswordPolicy;
  readonly pending = new Set<Promise<void>>();
  constructor(deps: MailDependencies) {
    this.deps = deps;
    this.links = oneTimeLinksOf(deps.config, deps.store);
    const hashing = deps.config.authentication_backend.password_hashing;
    this.users = new UserService(deps.store, hashing, deps.config.password_policy);
    this.policy = new PasswordPolicy(deps.config.password_policy);
  }

  /** The open invitation a link is for, or why it does not work. */
  async invitation(token: string): Promise<Invitation> {
    const claims = await this.links.peek(token, 'invitation');
    const named = claims ? { sub: claims.subject, jti: claims.id } : namedIn(token);
    const invitation = named?.sub ? await this.deps.store.invitations.get(named.sub) : undefined;
    if (!invitation) throw new LinkProblem('invalid');
    const state = invitationState(invitation);
    if (state !== 'pending') throw new LinkProblem(state);
    // A link replaced after a failed attempt is not this invitation's any more.
    if (named!.jti !== invitation.linkId) throw new LinkProblem('invalid');
    // Its own link, no longer valid: being used right now.
    if (!claims) throw new LinkProblem('used');
    return invitation;
  }

  /** Creates the invitee's account: once, whatever runs in parallel. */
  async acceptInvitation(token: string, choice: AccountChoice): Promise<Created> {
    const invitation = await this.invitation(token);
    const username = invitation.username ?? choice.username.trim();
    const account = {
      username,
      displayName: choice.displayName.trim() || undefined,
      email: invitation.email,
      // Only a mail to the address proves it; a copied link may have been handed on.
      emailVerified: invitation.mailed,
      groups: invitation.groups,
    };
    await this.check(account, choice.password);
    if (!(await this.links.redeem(token, 'invitation'))) throw new LinkProblem('used');
    const audit = {
      type: 'user.created',
      actor: `invitation:${invitation.id}`,
      details: { invitation: invitation.id },
    };
    let user: User;
    try {
      user = await this.users.create({ ...account, password: choice.password }, audit);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      throw new UsernameTaken(username, await this.reissue(invitation));
    }
    await this.deps.store.transaction(async (tx) => {
      await tx.invitations.markUsed(invitation.id, user.id, new Date());
      await tx.events.append({
        type: 'invitation.used',
        actor: user.username,
        subject: invitation.email,
        details: { invitation: invitation.id, user: user.username },
      });
    });
    return { user, welcome: await this.welcomeFor(user) };
  }

  /** What the account would fail on, checked before the link is used up. */
  private async check(account: { username: string; email?: string; displayName?: string }, password: string) {
    checkUsername(account.username);
    if (account.displayName && !PROFILE_FIELDS.display_name.safeParse(account.displayName).success)
      throw new InvalidInputError('at most 200 characters', 'display_name');
    if (await this.deps.store.users.findByUsername(account.username))
      throw new InvalidInputError(`the username '${account.username}' is already taken`, 'username');
    await this.policy.check(password, personalInputs(account));
  }

  /** A new link for the same invitation (the used one is spent), valid until it expires. */
  private async reissue(invitation: Invitation): Promise<string> {
    const seconds = Math.max(1, Math.floor((invitation.expiresAt.getTime() - Date.now()) / 1000));
    const issued = await this.links.issue('invitation', invitation.id, seconds);
    await this.deps.store.invitations.setLink(invitation.id, issued.id);
    return issued.token;
  }

  private async welcomeFor(user: User): Promise<string> {
    return (await this.links.issue('welcome', user.id, WELCOME_SECONDS)).token;
  }

  /** The account a welcome link signs in, once (it has just proven its password by choosing it). */
  async welcome(token: string, clientIp: string): Promise<User | undefined> {
    const claims = await this.links.redeem(token, 'welcome');
    const user = claims ? await this.deps.store.users.get(claims.subject) : undefined;
    if (!user || user.disabled) return undefined;
    await this.deps.store.events.append({
      type: 'login.succeeded',
      actor: user.username,
      subject: user.username,
      clientIp,
      details: { amr: ['pwd'], after: 'sign-up' },
    });
    return user;
  }

  // Open registration (registration.enabled).

  get registrationEnabled(): boolean {
    return this.deps.config.registration.enabled && this.deps.mailer !== undefined;
  }

  /**
   * Asks for a sign-up link. Refuses only what the form can tell without looking at accounts (a
   * malformed address, a domain not allowed); otherwise the answer is the same whether or not the
   * address has an account, and the mail (a link, or "you already have an account") goes after it.
   */
  requestSignUp(address: string, clientIp: string): void {
    const email = address.trim();
    if (!PROFILE_FIELDS.email.safeParse(email).success)
      throw new InvalidInputError('enter an e-mail address', 'email');
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    const allowed = this.deps.config.registration.allowed_email_domains.map((entry) => entry.toLowerCase());
    if (allowed.length > 0 && !allowed.includes(domain))
      throw new InvalidInputError(`addresses at ${domain} cannot sign up here`, 'email');
    inBackground(this.pending, this.mailSignUp(email, clientIp), this.deps.logger, 'sign-up mail not sent');
  }

  private async mailSignUp(email: string, clientIp: string): Promise<void> {
    if (!(await this.allowedNow(email, clientIp))) return;
    const existing = await this.deps.store.users.findByEmail(email);
    const config = this.deps.config;
    if (existing.length > 0) {
      const base = config.externalUrl.replace(/\/+$/, '');
      const reset = forgotPasswordLink(config);
      await this.mail(email, 'Your account', 'sign-up-existing', {
        signin: `${base}/portal/login`,
        reset: reset ? (reset.startsWith('/') ? `${base}${reset}` : reset) : `${base}/portal/login`,
      });
      return;
    }
    const issued = await this.links.issue('sign-up', digest(email), config.registration.link_lifespan, {
      email,
    });
    await this.mail(email, 'Create your account', 'sign-up', {
      link: linkUrl(config, SIGN_UP_COMPLETE_PATH, issued.token),
      expires: issued.expiresAt.toUTCString(),
    });
  }

  /** One mail per address per resend_interval, at most max_mails_per_ip an hour per client IP. */
  private async allowedNow(email: string, clientIp: string): Promise<boolean> {
    const { resend_interval: interval, max_mails_per_ip: perIp } = this.deps.config.registration;
    const quota = new Quota(this.deps.store);
    if (!(await quota.take(`sign-up-address:${digest(email)}`, 1, interval))) return false;
    if (await quota.take(`sign-up-ip:${digest(clientIp)}`, perIp, 3600)) return true;
    this.deps.logger?.warn({ clientIp }, 'sign-up mails from this address are limited for an hour');
    return false;
  }

  private mail(
    to: string,
    title: string,
    template: 'sign-up' | 'sign-up-existing',
    data: Record<string, string>,
  ) {
    return sendInBackground(this.deps.mailer!, { to, title, template, data }, this.pending, this.deps.logger);
  }

  /** The address a sign-up link is for, while it works. */
  async signUpAddress(token: string): Promise<string> {
    const claims = await this.links.peek(token, 'sign-up');
    const email = claims?.data.email;
    if (!email || !this.registrationEnabled) throw new LinkProblem('invalid');
    return email;
  }

  /** Creates the account a sign-up link allows: verified address, the configured groups. */
  async completeSignUp(token: string, choice: AccountChoice): Promise<Created> {
    const email = await this.signUpAddress(token);
    if ((await this.deps.store.users.findByEmail(email)).length > 0) throw new LinkProblem('used');
    const account = {
      username: choice.username.trim(),
      displayName: choice.displayName.trim() || undefined,
      email,
      emailVerified: true,
      groups: this.deps.config.registration.groups,
    };
    await this.check(account, choice.password);
    if (!(await this.links.redeem(token, 'sign-up'))) throw new LinkProblem('used');
    try {
      const user = await this.users.create(
        { ...account, password: choice.password },
        { type: 'user.created', actor: 'sign-up', details: { registration: true } },
      );
      return { user, welcome: await this.welcomeFor(user) };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // The link is spent; a new one comes by mail when they ask again.
      throw new InvalidInputError(
        `the username '${account.username}' was just taken: ask for a new link`,
        'username',
      );
    }
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value.toLowerCase()).digest('base64url');
}

/**
 * The invitation and link ids an expired or spent link names, read without checking it: only to say
 * why it no longer works (a forged one names nothing it could open).
 */
function namedIn(token: string): { sub?: string; jti?: string } | undefined {
  try {
    return token.length < 4096 ? decodeJwt(token) : undefined;
  } catch {
    return undefined;
  }
}
