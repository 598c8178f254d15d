import { Factors } from '../../factors/index.ts';
import { NotFoundError } from '../../lib/errors.ts';
import type { Command } from 'commander';
import { ADMIN_GROUP, generatePassword, parseClaimOptions, UserService } from '../../auth/users.ts';
import { fields, table, type Output } from '../output.ts';
import { collect, readSecretInput, withStore } from './shared.ts';

interface PasswordOptions {
  password?: string;
  random?: boolean;
}

async function choosePassword(options: PasswordOptions): Promise<{ password: string; generated: boolean }> {
  if (options.random) return { password: generatePassword(), generated: true };
  return { password: await readSecretInput(options.password, 'password'), generated: false };
}

export function registerUsers(program: Command, output: Output): void {
  const users = program.command('users').description('Manage users');

  users
    .command('add')
    .description('Create a user')
    .argument('<username>')
    .option('--email <email>')
    .option('--email-verified', 'the email address is verified (the default when --email is given)')
    .option('--email-unverified', 'the email address is not verified: apps see email_verified false')
    .option('--display-name <name>')
    .option('--given-name <name>')
    .option('--family-name <name>')
    .option(
      '--claim <name=value>',
      'a further standard claim: middle_name, nickname, website, locale, phone_number, address.locality … (repeatable)',
      collect,
      [],
    )
    .option('--group <group>', 'add to a group (repeatable)', collect, [])
    .option('--admin', `add to the '${ADMIN_GROUP}' group`)
    .option('--password <password>', 'the password (otherwise read from stdin)')
    .option('--random', 'generate a password and print it once')
    .action(
      async (
        username: string,
        options: PasswordOptions & {
          email?: string;
          emailVerified?: boolean;
          emailUnverified?: boolean;
          displayName?: string;
          givenName?: string;
          familyName?: string;
          claim: string[];
          group: string[];
          admin?: boolean;
        },
        command: Command,
      ) => {
        const claims = parseClaimOptions(options.claim);
        const { password, generated } = await choosePassword(options);
        await withStore(command, async ({ config, store }) => {
          const user = await new UserService(store, config.authentication_backend.password_hashing).create({
            username,
            password,
            email: options.email,
            emailVerified: options.emailUnverified ? false : options.emailVerified,
            displayName: options.displayName,
            givenName: options.givenName,
            familyName: options.familyName,
            claims,
            groups: [...options.group, ...(options.admin ? [ADMIN_GROUP] : [])],
          });
          await store.events.append({
            type: 'user.created',
            actor: 'cli',
            subject: user.username,
            details: {},
          });
          output.out(
            fields([
              ['User created', user.username],
              ['ID', user.id],
              ['Email', user.email],
              ['Groups', user.groups.join(', ') || undefined],
              ['Password', generated ? `${password}   (shown once)` : undefined],
            ]),
          );
        });
      },
    );

  users
    .command('list')
    .description('List users')
    .option('--search <text>', 'match username, email or display name')
    .option('--json', 'print JSON')
    .action(async (options: { search?: string; json?: boolean }, command: Command) => {
      await withStore(command, async ({ store }) => {
        const list = await store.users.list({ search: options.search, limit: 10_000 });
        if (options.json) return output.out(JSON.stringify(list, null, 2));
        output.out(
          table(
            ['USERNAME', 'EMAIL', 'NAME', 'GROUPS', 'STATUS', 'SOURCE'],
            list.map((user) => [
              user.username,
              user.email ?? '',
              user.displayName ?? '',
              user.groups.join(','),
              user.disabled ? 'disabled' : 'active',
              user.source,
            ]),
          ),
        );
      });
    });

  users
    .command('passwd')
    .description("Set a user's password")
    .argument('<username>')
    .option('--password <password>', 'the new password (otherwise read from stdin)')
    .option('--random', 'generate a password and print it once')
    .action(async (username: string, options: PasswordOptions, command: Command) => {
      const { password, generated } = await choosePassword(options);
      await withStore(command, async ({ config, store }) => {
        const user = await new UserService(store, config.authentication_backend.password_hashing).setPassword(
          username,
          password,
        );
        await store.events.append({
          type: 'user.password_changed',
          actor: 'cli',
          subject: user.username,
          details: {},
        });
        output.out(
          generated
            ? `Password for ${user.username}: ${password}   (shown once)`
            : `Password changed for ${user.username}.`,
        );
      });
    });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    users
      .command(name)
      .description(disabled ? 'Disable a user: they can no longer log in' : 'Enable a disabled user')
      .argument('<username>')
      .action(async (username: string, _options: unknown, command: Command) => {
        await withStore(command, async ({ config, store }) => {
          const user = await new UserService(
            store,
            config.authentication_backend.password_hashing,
          ).setDisabled(username, disabled);
          await store.events.append({
            type: `user.${name}d`,
            actor: 'cli',
            subject: user.username,
            details: {},
          });
          output.out(`${user.username} is ${disabled ? 'disabled' : 'enabled'}.`);
        });
      });
  }

  users
    .command('reset-factors')
    .description(
      "Remove a user's second factors and recovery codes (they enrol again on their Security page)",
    )
    .argument('<username>')
    .action(async (username: string, _options: unknown, command: Command) => {
      await withStore(command, async ({ config, store }) => {
        const user = await store.users.findByUsername(username);
        if (!user) throw new NotFoundError(`there is no user named '${username}'`);
        await new Factors(store, config).reset(user.id, 'cli');
        output.out(`${user.username}'s second factors and recovery codes were removed.`);
      });
    });
}
