// Who and where a rule is about — one definition for both rule sets Authelia has: the
// `access_control` rules (forward-auth) and the OpenID Connect `authorization_policies`.
// Subjects are `user:<name>`, `group:<name>` or `oauth2:client:<id>`; names compare exactly, as
// Authelia compares them. Networks are CIDRs or names from `definitions.network`.
import { BlockList, isIP } from 'node:net';
import { parseNetwork, plainAddress } from '../config/networks.ts';

/** Who asks: a user (with groups), an OAuth 2.0 client, or nobody yet (anonymous). */
export interface SubjectIdentity {
  username?: string;
  groups: readonly string[];
  clientId?: string;
}

/** A rule's `subject`: a string, a list of alternatives, or alternatives that are lists of conditions that must all hold. */
export type SubjectSpec = string | readonly (string | readonly string[])[];

/** Alternatives, each a list of conditions that must all hold. */
export type Subjects = readonly (readonly string[])[];

export function normalizeSubjects(subject: SubjectSpec | undefined): string[][] {
  if (subject === undefined) return [];
  if (typeof subject === 'string') return [[subject]];
  return subject.map((entry) => (typeof entry === 'string' ? [entry] : [...entry]));
}

export const SUBJECT_PREFIXES = ['user:', 'group:', 'oauth2:client:'] as const;

/** An anonymous subject has no name, no groups and is no client (Authelia's definition). */
export function isAnonymous(subject: SubjectIdentity): boolean {
  return !subject.username && subject.groups.length === 0 && !subject.clientId;
}

function conditionHolds(condition: string, subject: SubjectIdentity): boolean {
  for (const prefix of SUBJECT_PREFIXES) {
    if (!condition.startsWith(prefix)) continue;
    const name = condition.slice(prefix.length).trim();
    // Sesame's user and group names are unique regardless of case (the store compares them so),
    // so a rule names the same user or group whichever case it is written in.
    if (prefix === 'user:') return subject.username?.toLowerCase() === name.toLowerCase();
    if (prefix === 'group:')
      return subject.groups.some((group) => group.toLowerCase() === name.toLowerCase());
    return subject.clientId === name;
  }
  return true; // the configuration refuses other prefixes; Authelia drops them
}

/** Whether any alternative holds entirely. An empty list holds for everyone. */
export function subjectsMatch(subjects: Subjects, subject: SubjectIdentity): boolean {
  if (subjects.length === 0) return true;
  if (isAnonymous(subject)) return false;
  return subjects.some((all) => all.every((condition) => conditionHolds(condition, subject)));
}

/** Named network lists (`definitions.network` plus the legacy `access_control.networks`). */
export type NetworkDefinitions = Readonly<Record<string, readonly string[]>>;

/** A rule's networks, names resolved; undefined when the rule has none (it holds for every address). */
export function compileNetworks(
  entries: readonly string[] | undefined,
  definitions: NetworkDefinitions = {},
): BlockList | undefined {
  if (!entries || entries.length === 0) return undefined;
  const list = new BlockList();
  const texts = entries.flatMap((entry) =>
    Object.hasOwn(definitions, entry) ? definitions[entry]! : [entry],
  );
  for (const text of texts) {
    const network = parseNetwork(text);
    // The configuration refuses what does not parse; a leftover can only narrow the rule.
    if (network) list.addSubnet(network.address, network.prefix, network.family);
  }
  return list;
}

/** Whether the client address is in the list; an unknown or missing address is in none. */
export function inNetworks(list: BlockList, ip: string | undefined): boolean {
  if (!ip) return false;
  const plain = plainAddress(ip);
  const family = isIP(plain);
  if (family === 0) return false;
  return list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
}
