// Managing people: creating users with hashed passwords, and the first administrator.
import { z } from 'zod';
import type { PasswordPolicySettings } from '../config/password-policy-schema.ts';
import { ConflictError, InvalidInputError, NotFoundError, ReadOnlyError } from '../lib/errors.ts';
import { isUniqueViolation } from '../store/sql.ts';
import type { NewUser, Repositories, Store, User } from '../store/index.ts';
import { PasswordPolicy } from './password-policy.ts';
import { hashPassword, type PasswordHashing } from './passwords.ts';

/** Members of this group administer Sesame. */
export const ADMIN_GROUP = 'admins';
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$/;

const text = z.string().trim().max(200).optional();
/** The further standard claims (OIDC Core 5.1); an empty string removes one. */
export const profileClaims = z
  .strictObject({
    middle_name: text,
    nickname: text,
    profile: z.union([z.literal(''), z.url()]).optional(),
    website: z.union([z.literal(''), z.url()]).optional(),
    gender: text,
    birthdate: text.describe('YYYY-MM-DD, or YYYY'),
    zoneinfo: text.describe('An IANA time zone, such as Europe/Paris'),
    locale: text.describe('A BCP 47 language tag, such as fr-FR'),
    phone_number: text.describe('E.164 recommended, such as +1 (425) 555-1212'),
    address: z
      .strictObject({
        formatted: z.string().trim().max(500).optional(),
        street_address: text,
        locality: text,
        region: text,
        postal_code: text,
        country: text,
      })
      .optional(),
  })
  .describe('Further standard claims released by the profile, phone and address scopes');

/** `name=value` pairs from the command line (`address.locality=Boston`), checked like the API's. */
export function parseClaimOptions(pairs: string[]): z.output<typeof profileClaims> {
  const claims: Record<string, unknown> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new InvalidInputError(`'${pair}' is not name=value`, 'claim');
    const [name, part] = pair.slice(0, equals).split('.', 2) as [string, string | undefined];
    const value = pair.slice(equals + 1);
    if (part === undefined) claims[name] = value;
    else claims[name] = { ...(claims[name] as object | undefined), [part]: value };
  }
  const parsed = profileClaims.safeParse(claims);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = [...issue.path, ...((issue as { keys?: string[] }).keys ?? [])].join('.');
    throw new InvalidInputError(`claim ${where}: ${issue.message}`, 'claim');
  }
  return parsed.data;
}

/** A username is 1 to 100 letters, digits or . _ @ + -, starting with a letter or digit. */
export function checkUsername(username: string): void {
  if (!USERNAME.test(username))
    throw new InvalidInputError(
      'a username is 1 to 100 letters, digits or . _ @ + -, starting with a letter or digit',
      'username',
    );
}

/** What a password should not be made of: the account's own names. */
export function personalInputs(user: {
  username: string;
  displayName?: string;
  givenName?: string;
  familyName?: string;
  email?: string;
}): string[] {
  const values = [user.username, user.displayName, user.givenName, user.familyName, user.email];
  return values.filter((value): value is string => !!value);
}

/**
 * A user's own profile fields, the same rules wherever they are set (the admin API, the admin UI,
 * the portal, the CLI): names of at most 200 characters, an e-mail address, an http(s) picture.
 */
export const PROFILE_FIELDS = {
  display_name: z.string().trim().max(200, 'at most 200 characters'),
  given_name: z.string().trim().max(200, 'at most 200 characters'),
  family_name: z.string().trim().max(200, 'at most 200 characters'),
  email: z.email('not a valid email address'),
  picture: z.url({ protocol: /^https?$/, error: 'not an http(s) URL' }),
} as const;

/** Profile fields set by any transport (empty ones clear the field), by PROFILE_FIELDS' rules. */
export function checkProfile(fields: {
  displayName?: string;
  givenName?: string;
  familyName?: string;
  email?: string;
  picture?: string;
}): void {
  const given = {
    display_name: fields.displayName,
    given_name: fields.givenName,
    family_name: fields.familyName,
    email: fields.email,
    picture: fields.picture,
  };
  for (const [name, value] of Object.entries(given)) {
    if (!value) continue;
    const parsed = PROFILE_FIELDS[name as keyof typeof PROFILE_FIELDS].safeParse(value);
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues[0]!.message, name);
  }
}

/** The audit event of a change, written in the change's transaction (its subject is the username). */
export interface Audit {
  type: string;
  actor: string;
  details?: Record<string, unknown>;
}

export class UserService {
  private readonly store: Store;
  private readonly hashing: PasswordHashing;
  /** `password_policy`: every password set through this service meets it. */
  readonly policy: PasswordPolicy;
  constructor(store: Store, hashing: PasswordHashing, policy: PasswordPolicySettings) {
    [this.store, this.hashing] = [store, hashing];
    this.policy = new PasswordPolicy(policy);
  }

  /** Creates a local user (with `audit` written in the same transaction). */
  async create(input: NewUser & { password?: string }, audit?: Audit): Promise<User> {
    checkUsername(input.username);
    checkProfile(input);
    if (input.password !== undefined) await this.policy.check(input.password, personalInputs(input));
    // Hashed before the transaction: on SQLite, an open transaction makes every other request wait.
    const digest =
      input.password === undefined ? undefined : await hashPassword(input.password, this.hashing);
    const { password: _password, ...fields } = input;
    try {
      return await this.store.transaction(async (tx) => {
        // An address an administrator types is taken as verified (as Authentik does) unless they
        // say otherwise: apps such as RomM refuse unverified addresses.
        const emailVerified = input.emailVerified ?? input.email !== undefined;
        const user = await tx.users.create({ ...fields, emailVerified, source: 'local' });
        if (digest) await tx.passwords.set(user.id, digest);
        if (audit) await appendAudit(tx, audit, user.username);
        return user;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(`a user named '${input.username}' already exists`);
      throw error;
    }
  }

  async require(username: string): Promise<User> {
    const user = await this.store.users.findByUsername(username);
    if (!user) throw new NotFoundError(`there is no user named '${username}'`);
    return user;
  }

  /** The one place that keeps users from the users file read-only. */
  async requireLocal(username: string): Promise<User> {
    const user = await this.require(username);
    if (user.source === 'file')
      throw new ReadOnlyError(`'${user.username}' comes from the users file; change it there and restart`);
    if (user.source === 'ldap')
      throw new ReadOnlyError(`'${user.username}' comes from the LDAP directory; change it there`);
    return user;
  }

  async setPassword(username: string, password: string, audit?: Audit): Promise<User> {
    const user = await this.requireLocal(username);
    await this.policy.check(password, personalInputs(user));
    const digest = await hashPassword(password, this.hashing);
    await this.store.transaction(async (tx) => {
      await tx.passwords.set(user.id, digest);
      if (audit) await appendAudit(tx, audit, user.username);
    });
    return user;
  }

  async isAdmin(user: User): Promise<boolean> {
    for (const name of user.groups) if ((await this.store.groups.findByName(name))?.isAdmin) return true;
    return false;
  }

  /**
   * On first start there is nobody to log in as: create `admin` (in the admins group) with a random
   * password that is returned once for printing and stored only as a digest. Returns undefined
   * when an enabled administrator already exists.
   */
  async bootstrapAdministrator(): Promise<{ username: string; password: string } | undefined> {
    const group = await this.store.groups.ensure(ADMIN_GROUP, { isAdmin: true });
    if (!group.isAdmin) await this.store.groups.setAdmin(ADMIN_GROUP, true);
    if ((await this.store.users.countAdministrators()) > 0) return undefined;
    let username = 'admin';
    for (let suffix = 1; await this.store.users.findByUsername(username); suffix++)
      username = `admin${suffix}`;
    const password = await this.policy.generate();
    try {
      await this.create(
        { username, password, displayName: 'Administrator', groups: [ADMIN_GROUP] },
        { type: 'user.bootstrap_admin', actor: 'system' },
      );
    } catch (error) {
      // Another node starting at the same moment created it first.
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
    return { username, password };
  }
}

export function appendAudit(tx: Repositories, audit: Audit, subject: string): Promise<unknown> {
  return tx.events.append({
    type: audit.type,
    actor: audit.actor,
    subject,
    details: audit.details ?? {},
  });
}
