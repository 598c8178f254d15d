// Authelia's file authentication backend: `users: <name>: {displayname, password, email, groups, disabled}`.
// The file is loaded into the database at start; its users are read-only in Sesame.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, validateSource, YamlSource } from '../config/report.ts';
import { isValidDigest } from '../crypto/digest.ts';
import type { ProfileClaims, Store } from '../store/index.ts';

const fileUser = z.strictObject({
  disabled: z.boolean().default(false),
  displayname: z.string().optional().describe('The display name.'),
  password: z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      const check = isValidDigest(value);
      if (!check.ok || !value.startsWith('$'))
        ctx.addIssue({
          code: 'custom',
          message: check.ok
            ? 'must be a digest, not a plaintext password'
            : `malformed digest: ${check.reason}`,
          params: { allowed: 'a digest from `sesame crypto hash generate`' },
        });
    }),
  email: z.string().optional(),
  email_verified: z
    .boolean()
    .optional()
    .describe('Defaults to true when an email is given, as Authelia treats it.'),
  groups: z.array(z.string().min(1)).default([]),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  middle_name: z.string().optional(),
  nickname: z.string().optional(),
  gender: z.string().optional(),
  birthdate: z.string().optional(),
  website: z.string().optional(),
  profile: z.string().optional(),
  picture: z.string().optional(),
  zoneinfo: z.string().optional(),
  locale: z.string().optional(),
  phone_number: z.string().optional(),
  phone_extension: z.string().optional(),
  address: z
    .strictObject({
      street_address: z.string().optional(),
      locality: z.string().optional(),
      region: z.string().optional(),
      postal_code: z.string().optional(),
      country: z.string().optional(),
    })
    .optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});

export const usersFileSchema = z.strictObject({
  users: z
    .record(z.string().regex(/^[^\s:]+$/, 'usernames may not contain spaces or colons'), fileUser)
    .default({}),
});

export type FileUser = z.output<typeof fileUser>;

/** The file's further profile attributes, as the standard claims they are. */
function profileClaims(entry: FileUser): ProfileClaims {
  const phone = entry.phone_number;
  return {
    middle_name: entry.middle_name,
    nickname: entry.nickname,
    profile: entry.profile,
    website: entry.website,
    gender: entry.gender,
    birthdate: entry.birthdate,
    zoneinfo: entry.zoneinfo,
    locale: entry.locale,
    // OIDC Core 5.1 recommends RFC 3966's extension syntax.
    phone_number: phone && entry.phone_extension ? `${phone};ext=${entry.phone_extension}` : phone,
    address: entry.address && Object.keys(entry.address).length > 0 ? entry.address : undefined,
  };
}

/** Reads and validates the users file; throws ConfigError naming file, line and key. */
export function readUsersFile(path: string): Record<string, FileUser> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([
      {
        where: path,
        path: '',
        message: `cannot read the users file (${(error as NodeJS.ErrnoException).code})`,
        allowed: 'authentication_backend.file.path naming a readable YAML file',
      },
    ]);
  }
  const source = new YamlSource(path, text);
  const result = validateSource(source, usersFileSchema);
  if (!result.ok) throw new ConfigError(result.problems);
  return result.value.users;
}

export interface SyncReport {
  created: string[];
  updated: string[];
  removed: string[];
}

/**
 * Makes the database's file-sourced users match the file: creates, updates (profile, groups,
 * password digest) and removes them in one transaction. A local user with the same name is a
 * conflict the operator must resolve; nothing is changed then.
 */
export async function syncUsersFile(
  store: Store,
  users: Record<string, FileUser>,
  file: string,
): Promise<SyncReport> {
  return store.transaction(async (tx) => {
    const report: SyncReport = { created: [], updated: [], removed: [] };
    for (const [username, entry] of Object.entries(users)) {
      const profile = {
        email: entry.email,
        emailVerified: entry.email_verified ?? entry.email !== undefined,
        displayName: entry.displayname,
        givenName: entry.given_name,
        familyName: entry.family_name,
        picture: entry.picture,
        claims: profileClaims(entry),
        disabled: entry.disabled,
        groups: entry.groups,
      };
      const existing = await tx.users.findByUsername(username);
      if (existing && existing.source !== 'file')
        throw new ConfigError([
          {
            where: file,
            path: `users.${username}`,
            message: `a user named '${existing.username}' already exists in Sesame's database (created there, not in this file)`,
            allowed: 'rename one of them, or delete the database user',
          },
        ]);
      const user = existing
        ? await tx.users.update(existing.id, profile)
        : await tx.users.create({ username, source: 'file', ...profile });
      await tx.passwords.set(user!.id, entry.password);
      (existing ? report.updated : report.created).push(username);
    }
    const listed = new Set(Object.keys(users).map((name) => name.toLowerCase()));
    for (const user of await tx.users.list({ source: 'file', limit: 1_000_000 })) {
      if (listed.has(user.username.toLowerCase())) continue;
      await tx.users.delete(user.id);
      report.removed.push(user.username);
    }
    return report;
  });
}
