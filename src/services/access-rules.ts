// The forward-auth rules as the admin UI, the API and the CLI show them, and the tester: "would
// this user, reaching this URL with this method from this address, be let in, and by which rule?"
// The rules come from the configuration file (`access_control`), so they are read-only here.
import { isIP } from 'node:net';
import { AccessControl, type AccessDecision, type RuleExplanation } from '../auth/access-control.ts';
import { ACCESS_METHODS, type AccessControlConfig } from '../config/access-control-schema.ts';
import type { SesameConfig } from '../config/load.ts';
import { InvalidInputError } from '../lib/errors.ts';
import type { Store } from '../store/index.ts';

/** One rule as lists show it: its criteria in words; empty lists mean "any". */
export interface AccessRuleRow {
  /** 0-based, as in access_control.rules. */
  index: number;
  policy: string;
  domains: string[];
  subjects: string[];
  networks: string[];
  resources: string[];
  methods: string[];
  query: string[];
}

export interface AccessRules {
  /** Whether the configuration has an access_control section (without one, forward-auth denies everything). */
  configured: boolean;
  defaultPolicy: string;
  rules: AccessRuleRow[];
}

export interface AccessCheckInput {
  /** Empty or absent: an anonymous visitor. */
  username?: string;
  url: string;
  method?: string;
  ip?: string;
}

export interface AccessCheckResult {
  /** The user as found (undefined: anonymous). */
  user?: { username: string; groups: string[]; disabled: boolean };
  url: string;
  method: string;
  ip: string;
  decision: AccessDecision;
  /** Each rule, whether it matched, and why (not). */
  rules: RuleExplanation[];
}

type RuleConfig = NonNullable<AccessControlConfig>['rules'][number];

function rowOf(rule: RuleConfig, index: number): AccessRuleRow {
  return {
    index,
    policy: rule.policy,
    domains: [...rule.domain, ...rule.domain_regex.map((pattern) => `regex: ${pattern}`)],
    subjects: rule.subject.map((all) => all.join(' and ')),
    networks: rule.networks,
    resources: rule.resources,
    methods: rule.methods,
    query: rule.query.map((all) =>
      all.map((c) => `${c.key} ${c.operator}${c.value === undefined ? '' : ` '${c.value}'`}`).join(' and '),
    ),
  };
}

export class AccessRuleService {
  private readonly store: Store;
  private readonly section: AccessControlConfig;
  private readonly control: AccessControl;
  constructor(store: Store, config: SesameConfig) {
    this.store = store;
    this.section = config.access_control;
    this.control = new AccessControl(config.access_control, config.definitions);
  }

  list(): AccessRules {
    return {
      configured: this.section !== undefined,
      defaultPolicy: this.control.defaultPolicy,
      rules: (this.section?.rules ?? []).map(rowOf),
    };
  }

  async check(input: AccessCheckInput): Promise<AccessCheckResult> {
    const url = parseTarget(input.url);
    const method = (input.method?.trim() || 'GET').toUpperCase();
    if (!(ACCESS_METHODS as readonly string[]).includes(method))
      throw new InvalidInputError(
        `'${method}' is not an HTTP method rules know (${ACCESS_METHODS.join(', ')})`,
        'method',
      );
    const ip = input.ip?.trim() ?? '';
    if (ip && isIP(ip) === 0) throw new InvalidInputError(`'${ip}' is not an IP address`, 'ip');
    const user = await this.findUser(input.username?.trim());
    const subject = { username: user?.username, groups: user?.groups ?? [], ip };
    const { decision, rules } = this.control.explain(subject, { url, method });
    return { user, url: url.href, method, ip, decision, rules };
  }

  private async findUser(username: string | undefined) {
    if (!username) return undefined;
    const user = await this.store.users.findByUsername(username);
    if (!user)
      throw new InvalidInputError(
        `there is no user named '${username}' (leave the user empty to test an anonymous visitor)`,
        'user',
      );
    return { username: user.username, groups: user.groups, disabled: user.disabled };
  }
}

function parseTarget(text: string): URL {
  const trimmed = text.trim();
  const url = URL.canParse(trimmed) ? new URL(trimmed) : undefined;
  if (!url || !/^https?:$/.test(url.protocol) || !url.hostname)
    throw new InvalidInputError(
      `'${trimmed}' is not an absolute http(s) URL, such as https://app.example.com/path`,
      'url',
    );
  return url;
}
