// `authentication_backend.ldap`: users from an LDAP directory (OpenLDAP, Active Directory, FreeIPA,
// lldap, GLAuth …) with Authelia 4.39's keys, and each `implementation`'s defaults (filters,
// attribute names, search bases) as Authelia documents them. `ldapSettingsOf` gives the settings
// with the defaults filled in; the schema checks the rules across keys with them.
import { z } from 'zod';
import { clientTls, warned } from './authelia-schema.ts';
import { ALWAYS, durationWithDefault, oneOf, SECRET } from './schema-kit.ts';

export const LDAP_IMPLEMENTATIONS = [
  'custom',
  'activedirectory',
  'rfc2307bis',
  'freeipa',
  'lldap',
  'glauth',
] as const;
export type LdapImplementation = (typeof LDAP_IMPLEMENTATIONS)[number];

const attribute = () => z.string().optional();

/** The attribute mappings: the profile's standard claims, groups and the names Sesame reads. */
const attributes = z.strictObject({
  distinguished_name: attribute().describe(
    'The attribute holding an entry’s DN (Active Directory’s distinguishedName); needed by {memberof:dn}.',
  ),
  username: attribute().describe('The attribute holding the username (uid, sAMAccountName …).'),
  display_name: attribute().describe('The attribute holding the display name.'),
  family_name: attribute(),
  given_name: attribute(),
  middle_name: attribute(),
  nickname: attribute(),
  gender: attribute(),
  birthdate: attribute(),
  website: attribute(),
  profile: attribute(),
  picture: attribute(),
  zoneinfo: attribute(),
  locale: attribute(),
  phone_number: attribute(),
  phone_extension: attribute(),
  street_address: attribute(),
  locality: attribute(),
  region: attribute(),
  postal_code: attribute(),
  country: attribute(),
  mail: attribute().describe('The attribute holding the e-mail address.'),
  member_of: attribute().describe(
    'The attribute listing the groups a user is in (group_search_mode memberof).',
  ),
  group_name: attribute().describe('The attribute holding a group’s name.'),
  extra: warned(
    z.record(
      z.string(),
      z.strictObject({
        name: z.string().optional(),
        multi_valued: z.boolean().optional(),
        value_type: oneOf(['string', 'integer', 'boolean']),
      }),
    ),
    'extra directory attributes are not released as claims',
  ),
});

export const ldapSchema = z
  .strictObject({
    address: z.string().describe('`ldap://host[:port]` (StartTLS with start_tls) or `ldaps://host[:port]`.'),
    implementation: oneOf(LDAP_IMPLEMENTATIONS)
      .default('custom')
      .describe('The directory server: sets the defaults of the filters and attributes.'),
    timeout: durationWithDefault('5s').describe('How long connecting and each operation may take.'),
    start_tls: z.boolean().default(false).describe('Upgrade an `ldap://` connection with StartTLS.'),
    tls: clientTls
      .extend({
        certificate_authority: z
          .string()
          .optional()
          .describe('Sesame only: a PEM CA bundle to verify the directory server with.'),
      })
      .prefault({})
      .describe('How the directory server’s certificate is checked (ldaps:// and StartTLS).'),
    pooling: z
      .strictObject({
        enable: z.boolean().default(false).describe('Keep service-account connections open and reuse them.'),
        count: z.number().int().min(1).max(100).default(5).describe('The connections kept open.'),
        retries: z
          .number()
          .int()
          .min(0)
          .max(20)
          .default(2)
          .describe(
            'Authelia splits `timeout` into this many attempts; Sesame waits for a free connection until `timeout`.',
          ),
        timeout: durationWithDefault('10s').describe('How long to wait for a free connection.'),
      })
      .prefault({}),
    base_dn: z.string().min(1).describe('The DN every search is under, such as dc=example,dc=com.'),
    additional_users_dn: z.string().optional().describe('Prefixed to base_dn for user searches (ou=people).'),
    users_filter: z
      .string()
      .optional()
      .describe('The filter finding a user from what they typed ({input}); defaults per implementation.'),
    users_reset_filter: warned(z.string(), 'password reset looks users up with users_filter'),
    additional_groups_dn: z
      .string()
      .optional()
      .describe('Prefixed to base_dn for group searches (ou=groups).'),
    groups_filter: z
      .string()
      .optional()
      .describe('The filter finding a user’s groups ({dn}, {username} …); defaults per implementation.'),
    group_search_mode: oneOf(['filter', 'memberof'])
      .default('filter')
      .describe(
        '`filter`: groups_filter finds the groups; `memberof`: the user’s member_of attribute lists them.',
      ),
    attributes: attributes.prefault({}),
    permit_referrals: z
      .boolean()
      .default(false)
      .describe(
        'Follow referrals (read-only replicas). Not implemented yet: `true` is accepted with a warning.',
      ),
    permit_unauthenticated_bind: z
      .boolean()
      .default(false)
      .describe('Allow binding without a password (strongly discouraged; needs password_reset.disable).'),
    permit_feature_detection_failure: z
      .boolean()
      .default(false)
      .describe('Start even when the directory’s RootDSE (its supported extensions) cannot be read.'),
    user: z.string().optional().describe('The DN of the service account Sesame searches as.'),
    password: z.string().meta(SECRET).optional().describe('The service account’s password.'),
  })
  .superRefine((value, ctx) => {
    for (const problem of ldapProblems(value))
      ctx.addIssue({
        code: 'custom',
        path: problem.path,
        message: problem.message,
        params: { allowed: problem.allowed },
      });
  }, ALWAYS)
  .describe('Users from an LDAP directory (Authelia’s LDAP backend). They are read-only in the admin UI.');

export type LdapInput = z.output<typeof ldapSchema>;
export type LdapAttributes = Omit<z.output<typeof attributes>, 'extra'>;

interface ImplementationDefaults {
  users_filter?: string;
  groups_filter?: string;
  additional_users_dn?: string;
  additional_groups_dn?: string;
  attributes: LdapAttributes;
}

const BY_NAME_OR_MAIL = '(|({username_attribute}={input})({mail_attribute}={input}))';

/** Authelia's per-implementation defaults (its LDAP reference guide's tables). */
export const IMPLEMENTATION_DEFAULTS: Record<LdapImplementation, ImplementationDefaults> = {
  custom: { attributes: { display_name: 'displayName', mail: 'mail', group_name: 'cn' } },
  activedirectory: {
    users_filter: `(&${BY_NAME_OR_MAIL}(sAMAccountType=805306368)(!(userAccountControl:1.2.840.113556.1.4.803:=2))(!(pwdLastSet=0))(|(!(accountExpires=*))(accountExpires=0)(accountExpires>={date-time:microsoft-nt})))`,
    groups_filter: '(&(member={dn})(|(sAMAccountType=268435456)(sAMAccountType=536870912)))',
    attributes: {
      distinguished_name: 'distinguishedName',
      username: 'sAMAccountName',
      display_name: 'displayName',
      mail: 'mail',
      member_of: 'memberOf',
      group_name: 'cn',
    },
  },
  rfc2307bis: {
    users_filter: `(&${BY_NAME_OR_MAIL}(|(objectClass=inetOrgPerson)(objectClass=organizationalPerson))(!(pwdReset=TRUE)))`,
    groups_filter:
      '(&(|(member={dn})(uniqueMember={dn}))(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=groupOfMembers)))',
    attributes: {
      username: 'uid',
      display_name: 'displayName',
      mail: 'mail',
      member_of: 'memberOf',
      group_name: 'cn',
    },
  },
  freeipa: {
    users_filter: `(&${BY_NAME_OR_MAIL}(objectClass=person)(!(nsAccountLock=TRUE))(krbPasswordExpiration>={date-time:generalized})(|(!(krbPrincipalExpiration=*))(krbPrincipalExpiration>={date-time:generalized})))`,
    groups_filter: '(&(member={dn})(objectClass=groupOfNames))',
    attributes: {
      username: 'uid',
      display_name: 'displayName',
      mail: 'mail',
      member_of: 'memberOf',
      group_name: 'cn',
    },
  },
  lldap: {
    users_filter: `(&${BY_NAME_OR_MAIL}(objectClass=person))`,
    groups_filter: '(&(member={dn})(objectClass=groupOfNames))',
    additional_users_dn: 'ou=people',
    additional_groups_dn: 'ou=groups',
    attributes: {
      username: 'uid',
      display_name: 'cn',
      mail: 'mail',
      member_of: 'memberOf',
      group_name: 'cn',
    },
  },
  glauth: {
    users_filter: `(&${BY_NAME_OR_MAIL}(objectClass=posixAccount)(!(accountStatus=inactive)))`,
    groups_filter: '(&(uniqueMember={dn})(objectClass=posixGroup))',
    attributes: {
      username: 'cn',
      display_name: 'description',
      mail: 'mail',
      member_of: 'memberOf',
      group_name: 'cn',
    },
  },
};

/** The settings with the implementation's defaults filled in, and the attribute placeholders replaced. */
export interface LdapSettings extends Omit<LdapInput, 'attributes' | 'users_filter' | 'groups_filter'> {
  users_filter: string;
  groups_filter: string;
  attributes: LdapAttributes;
}

/** Replaces the `{…_attribute}` placeholders, which Authelia fills once at start. */
function withAttributeNames(filter: string, names: LdapAttributes): string {
  const replacements: Record<string, string | undefined> = {
    '{distinguished_name_attribute}': names.distinguished_name,
    '{username_attribute}': names.username,
    '{mail_attribute}': names.mail,
    '{display_name_attribute}': names.display_name,
    '{member_of_attribute}': names.member_of,
  };
  return filter.replace(/\{[a-z_]+_attribute\}/g, (placeholder) => replacements[placeholder] ?? placeholder);
}

export function ldapSettingsOf(input: LdapInput): LdapSettings {
  const defaults = IMPLEMENTATION_DEFAULTS[input.implementation];
  const given = Object.fromEntries(
    Object.entries(input.attributes).filter(([name, value]) => name !== 'extra' && value),
  ) as LdapAttributes;
  const names: LdapAttributes = { ...defaults.attributes, ...given };
  return {
    ...input,
    additional_users_dn: input.additional_users_dn ?? defaults.additional_users_dn,
    additional_groups_dn: input.additional_groups_dn ?? defaults.additional_groups_dn,
    users_filter: withAttributeNames(input.users_filter ?? defaults.users_filter ?? '', names),
    groups_filter: withAttributeNames(input.groups_filter ?? defaults.groups_filter ?? '', names),
    attributes: names,
  };
}

type Issue = { path: string[]; message: string; allowed: string };

function addressProblems(value: LdapInput): Issue[] {
  const scheme = /^([a-z]+):\/\/[^/]+\/?$/i.exec(value.address)?.[1]?.toLowerCase();
  if (scheme !== 'ldap' && scheme !== 'ldaps')
    return [
      {
        path: ['address'],
        message: `'${value.address}' is not an LDAP address`,
        allowed: 'ldap://host[:port] or ldaps://host[:port]',
      },
    ];
  if (scheme === 'ldaps' && value.start_tls)
    return [
      {
        path: ['start_tls'],
        message: 'StartTLS cannot upgrade an ldaps:// connection (it is already TLS)',
        allowed: 'false with ldaps://, or an ldap:// address',
      },
    ];
  return [];
}

function bindProblems(value: LdapInput): Issue[] {
  const problems: Issue[] = [];
  if (!value.permit_unauthenticated_bind) {
    if (!value.user)
      problems.push({
        path: ['user'],
        message: 'is required',
        allowed: 'the DN of a service account, such as cn=sesame,ou=services,dc=example,dc=com',
      });
    if (!value.password)
      problems.push({
        path: ['password'],
        message:
          'is required (an unauthenticated bind is refused unless permit_unauthenticated_bind is true)',
        allowed:
          'the service account’s password, also from AUTHELIA_AUTHENTICATION_BACKEND_LDAP_PASSWORD_FILE',
      });
  } else if (value.password)
    problems.push({
      path: ['password'],
      message: 'must be empty with permit_unauthenticated_bind',
      allowed: 'no password, or permit_unauthenticated_bind: false',
    });
  return problems;
}

function filterProblems(value: LdapInput, settings: LdapSettings): Issue[] {
  const problems: Issue[] = [];
  const custom = `required with implementation ${value.implementation}`;
  if (!settings.attributes.username)
    problems.push({
      path: ['attributes', 'username'],
      message: custom,
      allowed: 'an attribute name such as uid',
    });
  if (!settings.users_filter)
    problems.push({
      path: ['users_filter'],
      message: custom,
      allowed: '(&({username_attribute}={input})(objectClass=person))',
    });
  else if (!settings.users_filter.includes('{input}'))
    problems.push({
      path: ['users_filter'],
      message: 'must contain the {input} placeholder',
      allowed: '(&({username_attribute}={input})(objectClass=person))',
    });
  for (const key of ['users_filter', 'groups_filter'] as const)
    if (settings[key] && !/^\(.*\)$/s.test(settings[key]))
      problems.push({
        path: [key],
        message: 'must be enclosed in parentheses',
        allowed: '(attribute=value) or (&(…)(…))',
      });
  if (!settings.groups_filter)
    problems.push({
      path: ['groups_filter'],
      message: custom,
      allowed: '(&(member={dn})(objectClass=groupOfNames))',
    });
  if (value.group_search_mode === 'memberof') problems.push(...memberOfProblems(settings));
  else if (/\{memberof:(dn|rdn)\}/.test(settings.groups_filter))
    problems.push({
      path: ['groups_filter'],
      message: '{memberof:dn} and {memberof:rdn} need group_search_mode memberof',
      allowed: 'group_search_mode: memberof, or {dn} / {username}',
    });
  return problems;
}

function memberOfProblems(settings: LdapSettings): Issue[] {
  const problems: Issue[] = [];
  if (!settings.attributes.member_of)
    problems.push({
      path: ['attributes', 'member_of'],
      message: 'is required with group_search_mode memberof',
      allowed: 'memberOf',
    });
  if (!/\{memberof:(dn|rdn)\}/.test(settings.groups_filter))
    problems.push({
      path: ['groups_filter'],
      message: 'must contain {memberof:dn} or {memberof:rdn} with group_search_mode memberof',
      allowed: '(&(|{memberof:rdn})(objectClass=groupOfNames))',
    });
  if (settings.groups_filter.includes('{memberof:dn}') && !settings.attributes.distinguished_name)
    problems.push({
      path: ['attributes', 'distinguished_name'],
      message: 'is required by {memberof:dn}',
      allowed: 'distinguishedName',
    });
  return problems;
}

/** Rules across keys, as Authelia's validator has them. */
export function ldapProblems(value: LdapInput): Issue[] {
  const settings = ldapSettingsOf(value);
  return [...addressProblems(value), ...bindProblems(value), ...filterProblems(value, settings)];
}
