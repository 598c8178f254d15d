// Who may use which client, and with how strong a login: Authelia's `authorization_policy`
// (one_factor, two_factor, deny, or a named policy of rules over subjects and networks), plus the
// allowed groups an application created in the admin UI or CLI may carry.
import type { BlockList } from 'node:net';
import type { POLICY_LEVELS } from '../config/client-model.ts';
import type { Config } from '../config/schema.ts';
import {
  compileNetworks,
  inNetworks,
  type NetworkDefinitions,
  normalizeSubjects,
  type Subjects,
  subjectsMatch,
} from './matchers.ts';

export type Level = (typeof POLICY_LEVELS)[number];

/** The ACR values Sesame states in ID tokens and accepts in acr_values. */
export const ACR = {
  oneFactor: 'urn:sesame:acr:1fa',
  twoFactor: 'urn:sesame:acr:2fa',
  /** OpenID's "phishing-resistant" (a passkey was used). */
  phishingResistant: 'phr',
} as const;
export const ACR_VALUES = [ACR.oneFactor, ACR.twoFactor, ACR.phishingResistant];

export interface PolicySubject {
  username: string;
  groups: string[];
  clientIp?: string;
}

export interface Decision {
  level: Level;
  /** Why, in words an administrator can act on (shown in events, never to the user verbatim). */
  reason: string;
}

type NamedPolicies = Config['identity_providers']['oidc']['authorization_policies'];

interface CompiledRule {
  policy: Level;
  subjects: Subjects;
  networks?: BlockList;
}

export class AuthorizationPolicies {
  private readonly named = new Map<string, { defaultPolicy: Level; rules: CompiledRule[] }>();
  constructor(policies: NamedPolicies, networks: NetworkDefinitions = {}) {
    for (const [name, policy] of Object.entries(policies))
      this.named.set(name, {
        defaultPolicy: policy.default_policy,
        rules: policy.rules.map((rule) => ({
          policy: rule.policy,
          subjects: normalizeSubjects(rule.subject),
          networks: compileNetworks(rule.networks, networks),
        })),
      });
  }

  decide(policy: string, allowedGroups: readonly string[], subject: PolicySubject): Decision {
    if (
      allowedGroups.length > 0 &&
      !subject.groups.some((group) =>
        allowedGroups.some((allowed) => allowed.toLowerCase() === group.toLowerCase()),
      )
    )
      return { level: 'deny', reason: `user is in none of the allowed groups (${allowedGroups.join(', ')})` };
    if (policy === 'one_factor' || policy === 'two_factor' || policy === 'deny')
      return { level: policy, reason: `client policy ${policy}` };
    const named = this.named.get(policy);
    // The configuration loader refuses unknown names; a client from the database could still name a
    // policy since removed from the file: fail closed.
    if (!named) return { level: 'deny', reason: `unknown authorization policy '${policy}'` };
    for (const [index, rule] of named.rules.entries()) {
      const subjectOk = subjectsMatch(rule.subjects, subject);
      const networkOk = !rule.networks || inNetworks(rule.networks, subject.clientIp);
      if (subjectOk && networkOk)
        return { level: rule.policy, reason: `policy ${policy}, rule ${index + 1}` };
    }
    return { level: named.defaultPolicy, reason: `policy ${policy}, default` };
  }
}

/**
 * A login is two-factor when its methods say `mfa`: a password plus a code or security key, or a
 * passkey used with user verification (possession plus PIN or biometrics).
 */
export function isMultiFactor(amr: readonly string[] | undefined): boolean {
  return !!amr && amr.includes('mfa');
}

/** The acr a set of methods earns. */
export function acrFor(amr: readonly string[]): string {
  if (amr.includes('hwk')) return ACR.phishingResistant;
  return isMultiFactor(amr) ? ACR.twoFactor : ACR.oneFactor;
}

/** Whether the first acr_values entry Sesame knows asks for more than a password. */
export function acrAsksForSecondFactor(acrValues: string | undefined): boolean {
  const first = (acrValues ?? '').split(' ').find((value) => ACR_VALUES.includes(value as never));
  return first === ACR.twoFactor || first === ACR.phishingResistant;
}
