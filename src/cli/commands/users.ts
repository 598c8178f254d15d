// `sesame users …`: each command parses its options and calls one method of the user service.
import type { Command } from 'commander';
import { ADMIN_GROUP, parseClaimOptions } from '../../auth/users.ts';
import { Factors } from '../../factors/index.ts';
import { UserAdminService } from '../../services/users.ts';
import { fields, table, type Output } from '../output.ts';
import { collect, readSecretInput, withStore } from './shared.ts';

interface PasswordOptions {
  password?: string;
  random?: boolean;
}

interface AddOptions extends PasswordOptions {
  email?: string;
  emailVerified?: boolean;
  emailUnverified?: boolean;
  displayName?: string;
  givenName?: string;
  familyName?: string;
  claim: string[];
  group: string[];
  admin?: boolean;
}

/** The password typed or piped in; undefined with --random (the service generates one). */
async function choosePassword(options: PasswordOptions): Promise<string | undefined> {
  return options.random ? undefined : readSecretInput(options.password, 'password');
}

/** Runs `fn` with the user service over the configured store. */
function withUsers<T>(command: Command, fn: (users: UserAdminService) => Promise<T>): Promise<T> {
  return withStore(command, ({ config, store }) =>
    fn(
      new UserAdminService(
        store,
        config.authentication_backend.password_hashing,
        new Factors(store, config),
        config.password_policy,
      ),
    ),
  );
}

function addCommand(users: Command, output: Output): void {
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
    .action(async (username: string, options: AddOptions, command: Command) => {
      const claims = parseClaimOptions(options.claim);
      const typed = await choosePassword(options);
      const { user, password } = await withUsers(command, (service) =>
        service.create('cli', {
          username,
          password: typed,
          email: options.email,
          emailVerified: options.emailUnverified ? false : options.emailVerified,
          displayName: options.displayName,
          givenName: options.givenName,
          familyName: options.familyName,
          claims,
          groups: [...options.group, ...(options.admin ? [ADMIN_GROUP] : [])],
        }),
      );
      output.out(
        fields([
          ['User created', user.username],
          ['ID', user.id],
          ['Email', user.email],
          ['Groups', user.groups.join(', ') || undefined],
          ['Password', password === undefined ? undefined : `${password}   (shown once)`],
        ]),
      );
    });
}

function listCommand(users: Command, output: Output): void {
  users
    .command('list')
    .description('List users')
    .option('--search <text>', 'match username, email or display name')
    .option('--json', 'print JSON')
    .action(async (options: { search?: string; json?: boolean }, command: Command) => {
      const list = await withUsers(command, (service) =>
        service.list({ search: options.search, limit: 10_000 }),
      );
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
}

function passwdCommand(users: Command, output: Output): void {
  users
    .command('passwd')
    .description("Set a user's password")
    .argument('<username>')
    .option('--password <password>', 'the new password (otherwise read from stdin)')
    .option('--random', 'generate a password and print it once')
    .action(async (username: string, options: PasswordOptions, command: Command) => {
      const typed = await choosePassword(options);
      const { user, password } = await withUsers(command, (service) =>
        service.setPassword('cli', username, typed, 'user.password_changed'),
      );
      output.out(
        password === undefined
          ? `Password changed for ${user.username}.`
          : `Password for ${user.username}: ${password}   (shown once)`,
      );
    });
}

function accessCommands(users: Command, output: Output): void {
  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const)
    users
      .command(name)
      .description(disabled ? 'Disable a user: they can no longer log in' : 'Enable a disabled user')
      .argument('<username>')
      .action(async (username: string, _options: unknown, command: Command) => {
        const user = await withUsers(command, (service) => service.setDisabled('cli', username, disabled));
        output.out(`${user.username} is ${disabled ? 'disabled' : 'enabled'}.`);
      });
  users
    .command('reset-factors')
    .description(
      "Remove a user's second factors and recovery codes (they enrol again on their Security page)",
    )
    .argument('<username>')
    .action(async (username: string, _options: unknown, command: Command) => {
      const user = await withUsers(command, (service) => service.resetFactors('cli', username));
      output.out(`${user.username}'s second factors and recovery codes were removed.`);
    });
}

export function registerUsers(program: Command, output: Output): void {
  const users = program.command('users').description('Manage users');
  addCommand(users, output);
  listCommand(users, output);
  passwdCommand(users, output);
  accessCommands(users, output);
}
