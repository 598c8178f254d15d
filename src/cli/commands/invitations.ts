import type { Command } from 'commander';
import { parseDuration } from '../../config/duration.ts';
import { InvalidInputError } from '../../lib/errors.ts';
import { InvitationService, invitationState } from '../../services/invitations.ts';
import { mailerOf } from '../../services/notifier.ts';
import { fields, table, type Output } from '../output.ts';
import { collect, withStore } from './shared.ts';

interface CreateOptions {
  email: string;
  username?: string;
  group: string[];
  expires: string;
  mail: boolean;
  json?: boolean;
}

function secondsOf(expires: string): number {
  const seconds = parseDuration(expires);
  if (seconds === undefined)
    throw new InvalidInputError(`--expires '${expires}' is not a duration such as 7d`);
  return seconds;
}

function registerCreate(invitations: Command, output: Output): void {
  invitations
    .command('create')
    .description('Invite someone: mails them a one-time link (and prints it) to make their account')
    .requiredOption('--email <address>', 'whom the invitation is for (their account gets this address)')
    .option('--username <name>', 'fix the username (default: the invitee chooses)')
    .option('--group <name>', 'a group the account joins (repeatable)', collect, [])
    .option('--expires <duration>', 'how long the link works, at most 90d', '7d')
    .option('--no-mail', 'do not mail the link: only print it, to hand over')
    .option('--json', 'print JSON')
    .action(async (options: CreateOptions, command: Command) => {
      const expiresInSeconds = secondsOf(options.expires);
      await withStore(command, async ({ config, store }) => {
        const mailer = options.mail ? mailerOf(config) : undefined;
        const service = new InvitationService({ config, store, mailer });
        try {
          const { invitation, link } = await service.create('cli', {
            email: options.email,
            username: options.username,
            groups: options.group,
            expiresInSeconds,
            mail: options.mail,
          });
          // The mail goes before the command ends (and its failure is told).
          await Promise.all([...service.pending]);
          if (options.json) return output.out(JSON.stringify({ ...invitation, link }, null, 2));
          output.out(
            fields([
              ['ID', invitation.id],
              ['Email', invitation.email],
              ['Username', invitation.username ?? '(chosen by the invitee)'],
              ['Groups', invitation.groups.join(' ') || '(none)'],
              ['Expires', invitation.expiresAt.toISOString()],
              ['Mailed', invitation.mailed ? 'yes' : 'no'],
              ['Link', `${link}   (shown once)`],
            ]),
          );
        } finally {
          mailer?.close();
        }
      });
    });
}

export function registerInvitations(program: Command, output: Output): void {
  const invitations = program.command('invitations').description('Invite people to make their account');
  registerCreate(invitations, output);
  invitations
    .command('list')
    .description('List invitations (never their links) with their state')
    .action(async (_options: unknown, command: Command) => {
      await withStore(command, async ({ config, store }) => {
        const rows = (await new InvitationService({ config, store }).list()).map((invitation) => [
          invitation.id,
          invitation.email,
          invitation.username ?? '-',
          invitation.groups.join(' ') || '-',
          invitation.expiresAt.toISOString(),
          invitationState(invitation),
        ]);
        output.out(table(['ID', 'EMAIL', 'USERNAME', 'GROUPS', 'EXPIRES', 'STATE'], rows));
      });
    });
  invitations
    .command('revoke')
    .description('Revoke an unused invitation: its link stops working')
    .argument('<id>')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withStore(command, async ({ config, store }) => {
        await new InvitationService({ config, store }).revoke('cli', id);
        output.out(`Invitation ${id} is revoked.`);
      });
    });
}
