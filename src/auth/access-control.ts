// Authelia's `access_control`: may this request through the reverse proxy, and with how strong a
// login? Rules are tried in order and the first that matches decides; none matching means
// `default_policy`. Everything is compiled once; deciding is string compares, set lookups and
// RE2 searches (linear time), so a crafted URL cannot stall it.
//
// Anonymous requests: a rule that names subjects (`subject`, `{user}`/`{group}` domains, `User`/
// `Group` named groups) cannot be decided before the user is known, so for an anonymous subject
// Authelia counts it as matching and reports `hasSubjects`: the caller then asks for a login and
// decides again once the user is known.
import type { BlockList } from 'node:net';
import type { RE2JS } from 're2js';
import {
  type AccessControlConfig,
  compilePattern,
  type DefinitionsConfig,
  namedNetworks,
} from '../config/access-control-schema.ts';
import { compileNetworks, inNetworks, isAnonymous, type Subjects, subjectsMatch } from './matchers.ts';

export type AccessPolicy = 'bypass' | 'deny' | 'one_factor' | 'two_factor';

/** Who asks. `username` undefined (with no groups and no client) is an anonymous visitor. */
export interface AccessSubject {
  username?: string;
  groups: string[];
  ip: string;
  clientId?: string;
}

export interface AccessObject {
  url: URL;
  method: string;
}

export interface AccessDecision {
  policy: AccessPolicy;
  /** Index in access_control.rules; undefined when default_policy applied. */
  rule?: number;
  /** The deciding rule depends on who asks: for an anonymous subject, sign in and decide again. */
  hasSubjects: boolean;
}

export interface RuleExplanation {
  index: number;
  matched: boolean;
  /** For an anonymous subject: everything but the subject matched (it would decide once signed in, maybe). */
  potential: boolean;
  reason: string;
}

type Subject = AccessSubject;

/** What of the URL rules look at: the host name, the cleaned path with the raw query, the query parameters. */
interface Target {
  host: string;
  path: string;
  query: Map<string, string[]>;
  method: string;
}

/** A matcher of a domain or resource text; `subjects` says whether it depends on who asks. */
interface TextMatcher {
  describe: string;
  subjects: boolean;
  test(text: string, subject: Subject): boolean;
}

interface QueryCondition {
  describe: string;
  test(query: Map<string, string[]>): boolean;
}

interface CompiledRule {
  policy: AccessPolicy;
  hasSubjects: boolean;
  domains: TextMatcher[];
  resources: TextMatcher[];
  query: QueryCondition[][];
  methods: string[];
  networks?: BlockList;
  networkText: string[];
  subjects: Subjects;
}

export class AccessControl {
  readonly defaultPolicy: AccessPolicy;
  private readonly rules: CompiledRule[];

  constructor(accessControl: AccessControlConfig, definitions: DefinitionsConfig | undefined) {
    this.defaultPolicy = accessControl?.default_policy ?? 'deny';
    const networks = namedNetworks(accessControl, definitions);
    this.rules = (accessControl?.rules ?? []).map((rule) => compileRule(rule, networks));
  }

  /** The number of rules (the admin view lists them from the configuration). */
  get size(): number {
    return this.rules.length;
  }

  decide(subject: AccessSubject, object: AccessObject): AccessDecision {
    const target = targetOf(object);
    for (const [index, rule] of this.rules.entries())
      if (ruleMatches(rule, subject, target))
        return { policy: rule.policy, rule: index, hasSubjects: rule.hasSubjects };
    return { policy: this.defaultPolicy, hasSubjects: false };
  }

  /** The decision, and for each rule whether it matched and why (not); rules after the deciding one are "not reached". */
  explain(
    subject: AccessSubject,
    object: AccessObject,
  ): { decision: AccessDecision; rules: RuleExplanation[] } {
    const target = targetOf(object);
    const decision = this.decide(subject, object);
    const rules = this.rules.map((rule, index) => {
      const result = explainRule(rule, subject, target);
      if (decision.rule !== undefined && index > decision.rule)
        return {
          index,
          matched: false,
          potential: false,
          reason: `not reached (rule ${decision.rule + 1} decided)`,
        };
      return { index, ...result };
    });
    return { decision, rules };
  }
}

function ruleMatches(rule: CompiledRule, subject: Subject, target: Target): boolean {
  return (
    (rule.domains.length === 0 || rule.domains.some((domain) => domain.test(target.host, subject))) &&
    (rule.resources.length === 0 || rule.resources.some((resource) => resource.test(target.path, subject))) &&
    queryMatches(rule, target) &&
    (rule.methods.length === 0 || rule.methods.includes(target.method)) &&
    (!rule.networks || inNetworks(rule.networks, subject.ip)) &&
    (isAnonymous(subject) || subjectsMatch(rule.subjects, subject))
  );
}

function queryMatches(rule: CompiledRule, target: Target): boolean {
  return (
    rule.query.length === 0 ||
    rule.query.some((all) => all.every((condition) => condition.test(target.query)))
  );
}

function explainRule(rule: CompiledRule, subject: Subject, target: Target): Omit<RuleExplanation, 'index'> {
  const miss = (reason: string) => ({ matched: false, potential: false, reason });
  if (rule.domains.length > 0 && !rule.domains.some((domain) => domain.test(target.host, subject)))
    return miss(`host '${target.host}' matches none of ${list(rule.domains.map((d) => d.describe))}`);
  if (rule.resources.length > 0 && !rule.resources.some((resource) => resource.test(target.path, subject)))
    return miss(
      `'${target.path}' matches none of the resources ${list(rule.resources.map((r) => r.describe))}`,
    );
  if (!queryMatches(rule, target))
    return miss(
      `the query meets none of ${list(rule.query.map((all) => all.map((c) => c.describe).join(' and ')))}`,
    );
  if (rule.methods.length > 0 && !rule.methods.includes(target.method))
    return miss(`method ${target.method} is not one of ${rule.methods.join(', ')}`);
  if (rule.networks && !inNetworks(rule.networks, subject.ip))
    return miss(`address ${subject.ip || '(none)'} is in none of ${list(rule.networkText)}`);
  if (isAnonymous(subject) && rule.hasSubjects)
    return {
      matched: true,
      potential: true,
      reason: 'matches: it names subjects, so an anonymous visitor must sign in first',
    };
  if (!isAnonymous(subject) && !subjectsMatch(rule.subjects, subject))
    return miss(`the user is none of ${list(rule.subjects.map((all) => all.join(' and ')))}`);
  return { matched: true, potential: false, reason: 'matches' };
}

function list(items: readonly string[]): string {
  return items.map((item) => `'${item}'`).join(', ');
}

function compileRule(
  rule: NonNullable<AccessControlConfig>['rules'][number],
  networks: Record<string, string[]>,
): CompiledRule {
  const domains = [...rule.domain.map(domainMatcher), ...rule.domain_regex.map((p) => patternMatcher(p))];
  const resources = rule.resources.map((p) => patternMatcher(p));
  const subjects = rule.subject.filter((all) => all.length > 0);
  return {
    policy: rule.policy,
    hasSubjects: subjects.length > 0 || [...domains, ...resources].some((matcher) => matcher.subjects),
    domains,
    resources,
    query: rule.query.map((all) => all.map(queryCondition)),
    methods: rule.methods.map((method) => method.toUpperCase()),
    networks: compileNetworks(rule.networks, networks),
    networkText: rule.networks,
    subjects,
  };
}

/** `*.example.com`: any name below; `{user}.x` / `{group}.x`: the user's name / a group of theirs; else exact. */
export function domainMatcher(domain: string): TextMatcher {
  const lower = domain.toLowerCase();
  const base = { describe: domain, subjects: false };
  if (lower.startsWith('*.')) {
    const suffix = lower.slice(1);
    return { ...base, test: (host) => host.endsWith(suffix) };
  }
  for (const [placeholder, identity] of [
    ['{user}', 'user'],
    ['{group}', 'group'],
  ] as const) {
    if (!lower.startsWith(placeholder)) continue;
    const suffix = lower.slice(placeholder.length);
    return {
      ...base,
      subjects: true,
      test: (host, subject) => placeholderMatches(identity, suffix, host, subject),
    };
  }
  return { ...base, test: (host) => host === lower };
}

function placeholderMatches(
  identity: 'user' | 'group',
  suffix: string,
  host: string,
  subject: Subject,
): boolean {
  // Anonymous: any name in its place matches, so the visitor is asked to sign in first.
  if (isAnonymous(subject)) return host.endsWith(suffix) && host.length > suffix.length;
  if (identity === 'user') return host === `${subject.username ?? ''}${suffix}`;
  const dot = host.indexOf('.');
  if (dot < 0 || host.slice(dot) !== suffix) return false;
  const label = host.slice(0, dot);
  return subject.groups.some((group) => group.toLowerCase() === label);
}

/** An RE2 pattern searched in the text; named groups `User`/`Group` must be the user's name / one of their groups. */
export function patternMatcher(pattern: string): TextMatcher {
  const regex = compilePattern(pattern);
  const named = regex.namedGroups();
  const userGroup = named.User;
  const groupGroup = named.Group;
  if (userGroup === undefined && groupGroup === undefined)
    return { describe: pattern, subjects: false, test: (text) => regex.test(text) };
  return {
    describe: pattern,
    subjects: true,
    test: (text, subject) => identityPatternMatches(regex, userGroup, groupGroup, text, subject),
  };
}

function identityPatternMatches(
  regex: RE2JS,
  userGroup: number | undefined,
  groupGroup: number | undefined,
  text: string,
  subject: Subject,
): boolean {
  const matcher = regex.matcher(text);
  if (!matcher.find()) return false;
  if (isAnonymous(subject)) return true;
  const fold = (value: string | null) => (value ?? '').toLowerCase();
  if (userGroup !== undefined && fold(matcher.group(userGroup)) !== fold(subject.username ?? ''))
    return false;
  if (groupGroup !== undefined) {
    const wanted = fold(matcher.group(groupGroup));
    if (!subject.groups.some((group) => group.toLowerCase() === wanted)) return false;
  }
  return true;
}

function queryCondition(condition: { key: string; operator: string; value?: string }): QueryCondition {
  const { key, operator, value = '' } = condition;
  const first = (query: Map<string, string[]>) => query.get(key)?.[0] ?? '';
  const describe = `${key} ${operator}${value ? ` '${value}'` : ''}`;
  switch (operator) {
    case 'present':
      return { describe, test: (query) => query.has(key) };
    case 'absent':
      return { describe, test: (query) => !query.has(key) };
    case 'equal':
      return { describe, test: (query) => first(query) === value };
    case 'not equal':
      return { describe, test: (query) => first(query) !== value };
    default: {
      const regex = compilePattern(value);
      const wanted = operator === 'pattern';
      return { describe, test: (query) => regex.test(first(query)) === wanted };
    }
  }
}

function targetOf(object: AccessObject): Target {
  const { url } = object;
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return { host, path: fullCleanPath(url), query: parseQuery(url.search.slice(1)), method: object.method };
}

/** The path (percent-decoded, dot segments and repeated slashes removed, a trailing slash kept) and the raw query. */
export function fullCleanPath(url: URL): string {
  const raw = url.pathname || '/';
  const query = url.search.slice(1);
  if (raw === '/') return query ? `/?${query}` : '/';
  const trailing = raw.endsWith('/');
  const clean = cleanPath(percentDecode(raw));
  const path = trailing ? `${clean}/` : clean;
  return query ? `${path}?${query}` : path;
}

/** Decodes %XX escapes to UTF-8 (an invalid sequence becomes U+FFFD, a malformed escape stays as it is). */
function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Lexical cleaning of an absolute path, as Go's path.Clean. */
function cleanPath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

/** Query parameters as Go reads them: `&`-separated, `+` is a space; pairs with `;` or a bad escape are skipped. */
function parseQuery(raw: string): Map<string, string[]> {
  const query = new Map<string, string[]>();
  for (const pair of raw.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const equals = pair.indexOf('=');
    const [rawKey, rawValue] = equals < 0 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)];
    try {
      const key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      const value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
      query.set(key, [...(query.get(key) ?? []), value]);
    } catch {
      continue;
    }
  }
  return query;
}
