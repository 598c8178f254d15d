// Invitations: an administrator (admin UI, API or CLI) invites someone into groups, by mail or by a
// link they copy; the link is a one-time link (auth/one-time-links.ts) whose subject is the
// invitation. What the invitee does with it is in sign-up.ts.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../lib/logger.ts';
import { linkUrl, oneTimeLinksOf, type OneTimeLinks } from '../auth/one-time-links.ts';
import { checkUsername, PROFILE_FIELDS } from '../auth/users.ts';
import type { SesameConfig } from '../config/load.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../lib/errors.ts';
import type { Mailer } from '../notify/mailer.ts';
import type { Invitation, Store } from '../store/index.ts';
import { GROUP_NAME, GROUP_NAME_HELP } from './groups.ts';
import { sendInBackground } from './notifications.ts';

export const INVITATION_DEFAULT_SECONDS = 7 * 86_400;
export const INVITATION_MAX_SECONDS = 90 * 86_400;
/** Where an invitee follows their link. */
export const INVITATION_PATH = '/invitation';

export type InvitationState = 'pending' | 'used' | 'expired' | 'revoked';

export function invitationState(invitation: Invitation, now = new Date()): InvitationState {
  if (invitation.usedAt) return 'used';
  if (invitation.revokedAt) return 'revoked';
  return invitation.expiresAt <= now ? 'expired' : 'pending';
}

export interface InvitationInput {
  email: string;
  /** Fixed for the invitee; unset: they choose. */
  username?: string;
  groups: string[];
  /** Default 7 days, at most 90. */
  expiresInSeconds?: number;
  /** Send the link by mail (needs a notifier); false: the administrator copies it. */
  mail: boolean;
}

export interface CreatedInvitation {
  invitation: Invitation;
  /** The invitee's link: shown once (only its record's id is stored). */
  link: string;
}

export interface MailDependencies {
  config: SesameConfig;
  store: Store;
  mailer?: Mailer;
  logger?: Logger;
}

function checkInput(input: InvitationInput): { email: string; seconds: number } {
  const email = input.email.trim();
  if (!PROFILE_FIELDS.email.safeParse(email).success)
    throw new InvalidInputError(`'${email}' is not an e-mail address`, 'email');
  if (input.username !== undefined) checkUsername(input.username);
  for (const group of input.groups)
    if (!GROUP_NAME.test(group))
      throw new InvalidInputError(`'${group}' is not a group name (${GROUP_NAME_HELP})`, 'groups');
  const seconds = input.expiresInSeconds ?? INVITATION_DEFAULT_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > INVITATION_MAX_SECONDS)
    throw new InvalidInputError('an invitation expires after 1 minute to 90 days', 'expires');
  return { email, seconds };
}

export class InvitationService {
  private readonly deps: MailDependencies;
  private readonly links: OneTimeLinks;
  /** Invitation mails on their way. */
  readonly pending = new Set<Promise<void>>();
  constructor(deps: MailDependencies) {
    this.deps = deps;
    this.links = oneTimeLinksOf(deps.config, deps.store);
  }

  get canMail(): boolean {
    return this.deps.mailer !== undefined;
  }

  list(): Promise<Invitation[]> {
    return this.deps.store.invitations.list();
  }

  async create(actor: string, input: InvitationInput): Promise<CreatedInvitation> {
    const { email, seconds } = checkInput(input);
    if (input.mail && !this.deps.mailer)
      throw new InvalidInputError('there is no notifier to send mail: create the link and copy it', 'mail');
    if (input.username && (await this.deps.store.users.findByUsername(input.username)))
      throw new ConflictError(`a user named '${input.username}' already exists`);
    const id = randomUUID();
    const issued = await this.links.issue('invitation', id, seconds);
    const record = { id, email, username: input.username, groups: [...new Set(input.groups)] };
    const invitation = await this.deps.store.transaction(async (tx) => {
      const created = await tx.invitations.create({
        ...record,
        mailed: input.mail,
        createdBy: actor,
        expiresAt: issued.expiresAt,
        linkId: issued.id,
      });
      await tx.events.append({
        type: 'invitation.created',
        actor,
        subject: email,
        details: { invitation: id, groups: record.groups, username: input.username, mailed: input.mail },
      });
      return created;
    });
    const link = linkUrl(this.deps.config, INVITATION_PATH, issued.token);
    if (input.mail) this.mail(invitation, link, actor);
    return { invitation, link };
  }

  /** After the answer: the invitee's mail. */
  private mail(invitation: Invitation, link: string, actor: string): void {
    // An administrator's own name; a token or the CLI is just "an administrator".
    const inviter = actor.startsWith('user:') ? actor.slice(5) : 'An administrator';
    void sendInBackground(
      this.deps.mailer!,
      {
        to: invitation.email,
        title: 'You are invited',
        template: 'invitation',
        data: {
          link,
          inviter,
          expires: invitation.expiresAt.toUTCString(),
        },
      },
      this.pending,
      this.deps.logger,
    );
  }

  /** Revokes an unused invitation and its link. */
  async revoke(actor: string, id: string): Promise<Invitation> {
    const invitation = await this.deps.store.invitations.get(id);
    if (!invitation) throw new NotFoundError(`there is no invitation ${id}`);
    const state = invitationState(invitation);
    if (state === 'used' || state === 'revoked')
      throw new ConflictError(`the invitation is already ${state}`);
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.invitations.revoke(id, new Date())))
        throw new ConflictError('the invitation was just used');
      await tx.events.append({
        type: 'invitation.revoked',
        actor,
        subject: invitation.email,
        details: { invitation: id },
      });
    });
    if (invitation.linkId) await this.links.revoke(invitation.linkId);
    return (await this.deps.store.invitations.get(id))!;
  }
}
