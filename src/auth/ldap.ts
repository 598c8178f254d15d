// The LDAP directory as a user backend (authentication_backend.ldap), over ldapts: the service
// account finds a user with users_filter and their groups with groups_filter (or memberOf), and
// the password is checked by binding as the user. Every value a person typed goes into a filter
// escaped (RFC 4515), so a username can never change what a filter means.
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import {
  Attribute,
  BerWriter,
  Change,
  Client,
  ConstraintViolationError,
  InsufficientAccessError,
  InvalidCredentialsError,
  ResultCodeError,
  SizeLimitExceededError,
  UnwillingToPerformError,
  type Entry,
} from 'ldapts';
import type { LdapSettings } from '../config/ldap-schema.ts';
import { randomToken } from '../crypto/random.ts';
import { InvalidInputError, SesameError, UnavailableError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { ProfileClaims } from '../store/index.ts';
import { tlsOptionsOf } from '../store/tls.ts';

/** A person as the directory describes them. */
export interface DirectoryEntry {
  dn: string;
  username: string;
  displayName?: string;
  email?: string;
  givenName?: string;
  familyName?: string;
  picture?: string;
  claims: ProfileClaims;
  groups: string[];
}

/** A directory person's record as the database keeps it (refreshed at login and refresh_interval). */
export function directoryRecord(entry: DirectoryEntry) {
  return {
    email: entry.email,
    // The directory is the authority on its addresses, as Authelia treats them.
    emailVerified: entry.email !== undefined,
    displayName: entry.displayName,
    givenName: entry.givenName,
    familyName: entry.familyName,
    picture: entry.picture,
    claims: entry.claims,
    disabled: false,
    groups: entry.groups,
  };
}

/** RFC 4515 §3: the characters that would change a filter's meaning, as \XX escapes. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (char) => `\\${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** LDAP generalized time (20060102150405.0Z), Unix seconds and Windows NT time, for {date-time:…}. */
function dateTimes(now: Date): Record<string, string> {
  const generalized = now
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, '.0Z');
  const unix = Math.floor(now.getTime() / 1000);
  // 100-nanosecond intervals since 1601-01-01.
  const nt = (BigInt(now.getTime()) + 11_644_473_600_000n) * 10_000n;
  return { generalized, unix: String(unix), 'microsoft-nt': String(nt) };
}

/** Fills a filter's search-time placeholders; every value is escaped. */
export function fillFilter(filter: string, values: Record<string, string>, now = new Date()): string {
  const times = dateTimes(now);
  return filter.replace(/\{(date-time:[a-z-]+|[a-z]+)\}/g, (placeholder, name: string) => {
    if (name.startsWith('date-time:')) return times[name.slice('date-time:'.length)] ?? placeholder;
    const value = values[name];
    return value === undefined ? placeholder : escapeFilterValue(value);
  });
}

function first(entry: Entry, attribute: string | undefined): string | undefined {
  if (!attribute) return undefined;
  const key = Object.keys(entry).find((name) => name.toLowerCase() === attribute.toLowerCase());
  const value = key ? entry[key] : undefined;
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text.toString();
}

function all(entry: Entry, attribute: string | undefined): string[] {
  if (!attribute) return [];
  const key = Object.keys(entry).find((name) => name.toLowerCase() === attribute.toLowerCase());
  const value = key ? entry[key] : undefined;
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

/** Why the directory could not answer, for the log (never a password). */
function reasonOf(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: string };
  return [typeof code === 'string' ? code : undefined, message].filter(Boolean).join(': ') || String(error);
}

/** RFC 3062's password modify extended operation. */
const PASSWORD_MODIFY = '1.3.6.1.4.1.4203.1.11.1';

const DIRECTORY_DOWN = 'the user directory cannot be reached; try again in a moment';

export class LdapDirectory {
  readonly settings: LdapSettings;
  private readonly logger?: Logger;
  private readonly tls: ConnectionOptions;
  private readonly idle: Client[] = [];
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(settings: LdapSettings, logger?: Logger) {
    this.settings = settings;
    this.logger = logger;
    const host = new URL(settings.address).hostname.replace(/^\[|\]$/g, '');
    this.tls = {
      ...tlsOptionsOf({ ...settings.tls, minimum_version: settings.tls.minimum_version ?? 'TLS1.2' }),
      host,
      // (SNI carries names only; an IP address is checked against the certificate without it.)
      servername: settings.tls.server_name ?? (isIP(host) ? undefined : host),
    };
  }

  private get usersBase(): string {
    const extra = this.settings.additional_users_dn;
    return extra ? `${extra},${this.settings.base_dn}` : this.settings.base_dn;
  }

  private get groupsBase(): string {
    const extra = this.settings.additional_groups_dn;
    return extra ? `${extra},${this.settings.base_dn}` : this.settings.base_dn;
  }

  /** A connection (TLS as configured), not yet bound. */
  private async connect(): Promise<Client> {
    const timeout = this.settings.timeout * 1000;
    const client = new Client({
      url: this.settings.address,
      timeout,
      connectTimeout: timeout,
      // (ldapts speaks TLS from the start whenever it is given TLS options: only for ldaps://.)
      tlsOptions: this.settings.address.toLowerCase().startsWith('ldaps:') ? this.tls : undefined,
      strictDN: false,
    });
    try {
      if (this.settings.start_tls) await client.startTLS(this.tls);
    } catch (error) {
      await client.unbind().catch(() => {});
      throw error;
    }
    return client;
  }

  /** A new connection bound as the service account. */
  private async serviceClient(): Promise<Client> {
    const client = await this.connect();
    try {
      if (this.settings.user && this.settings.password)
        await client.bind(this.settings.user, this.settings.password);
      else if (this.settings.user) await client.bind(this.settings.user);
    } catch (error) {
      await client.unbind().catch(() => {});
      throw error;
    }
    return client;
  }

  /** Runs `work` as the service account; directory failures become UnavailableError (logged). */
  private async asService<T>(what: string, work: (client: Client) => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await this.attempt(work);
    } catch (error) {
      if (error instanceof SesameError) throw error; // (the directory answered: a refusal, not a failure)
      this.logger?.error(
        { address: this.settings.address, reason: reasonOf(error) },
        `LDAP directory unavailable while ${what}`,
      );
      throw new UnavailableError(DIRECTORY_DOWN);
    } finally {
      this.done();
    }
  }

  /** `work` on a pooled connection (once more on a new one if that fails) or a new one. */
  private async attempt<T>(work: (client: Client) => Promise<T>, fresh = false): Promise<T> {
    const pooled = fresh ? undefined : this.idle.pop();
    if (pooled && !pooled.isConnected) await pooled.unbind().catch(() => {});
    const client = pooled?.isConnected ? pooled : await this.serviceClient();
    try {
      const result = await work(client);
      this.release(client);
      return result;
    } catch (error) {
      await client.unbind().catch(() => {});
      // The server may have closed an idle pooled connection since it was last used (an answer
      // from the directory, a refusal, is not retried).
      const answered = error instanceof SesameError || error instanceof ResultCodeError;
      if (client === pooled && !answered) return this.attempt(work, true);
      throw error;
    }
  }

  /** Waits for a pool slot (pooling.count connections at most, for pooling.timeout). */
  private async acquire(): Promise<void> {
    const { pooling } = this.settings;
    if (!pooling.enable) return;
    const deadline = Date.now() + pooling.timeout * 1000;
    while (this.busy >= pooling.count) {
      if (Date.now() > deadline) throw new UnavailableError(DIRECTORY_DOWN);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          const at = this.waiting.indexOf(wake);
          if (at >= 0) this.waiting.splice(at, 1);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
        this.waiting.push(wake);
      });
    }
    this.busy++;
  }

  private release(client: Client): void {
    if (this.settings.pooling.enable && client.isConnected) this.idle.push(client);
    else void client.unbind().catch(() => {});
  }

  private done(): void {
    if (!this.settings.pooling.enable) return;
    this.busy = Math.max(0, this.busy - 1);
    this.waiting[0]?.();
  }

  private attributeNames(): string[] {
    const names = Object.values(this.settings.attributes).filter(
      (name): name is string => typeof name === 'string' && name !== '',
    );
    return [...new Set(names)];
  }

  /**
   * The person `input` names (by username or, with the default filters, e-mail address), with
   * their groups; undefined when none or several match (several is logged: names must be unique).
   */
  async findUser(input: string): Promise<DirectoryEntry | undefined> {
    if (input === '') return undefined;
    return this.asService('looking a user up', async (client) => {
      const filter = fillFilter(this.settings.users_filter, { input });
      const entries = await this.atMostTwo(client, filter);
      if (entries === 'several')
        this.logger?.error(
          { filter: this.settings.users_filter },
          'LDAP users_filter matched several users; refused',
        );
      const entry = entries !== 'several' && entries.length === 1 ? entries[0]! : undefined;
      return entry ? this.describe(client, entry, input) : undefined;
    });
  }

  /** The users `filter` finds (one is expected), or 'several' (the directory may say so by refusing). */
  private async atMostTwo(client: Client, filter: string): Promise<Entry[] | 'several'> {
    try {
      const { searchEntries } = await client.search(this.usersBase, {
        scope: 'sub',
        filter,
        attributes: this.attributeNames(),
        sizeLimit: 2,
      });
      return searchEntries.length > 1 ? 'several' : searchEntries;
    } catch (error) {
      if (error instanceof SizeLimitExceededError) return 'several';
      throw error;
    }
  }

  private async describe(client: Client, entry: Entry, input: string): Promise<DirectoryEntry | undefined> {
    const names = this.settings.attributes;
    const username = first(entry, names.username);
    if (!username) return undefined;
    const phone = first(entry, names.phone_number);
    const extension = first(entry, names.phone_extension);
    const address = {
      street_address: first(entry, names.street_address),
      locality: first(entry, names.locality),
      region: first(entry, names.region),
      postal_code: first(entry, names.postal_code),
      country: first(entry, names.country),
    };
    return {
      dn: entry.dn,
      username,
      displayName: first(entry, names.display_name),
      email: first(entry, names.mail),
      givenName: first(entry, names.given_name),
      familyName: first(entry, names.family_name),
      picture: first(entry, names.picture),
      claims: {
        middle_name: first(entry, names.middle_name),
        nickname: first(entry, names.nickname),
        gender: first(entry, names.gender),
        birthdate: first(entry, names.birthdate),
        website: first(entry, names.website),
        profile: first(entry, names.profile),
        zoneinfo: first(entry, names.zoneinfo),
        locale: first(entry, names.locale),
        phone_number: phone && extension ? `${phone};ext=${extension}` : phone,
        address: Object.values(address).some(Boolean) ? address : undefined,
      },
      groups: await this.groupsOf(client, entry, username, input),
    };
  }

  private async groupsOf(client: Client, entry: Entry, username: string, input: string): Promise<string[]> {
    const memberOf =
      this.settings.group_search_mode === 'memberof' ? all(entry, this.settings.attributes.member_of) : [];
    if (this.settings.group_search_mode === 'memberof' && memberOf.length === 0) return [];
    const filter = fillFilter(
      this.settings.groups_filter.replace(/\{memberof:(dn|rdn)\}/g, (_, kind: string) =>
        memberOf.map((dn) => this.memberOfClause(dn, kind)).join(''),
      ),
      { input, username, dn: entry.dn },
    );
    const nameAttribute = this.settings.attributes.group_name ?? 'cn';
    const { searchEntries } = await client.search(this.groupsBase, {
      scope: 'sub',
      filter,
      attributes: [nameAttribute],
    });
    const listed = new Set(memberOf.map((dn) => dn.toLowerCase()));
    const groups = searchEntries
      .filter((group) => this.settings.group_search_mode !== 'memberof' || listed.has(group.dn.toLowerCase()))
      .map((group) => first(group, nameAttribute))
      .filter((name): name is string => name !== undefined);
    return [...new Set(groups)].sort();
  }

  /** One `(attribute=value)` per memberOf DN: the whole DN, or its first RDN; values escaped. */
  private memberOfClause(dn: string, kind: string): string {
    if (kind === 'dn') return `(${this.settings.attributes.distinguished_name}=${escapeFilterValue(dn)})`;
    const rdn = /^((?:[^,\\]|\\.)+)/.exec(dn)?.[1] ?? dn;
    const equals = rdn.indexOf('=');
    return `(${rdn.slice(0, equals)}=${escapeFilterValue(rdn.slice(equals + 1))})`;
  }

  /**
   * The person whose username is exactly `username` (any case), as users_filter finds them now:
   * undefined when the directory no longer has them or its filter leaves them out (disabled, locked,
   * expired). UnavailableError when the directory cannot say.
   */
  async findByUsername(username: string): Promise<DirectoryEntry | undefined> {
    const entry = await this.findUser(username);
    return entry?.username.toLowerCase() === username.toLowerCase() ? entry : undefined;
  }

  /**
   * Whether `password` is the password of the entry `dn`: a bind as that entry on a connection of
   * its own. An empty password is refused before it reaches the directory (it would be an
   * unauthenticated bind, which succeeds, RFC 4513 §5.1.2). Without a DN, a made-up one is tried so that an
   * unknown name costs the same round trip as a wrong password.
   */
  async verifyPassword(dn: string | undefined, password: string): Promise<boolean> {
    if (password === '') return false;
    const target = dn ?? `cn=${randomToken().slice(0, 16)},${this.usersBase}`;
    let client: Client | undefined;
    try {
      client = await this.connect();
      await client.bind(target, password);
      return dn !== undefined;
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return false;
      this.logger?.error(
        { address: this.settings.address, reason: reasonOf(error) },
        'LDAP directory unavailable while checking a password',
      );
      throw new UnavailableError(DIRECTORY_DOWN);
    } finally {
      await client?.unbind().catch(() => {});
    }
  }

  /**
   * Changes a person's password in the directory, bound as that person with their current one (the
   * directory's own access rules and password policy apply): AD's `unicodePwd` (delete the old,
   * add the new, UTF-16LE in quotes), else the password modify extended operation (RFC 3062) when
   * the RootDSE offers it (the directory hashes the password), else a Modify of `userPassword`.
   * The directory refusing the new password is an InvalidInputError on `new_password`.
   */
  async changePassword(username: string, current: string, next: string): Promise<void> {
    const entry = await this.findByUsername(username);
    if (!entry) throw new InvalidInputError('The directory no longer has this account.', 'current_password');
    const { dn } = entry;
    let client: Client | undefined;
    try {
      client = await this.connect();
      await client.bind(dn, current);
      await this.writePassword(client, dn, current, next);
    } catch (error) {
      if (error instanceof ConstraintViolationError || error instanceof UnwillingToPerformError)
        throw new InvalidInputError(`The directory refused this password: ${error.message}`, 'new_password');
      if (error instanceof InvalidCredentialsError || error instanceof InsufficientAccessError)
        throw new InvalidInputError('The directory refused the change.', 'current_password');
      this.logger?.error(
        { address: this.settings.address, reason: reasonOf(error) },
        'LDAP directory unavailable while changing a password',
      );
      throw new UnavailableError(DIRECTORY_DOWN);
    } finally {
      await client?.unbind().catch(() => {});
    }
  }

  /**
   * Sets a person's password as the service account (the e-mail reset: there is no current
   * password): AD's `unicodePwd` replaced, else the password modify extended operation naming the
   * entry, else a Modify of `userPassword`. The service account needs the right to write passwords.
   */
  async resetPassword(username: string, next: string): Promise<void> {
    await this.asService('resetting a password', async (client) => {
      const dn = await this.dnOf(client, username);
      if (!dn) throw new InvalidInputError('The directory no longer has this account.', 'new_password');
      try {
        await this.writePassword(client, dn, undefined, next);
      } catch (error) {
        if (error instanceof ConstraintViolationError || error instanceof UnwillingToPerformError)
          throw new InvalidInputError(
            `The directory refused this password: ${error.message}`,
            'new_password',
          );
        throw error;
      }
    });
  }

  /** The DN of the entry users_filter finds for exactly `username`, on a service connection. */
  private async dnOf(client: Client, username: string): Promise<string | undefined> {
    const entries = await this.atMostTwo(client, fillFilter(this.settings.users_filter, { input: username }));
    const entry = entries !== 'several' && entries.length === 1 ? entries[0]! : undefined;
    return entry && first(entry, this.settings.attributes.username)?.toLowerCase() === username.toLowerCase()
      ? entry.dn
      : undefined;
  }

  /** Writes `next` (with `current`: as the user changing their own; without: as an administrator). */
  private async writePassword(
    client: Client,
    dn: string,
    current: string | undefined,
    next: string,
  ): Promise<void> {
    const quoted = (password: string) => Buffer.from(`"${password}"`, 'utf16le');
    if (this.settings.implementation === 'activedirectory' && current === undefined) {
      const modification = new Attribute({ type: 'unicodePwd', values: [quoted(next)] });
      await client.modify(dn, new Change({ operation: 'replace', modification }));
    } else if (this.settings.implementation === 'activedirectory' && current !== undefined) {
      await client.modify(dn, [
        new Change({
          operation: 'delete',
          modification: new Attribute({ type: 'unicodePwd', values: [quoted(current)] }),
        }),
        new Change({
          operation: 'add',
          modification: new Attribute({ type: 'unicodePwd', values: [quoted(next)] }),
        }),
      ]);
    } else if (await this.offers(client, PASSWORD_MODIFY)) {
      // PasswdModifyRequestValue ::= SEQUENCE { userIdentity [0], oldPasswd [1], newPasswd [2] },
      // encoded by ldapts: the user's own change gives the old password, a reset names the entry.
      const value = new BerWriter();
      value.startSequence();
      if (current === undefined) value.writeString(dn, 0x80);
      else value.writeString(current, 0x81);
      value.writeString(next, 0x82);
      value.endSequence();
      await client.exop(PASSWORD_MODIFY, value.buffer);
    } else {
      const modification = new Attribute({ type: 'userPassword', values: [next] });
      await client.modify(dn, new Change({ operation: 'replace', modification }));
    }
  }

  /** Whether the RootDSE lists the extended operation `oid` (unreadable: as permit_feature_detection_failure says). */
  private async offers(client: Client, oid: string): Promise<boolean> {
    try {
      const { searchEntries } = await client.search('', {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['supportedExtension'],
      });
      return searchEntries[0] ? all(searchEntries[0], 'supportedExtension').includes(oid) : false;
    } catch (error) {
      if (this.settings.permit_feature_detection_failure) return false;
      throw error;
    }
  }

  /** Closes the pooled connections. */
  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((client) => client.unbind().catch(() => {})));
  }
}
