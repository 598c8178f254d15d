// Authelia's `access_control` (the rules forward-auth decides by) and `definitions.network` (named
// networks rules and policies refer to). Keys, defaults and checks are Authelia's; the rules are
// evaluated by auth/access-control.ts. Patterns are RE2 (Go's regexp syntax, linear-time matching).
import { RE2JS } from 're2js';
import { z } from 'zod';
import { NETWORK_HELP, parseNetwork } from './networks.ts';
import { userAttributeDefinitions } from './authelia-schema.ts';
import { ALWAYS, isRecord, oneOf, strings } from './schema-kit.ts';

export const ACCESS_POLICIES = ['bypass', 'one_factor', 'two_factor', 'deny'] as const;

/** RFC 7231 and RFC 4918 (WebDAV) methods, the ones Authelia accepts in `methods`. */
export const ACCESS_METHODS = [
  ...['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'CONNECT', 'OPTIONS'],
  ...['COPY', 'LOCK', 'MKCOL', 'MOVE', 'PROPFIND', 'PROPPATCH', 'UNLOCK'],
] as const;

export const QUERY_OPERATORS = ['equal', 'not equal', 'present', 'absent', 'pattern', 'not pattern'] as const;

/** Named groups of a domain_regex or resources pattern that tie the match to the user. */
export const IDENTITY_GROUPS = ['User', 'Group'] as const;

const SUBJECT_HELP = "'user:<name>', 'group:<name>' or 'oauth2:client:<client id>'";
const RE2_HELP = 'an RE2 regular expression (Go syntax)';

/** Compiles an RE2 pattern (throws RE2's syntax error). Searched, not anchored: add ^ and $ yourself. */
export function compilePattern(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

function patternProblem(pattern: string): string | undefined {
  try {
    compilePattern(pattern);
    return undefined;
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
}

/** Whether the pattern names a `User` or `Group` group (the rule then depends on who asks). */
export function hasIdentityGroups(pattern: string): boolean {
  try {
    const named = Object.keys(compilePattern(pattern).namedGroups());
    return named.some((name) => (IDENTITY_GROUPS as readonly string[]).includes(name));
  } catch {
    return false;
  }
}

const regexText = z.string().superRefine((value, ctx) => {
  const problem = patternProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { allowed: RE2_HELP } });
});

/** Authelia lets a single value stand for a list of one. */
function listOf<T extends z.ZodType<string>>(item: T) {
  return z
    .union([item, z.array(item)])
    .transform((value) => (Array.isArray(value) ? value : [value]) as z.output<T>[]);
}

const networkText = z.string().refine((value) => parseNetwork(value) !== undefined, {
  message: 'is not an IP address or CIDR',
  params: { allowed: NETWORK_HELP },
});

const queryCondition = z
  .strictObject({
    operator: z
      .string()
      .optional()
      .describe(
        `One of ${QUERY_OPERATORS.map((op) => `\`${op}\``).join(', ')}; default \`present\` without a value, \`equal\` with one.`,
      ),
    key: z.string().optional().describe('The query parameter.'),
    value: z
      .unknown()
      .optional()
      .describe(
        'The text to compare with (`equal`, `not equal`) or an RE2 pattern (`pattern`, `not pattern`).',
      ),
  })
  .transform((condition, ctx) => checkQueryCondition(condition, ctx));

type QueryOperator = (typeof QUERY_OPERATORS)[number];

function checkQueryCondition(
  condition: { operator?: string; key?: string; value?: unknown },
  ctx: z.RefinementCtx,
): { key: string; operator: QueryOperator; value?: string } {
  const problem = (key: string, message: string, allowed?: string) =>
    ctx.addIssue({ code: 'custom', path: [key], message, ...(allowed ? { params: { allowed } } : {}) });
  const { key = '', value } = condition;
  if (!key) problem('key', 'is required');
  const empty = value === undefined || value === null || value === '';
  const operator = (condition.operator?.toLowerCase() ?? (empty ? 'present' : 'equal')) as QueryOperator;
  if (!QUERY_OPERATORS.includes(operator))
    problem('operator', `'${condition.operator}' is not an operator`, QUERY_OPERATORS.join(', '));
  if (value !== undefined && value !== null && typeof value !== 'string')
    problem('value', `must be a string, not ${typeof value}`);
  else if (value === undefined || value === null) {
    if (operator !== 'present' && operator !== 'absent')
      problem('value', `is required with operator '${operator}'`);
  } else if ((operator === 'present' || operator === 'absent') && value !== '')
    problem('value', `must not be set with operator '${operator}'`);
  else if (operator === 'pattern' || operator === 'not pattern') {
    const invalid = patternProblem(value);
    if (invalid) problem('value', invalid, RE2_HELP);
  }
  return { key, operator, ...(typeof value === 'string' ? { value } : {}) };
}

const subjectSpec = z
  .union([z.string(), z.array(z.union([z.string(), z.array(z.string())]))])
  .transform((value) =>
    typeof value === 'string'
      ? [[value]]
      : value.map((entry) => (typeof entry === 'string' ? [entry] : entry)),
  );

const rule = z
  .strictObject({
    domain: listOf(z.string())
      .default([])
      .describe(
        'Host names the rule is about: exact (case-insensitive), `*.example.com` (any name below it), `{user}.example.com` or `{group}.example.com` (the user’s name or one of their groups).',
      ),
    domain_regex: listOf(regexText)
      .default([])
      .describe(
        'RE2 patterns searched in the host name; named groups `User` and `Group` must equal the user’s name or one of their groups.',
      ),
    policy: oneOf(ACCESS_POLICIES).describe('What the matching request needs.'),
    subject: subjectSpec
      .default([])
      .describe(
        `Who the rule is about: ${SUBJECT_HELP}; a list means any of them, a nested list means all of them.`,
      ),
    networks: listOf(z.string())
      .default([])
      .describe(
        'Client addresses or CIDRs, or names from `definitions.network` / `access_control.networks`.',
      ),
    resources: listOf(regexText)
      .default([])
      .describe(
        'RE2 patterns searched in the path and query (`/path?query`, the path cleaned); named groups `User` and `Group` as in domain_regex.',
      ),
    query: z
      .array(z.array(queryCondition))
      .default([])
      .describe('Query conditions: a list of alternatives, each a list of conditions that must all hold.'),
    methods: z.array(oneOf(ACCESS_METHODS)).default([]).describe('HTTP methods the rule is about.'),
  })
  .superRefine(checkRule, ALWAYS);

function checkRule(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const problem = (path: PropertyKey[], message: string, allowed?: string) =>
    ctx.addIssue({ code: 'custom', path, message, ...(allowed ? { params: { allowed } } : {}) });
  const domains = asList(value.domain);
  const regexes = asList(value.domain_regex);
  if (domains.length + regexes.length === 0)
    problem([], 'needs a domain or a domain_regex', 'domain, domain_regex');
  const subjects = Array.isArray(value.subject) ? value.subject.flat() : strings([value.subject]);
  subjects.forEach((subject) => {
    if (typeof subject === 'string' && !/^(user|group|oauth2:client):/.test(subject))
      problem(
        ['subject'],
        `'${subject}' must start with 'user:', 'group:' or 'oauth2:client:'`,
        SUBJECT_HELP,
      );
  });
  if (value.policy === 'bypass') {
    if (subjects.length > 0)
      problem(['subject'], 'a bypass rule cannot have subjects (bypass lets everyone in unauthenticated)');
    if (regexes.some(hasIdentityGroups))
      problem(['domain_regex'], 'a bypass rule cannot use the User or Group named groups');
  }
  const methods = strings(value.methods);
  const duplicates = methods.filter((method, index) => methods.indexOf(method) !== index);
  if (duplicates.length > 0)
    problem(['methods'], `lists ${[...new Set(duplicates)].join(', ')} more than once`);
}

function asList(value: unknown): string[] {
  return typeof value === 'string' ? [value] : strings(value);
}

const namedNetwork = z.strictObject({
  name: z.string().min(1).describe('The name rules use in `networks`.'),
  networks: listOf(networkText).describe('Addresses or CIDRs.'),
});

/** An Authelia file may carry the key with everything under it commented out: that is no section. */
const nullIsAbsent = (value: unknown) => (value === null ? undefined : value);

export const accessControlSchema = z
  .strictObject({
    default_policy: oneOf(ACCESS_POLICIES)
      .default('deny')
      .describe('The policy of a request no rule matches.'),
    networks: z
      .array(namedNetwork)
      .default([])
      .describe('Named network lists (the older place for them; `definitions.network` is the newer one).'),
    rules: z
      .array(rule)
      .default([])
      .describe('The rules, tried in order: the first one that matches the request decides.'),
  })
  .superRefine((value, ctx) => {
    const rules = Array.isArray(value.rules) ? value.rules : [];
    const policy = value.default_policy;
    if (rules.length === 0 && (policy === 'deny' || policy === 'bypass'))
      ctx.addIssue({
        code: 'custom',
        path: ['default_policy'],
        message: `'${policy}' is not allowed without rules`,
        params: { allowed: 'one_factor or two_factor, or add rules' },
      });
  }, ALWAYS)
  .optional();

export const accessControlSection = z
  .preprocess(nullIsAbsent, accessControlSchema)
  .describe(
    'Forward-auth rules: which requests a reverse proxy lets through, to whom, and with how strong a login. Without this section every forward-auth request is denied.',
  );

export const definitionsSchema = z
  .strictObject({
    network: z
      .record(z.string(), listOf(networkText))
      .default({})
      .describe(
        'Named lists of addresses or CIDRs that access rules and authorization policies refer to by name.',
      ),
    user_attributes: userAttributeDefinitions,
  })
  .optional();

export const definitionsSection = z
  .preprocess(nullIsAbsent, definitionsSchema)
  .describe('Definitions other sections refer to by name.');

export type AccessControlConfig = z.output<typeof accessControlSchema>;
export type DefinitionsConfig = z.output<typeof definitionsSchema>;

/** Every named network list: `definitions.network` and the legacy `access_control.networks`. */
export function namedNetworks(
  accessControl: AccessControlConfig,
  definitions: DefinitionsConfig,
): Record<string, string[]> {
  const named: Record<string, string[]> = { ...definitions?.network };
  for (const group of accessControl?.networks ?? []) named[group.name] ??= group.networks;
  return named;
}

/** A rule's `networks` entries: each a defined name, an address or a CIDR. */
function checkRuleNetworks(
  networks: unknown,
  names: Set<string>,
  at: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  asList(networks).forEach((network, position) => {
    if (!names.has(network) && !parseNetwork(network))
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'networks', position],
        message: `'${network}' is neither a defined network name nor an IP address or CIDR`,
        params: {
          allowed: `a name from definitions.network or access_control.networks, or ${NETWORK_HELP}`,
        },
      });
  });
}

/** The OpenID Connect `authorization_policies` name networks the same way the access rules do. */
function checkPolicyNetworks(config: Record<string, unknown>, names: Set<string>, ctx: z.RefinementCtx) {
  const providers = isRecord(config.identity_providers) ? config.identity_providers : {};
  const oidc = isRecord(providers.oidc) ? providers.oidc : {};
  const policies = isRecord(oidc.authorization_policies) ? oidc.authorization_policies : {};
  for (const [name, policy] of Object.entries(policies)) {
    const rules = isRecord(policy) && Array.isArray(policy.rules) ? policy.rules : [];
    rules.forEach((rule, index) => {
      const at = ['identity_providers', 'oidc', 'authorization_policies', name, 'rules', index];
      if (isRecord(rule)) checkRuleNetworks(rule.networks, names, at, ctx);
    });
  }
}

/**
 * Checks across sections (run on the whole configuration): network names rules use, network names
 * defined twice, and `oauth2:client:` subjects naming a client the file does not register.
 */
export function checkAccessControlReferences(config: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const accessControl = isRecord(config.access_control) ? config.access_control : {};
  const definitions =
    isRecord(config.definitions) && isRecord(config.definitions.network) ? config.definitions.network : {};
  const groups = Array.isArray(accessControl.networks) ? accessControl.networks.filter(isRecord) : [];
  groups.forEach((group, index) => {
    if (typeof group.name === 'string' && Object.hasOwn(definitions, group.name))
      ctx.addIssue({
        code: 'custom',
        path: ['access_control', 'networks', index, 'name'],
        message: `'${group.name}' is also defined in definitions.network`,
        params: { allowed: 'one definition per name' },
      });
  });
  const names = new Set([...Object.keys(definitions), ...groups.map((group) => String(group.name))]);
  checkPolicyNetworks(config, names, ctx);
  const clients = clientIds(config);
  const rules = Array.isArray(accessControl.rules) ? accessControl.rules : [];
  rules.forEach((rule, index) => {
    if (!isRecord(rule)) return;
    checkRuleNetworks(rule.networks, names, ['access_control', 'rules', index], ctx);
    const subjects = Array.isArray(rule.subject) ? rule.subject.flat() : [rule.subject];
    for (const subject of subjects)
      if (typeof subject === 'string' && subject.startsWith('oauth2:client:')) {
        const id = subject.slice('oauth2:client:'.length);
        if (!clients.includes(id))
          ctx.addIssue({
            code: 'custom',
            path: ['access_control', 'rules', index, 'subject'],
            message: `'${subject}' names a client that identity_providers.oidc.clients does not register`,
          });
      }
  });
}

function clientIds(config: Record<string, unknown>): string[] {
  const providers = isRecord(config.identity_providers) ? config.identity_providers : {};
  const oidc = isRecord(providers.oidc) ? providers.oidc : {};
  const clients = Array.isArray(oidc.clients) ? oidc.clients : [];
  return clients.filter(isRecord).map((client) => String(client.client_id));
}

/** Authelia's warnings about rules that load but probably do not do what was meant. */
export function accessControlWarnings(accessControl: AccessControlConfig): string[] {
  if (!accessControl) return [];
  const warnings: string[] = [];
  if (accessControl.rules.length === 0)
    warnings.push(
      `access_control: no rules, so default_policy '${accessControl.default_policy}' applies to every request`,
    );
  accessControl.rules.forEach((rule, index) =>
    rule.domain.forEach((domain, position) => {
      if (domain.length > 1 && domain.startsWith('*') && domain[1] !== '.')
        warnings.push(
          `access_control.rules.${index}.domain.${position}: '${domain}' matches nothing; did you mean '*.${domain.slice(1)}'?`,
        );
    }),
  );
  return warnings;
}
