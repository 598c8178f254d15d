import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { accessControlSchema, definitionsSchema, namedNetworks } from '../config/access-control-schema.ts';
import { loadConfig } from '../config/load.ts';
import { ConfigError, formatProblems } from '../config/report.ts';
import { AccessControl, type AccessSubject, fullCleanPath } from './access-control.ts';
import { AuthorizationPolicies } from './policy.ts';

function acl(section: unknown, definitions?: unknown): AccessControl {
  return new AccessControl(accessControlSchema.parse(section), definitionsSchema.parse(definitions));
}

const anonymous: AccessSubject = { groups: [], ip: '192.0.2.1' };
const john: AccessSubject = { username: 'john', groups: ['admins', 'dev'], ip: '192.168.1.20' };
const harry: AccessSubject = { username: 'harry', groups: ['dev'], ip: '10.0.0.7' };
const bob: AccessSubject = { username: 'bob', groups: ['Family'], ip: '2001:db8::5' };

function decide(control: AccessControl, subject: AccessSubject, url: string, method = 'GET') {
  return control.decide(subject, { url: new URL(url), method });
}

// Ported in spirit from Authelia's access control documentation and integration suites.
const RULES = acl(
  {
    default_policy: 'deny',
    networks: [{ name: 'internal', networks: ['10.0.0.0/8', '172.16.0.0/12'] }],
    rules: [
      { domain: 'public.example.com', policy: 'bypass' },
      { domain: 'secure.example.com', policy: 'bypass', methods: ['OPTIONS'] },
      { domain: 'secure.example.com', policy: 'two_factor' },
      { domain: ['*.internal.example.com'], networks: ['internal', '192.168.1.0/24'], policy: 'one_factor' },
      { domain: 'nas.example.com', networks: ['home'], policy: 'bypass' },
      { domain: 'v6.example.com', networks: ['2001:db8::/32'], policy: 'one_factor' },
      { domain_regex: '^(?P<User>\\w+)\\.users\\.example\\.com$', policy: 'one_factor' },
      { domain_regex: '^(?P<Group>\\w+)\\.groups\\.example\\.com$', policy: 'one_factor' },
      { domain: '{user}.home.example.com', policy: 'two_factor' },
      { domain: '{group}.team.example.com', policy: 'one_factor' },
      {
        domain: 'dev.example.com',
        resources: ['^/groups/dev/.*$'],
        subject: 'group:dev',
        policy: 'two_factor',
      },
      { domain: 'dev.example.com', resources: ['^/users/(?P<User>\\w+)/.*$'], policy: 'one_factor' },
      { domain: 'both.example.com', subject: [['group:admins', 'group:dev']], policy: 'one_factor' },
      { domain: 'either.example.com', subject: ['user:harry', 'group:Family'], policy: 'one_factor' },
      {
        domain: 'api.example.com',
        query: [
          [
            { key: 'token', operator: 'present' },
            { key: 'mode', operator: 'not equal', value: 'admin' },
          ],
          [{ key: 'page', operator: 'pattern', value: '^[0-9]+$' }],
        ],
        policy: 'bypass',
      },
      { domain: 'api.example.com', query: [[{ key: 'debug' }]], policy: 'deny' },
      { domain: 'api.example.com', policy: 'one_factor' },
      { domain: '*.example.com', subject: 'group:admins', policy: 'two_factor' },
    ],
  },
  { network: { home: ['192.168.1.0/24', 'fd00::/8'] } },
);

const CASES: [string, AccessSubject, string, string, string, number | undefined][] = [
  // [what, subject, url, method, expected policy, expected rule index]
  ['exact domain, case-insensitive', anonymous, 'https://PUBLIC.example.com/', 'GET', 'bypass', 0],
  ['method rule: OPTIONS bypasses', anonymous, 'https://secure.example.com/x', 'OPTIONS', 'bypass', 1],
  ['method rule: GET falls through', anonymous, 'https://secure.example.com/x', 'GET', 'two_factor', 2],
  ['wildcard + named network', harry, 'https://wiki.internal.example.com/', 'GET', 'one_factor', 3],
  ['wildcard + CIDR network', john, 'https://a.b.internal.example.com/', 'GET', 'one_factor', 3],
  [
    'wildcard is below, not the domain itself',
    harry,
    'https://internal.example.com/',
    'GET',
    'deny',
    undefined,
  ],
  ['wildcard, network outside', bob, 'https://wiki.internal.example.com/', 'GET', 'deny', undefined],
  ['definitions.network name', john, 'https://nas.example.com/', 'GET', 'bypass', 4],
  [
    'IPv4-mapped client address',
    { ...anonymous, ip: '::ffff:192.168.1.9' },
    'https://nas.example.com/',
    'GET',
    'bypass',
    4,
  ],
  ['IPv6 network', bob, 'https://v6.example.com/', 'GET', 'one_factor', 5],
  ['IPv6 definition', { ...anonymous, ip: 'fd00::1' }, 'https://nas.example.com/', 'GET', 'bypass', 4],
  ['domain_regex User group: own name', john, 'https://john.users.example.com/', 'GET', 'one_factor', 6],
  [
    'domain_regex User group: case-insensitive',
    john,
    'https://JOHN.users.example.com/',
    'GET',
    'one_factor',
    6,
  ],
  [
    'domain_regex User group: someone else',
    harry,
    'https://john.users.example.com/',
    'GET',
    'deny',
    undefined,
  ],
  [
    'domain_regex User group: anonymous must sign in',
    anonymous,
    'https://john.users.example.com/',
    'GET',
    'one_factor',
    6,
  ],
  ['domain_regex Group group', harry, 'https://dev.groups.example.com/', 'GET', 'one_factor', 7],
  [
    'domain_regex Group group: not a member',
    bob,
    'https://dev.groups.example.com/',
    'GET',
    'deny',
    undefined,
  ],
  ['{user} domain', harry, 'https://harry.home.example.com/', 'GET', 'two_factor', 8],
  ['{user} domain: other user', harry, 'https://john.home.example.com/', 'GET', 'deny', undefined],
  ['{user} domain: anonymous', anonymous, 'https://john.home.example.com/', 'GET', 'two_factor', 8],
  [
    '{user} domain: anonymous, bare suffix is not a user (the last rule decides)',
    anonymous,
    'https://.home.example.com/',
    'GET',
    'two_factor',
    17,
  ],
  [
    '{group} domain, groups compare case-insensitively',
    bob,
    'https://family.team.example.com/',
    'GET',
    'one_factor',
    9,
  ],
  ['resources + subject', harry, 'https://dev.example.com/groups/dev/readme', 'GET', 'two_factor', 10],
  [
    'resources: path is cleaned first',
    harry,
    'https://dev.example.com/x/../groups//dev/a',
    'GET',
    'two_factor',
    10,
  ],
  [
    'resources: encoded slash decoded as Authelia does',
    harry,
    'https://dev.example.com/groups%2Fdev/a',
    'GET',
    'two_factor',
    10,
  ],
  ['resources User group', bob, 'https://dev.example.com/users/bob/files', 'GET', 'one_factor', 11],
  [
    'resources User group: other user',
    bob,
    'https://dev.example.com/users/john/files',
    'GET',
    'deny',
    undefined,
  ],
  ['subject and-list: all hold', john, 'https://both.example.com/', 'GET', 'one_factor', 12],
  ['subject and-list: one missing', harry, 'https://both.example.com/', 'GET', 'deny', undefined],
  ['subject or-list: user', harry, 'https://either.example.com/', 'GET', 'one_factor', 13],
  ['subject or-list: group', bob, 'https://either.example.com/', 'GET', 'one_factor', 13],
  [
    'subject: anonymous counts as matching',
    anonymous,
    'https://either.example.com/',
    'GET',
    'one_factor',
    13,
  ],
  [
    'query: present and not equal',
    anonymous,
    'https://api.example.com/?token=1&mode=user',
    'GET',
    'bypass',
    14,
  ],
  [
    'query: not equal fails',
    anonymous,
    'https://api.example.com/?token=1&mode=admin',
    'GET',
    'one_factor',
    16,
  ],
  ['query: second alternative pattern', anonymous, 'https://api.example.com/?page=42', 'GET', 'bypass', 14],
  ['query: pattern fails', anonymous, 'https://api.example.com/?page=4x', 'GET', 'one_factor', 16],
  ['query: default operator present', anonymous, 'https://api.example.com/?debug', 'GET', 'deny', 15],
  ['query: + is a space', anonymous, 'https://api.example.com/?token&mode=ad+min', 'GET', 'bypass', 14],
  ['default policy', john, 'https://unknown.example.org/', 'GET', 'deny', undefined],
  ['last rule with subject', john, 'https://else.example.com/', 'GET', 'two_factor', 17],
  [
    'last rule: anonymous is sent to sign in',
    anonymous,
    'https://else.example.com/',
    'GET',
    'two_factor',
    17,
  ],
];

describe('access control rules', () => {
  for (const [what, subject, url, method, policy, rule] of CASES)
    test(what, () => {
      const decision = decide(RULES, subject, url, method);
      assert.deepEqual([decision.policy, decision.rule], [policy, rule]);
    });

  test('hasSubjects tells a rule that depends on who asks', () => {
    assert.equal(decide(RULES, anonymous, 'https://public.example.com/').hasSubjects, false);
    assert.equal(decide(RULES, anonymous, 'https://either.example.com/').hasSubjects, true);
    assert.equal(decide(RULES, anonymous, 'https://john.home.example.com/').hasSubjects, true);
    assert.equal(decide(RULES, anonymous, 'https://x.users.example.com/').hasSubjects, true);
    assert.equal(decide(RULES, john, 'https://unknown.example.org/').hasSubjects, false);
  });

  test('an OAuth 2.0 client subject', () => {
    const control = acl({
      rules: [{ domain: 'm.example.com', subject: 'oauth2:client:robot', policy: 'one_factor' }],
    });
    const robot = { groups: [], ip: '192.0.2.1', clientId: 'robot' };
    assert.equal(decide(control, robot, 'https://m.example.com/').rule, 0);
    assert.equal(decide(control, { ...robot, clientId: 'other' }, 'https://m.example.com/').rule, undefined);
  });

  test('default_policy is deny unless set', () => {
    const control = acl({ rules: [{ domain: 'a.example.com', policy: 'bypass' }] });
    assert.equal(decide(control, john, 'https://b.example.com/').policy, 'deny');
    assert.equal(
      new AccessControl(undefined, undefined).decide(john, { url: new URL('https://x/'), method: 'GET' })
        .policy,
      'deny',
    );
  });

  test('explain says why each earlier rule did not match', () => {
    const { decision, rules } = RULES.explain(harry, {
      url: new URL('https://dev.example.com/users/bob/x'),
      method: 'GET',
    });
    assert.equal(decision.policy, 'deny');
    assert.equal(decision.rule, undefined);
    assert.match(rules[0]!.reason, /host 'dev.example.com' matches none of 'public.example.com'/);
    assert.match(rules[3]!.reason, /matches none of '\*\.internal\.example\.com'/);
    assert.match(rules[10]!.reason, /'\/users\/bob\/x' matches none of the resources/);
    assert.match(rules[11]!.reason, /matches none of the resources/);
    const methodMiss = RULES.explain(anonymous, {
      url: new URL('https://secure.example.com/'),
      method: 'GET',
    });
    assert.match(methodMiss.rules[1]!.reason, /method GET is not one of OPTIONS/);
    assert.equal(methodMiss.rules[2]!.matched, true);
    assert.match(methodMiss.rules[3]!.reason, /not reached/);
    const network = RULES.explain(bob, { url: new URL('https://x.internal.example.com/'), method: 'GET' });
    assert.match(network.rules[3]!.reason, /address 2001:db8::5 is in none of 'internal', '192.168.1.0\/24'/);
    const subjects = RULES.explain(harry, { url: new URL('https://both.example.com/'), method: 'GET' });
    assert.match(subjects.rules[12]!.reason, /the user is none of 'group:admins and group:dev'/);
    const potential = RULES.explain(anonymous, {
      url: new URL('https://either.example.com/'),
      method: 'GET',
    });
    assert.equal(potential.rules[13]!.potential, true);
  });

  test('a pathological pattern runs in linear time', () => {
    const control = acl({
      rules: [{ domain: 'x.example.com', resources: ['(a+)+$'], policy: 'one_factor' }],
    });
    const long = `https://x.example.com/${'a'.repeat(50_000)}!`;
    assert.equal(decide(control, john, long).rule, undefined);
    assert.equal(decide(control, john, `https://x.example.com/${'a'.repeat(50_000)}`).rule, 0);
  });

  test('the path rules see: cleaned, decoded, trailing slash and raw query kept', () => {
    assert.equal(fullCleanPath(new URL('https://h/')), '/');
    assert.equal(fullCleanPath(new URL('https://h/?a=b')), '/?a=b');
    assert.equal(fullCleanPath(new URL('https://h/a//b/./c/')), '/a/b/c/');
    assert.equal(fullCleanPath(new URL('https://h/a%20b?x=%20')), '/a b?x=%20');
    assert.equal(fullCleanPath(new URL('https://h/public%2F..%2Fadmin')), '/admin');
  });
});

// --- configuration --------------------------------------------------------------------------------

const BASE = `server:
  address: tcp://127.0.0.1:9091/
storage:
  encryption_key: a-very-long-encryption-key-for-tests
  local:
    path: db.sqlite3
identity_providers:
  oidc:
    hmac_secret: this-is-a-hmac-secret-of-at-least-32-characters
    clients:
      - client_id: robot
        client_secret: '$pbkdf2-sha512$310000$c8p78n7pUMln0jzvd4aK4Q$JNRBzwAo0ek5qKn50cFzzvE9RXV88h1wJn5KGiHrD0YKtZaR/nCb2CJPOsKaPK0hjf.9yHxzQGZziziccp6Yng'
        redirect_uris: ['https://robot.example.com/cb']
`;

function load(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'sesame-acl-')), 'sesame.yml');
  writeFileSync(file, BASE + text);
  return loadConfig(file, {});
}

function problems(text: string): string {
  try {
    load(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return formatProblems(error.problems);
  }
  assert.fail('the configuration was accepted');
}

describe('access_control configuration', () => {
  test('the OpenID Connect authorization policies use the same named networks; an unknown one is refused', () => {
    const policy = (network: string) => `    authorization_policies:
      lan_only:
        default_policy: deny
        rules:
          - policy: one_factor
            networks: [${network}]
definitions:
  network:
    lan: 192.168.0.0/16
`;
    const config = load(policy('lan'));
    const policies = new AuthorizationPolicies(
      config.identity_providers.oidc.authorization_policies,
      namedNetworks(config.access_control, config.definitions),
    );
    const who = (clientIp: string) =>
      policies.decide('lan_only', [], { username: 'john', groups: [], clientIp }).level;
    assert.equal(who('192.168.4.2'), 'one_factor');
    assert.equal(who('10.0.0.1'), 'deny');
    assert.match(
      problems(policy('office')),
      /identity_providers\.oidc\.authorization_policies\.lan_only\.rules\[0\]\.networks\[0\]: 'office' is neither a defined network name/,
    );
  });

  test('a full section loads, with names and lists normalized', () => {
    const config = load(`definitions:
  network:
    lan: 192.168.0.0/16
access_control:
  networks:
    - name: vpn
      networks: [10.8.0.0/24]
  rules:
    - domain: a.example.com
      policy: one_factor
      networks: [lan, vpn, 2001:db8::1]
      subject: ['user:john', ['group:a', 'group:b'], 'oauth2:client:robot']
      methods: [GET, PROPFIND]
      query:
        - - key: q
          - key: r
            value: x
`);
    const rule = config.access_control!.rules[0]!;
    assert.equal(config.access_control!.default_policy, 'deny');
    assert.deepEqual(rule.domain, ['a.example.com']);
    assert.deepEqual(rule.subject, [['user:john'], ['group:a', 'group:b'], ['oauth2:client:robot']]);
    assert.deepEqual(rule.query[0], [
      { key: 'q', operator: 'present' },
      { key: 'r', operator: 'equal', value: 'x' },
    ]);
  });

  test('an invalid regex names its key path', () => {
    const text = problems(`access_control:
  rules:
    - domain_regex: ['^ok$', '^(broken$']
      policy: one_factor
`);
    assert.match(text, /access_control\.rules\[0\]\.domain_regex\[1\].*not a valid regular expression/);
  });

  test("Authelia's rule checks", () => {
    const text = problems(`access_control:
  rules:
    - policy: one_factor
    - domain: a.example.com
      policy: bypass
      subject: group:admins
    - domain_regex: '^(?P<User>\\w+)\\.example\\.com$'
      policy: bypass
    - domain: b.example.com
      policy: maybe
    - domain: c.example.com
      policy: deny
      subject: 'admins'
      methods: [GET, get, GET]
      networks: [nowhere, 10.0.0.0/33]
    - domain: d.example.com
      policy: deny
      subject: oauth2:client:ghost
      resources: ['[z-a]']
      query:
        - - key: x
            operator: pattern
          - operator: present
            key: y
            value: z
          - key: w
            operator: like
            value: v
          - key: n
            value: 3
`);
    for (const expected of [
      /access_control\.rules\[0\]: needs a domain or a domain_regex/,
      /access_control\.rules\[1\]\.subject: a bypass rule cannot have subjects/,
      /access_control\.rules\[2\]\.domain_regex: a bypass rule cannot use the User or Group named groups/,
      /access_control\.rules\[3\]\.policy/,
      /access_control\.rules\[4\]\.subject: 'admins' must start with 'user:', 'group:' or 'oauth2:client:'/,
      /access_control\.rules\[4\]\.methods\[1\]/,
      /access_control\.rules\[4\]\.methods: lists GET more than once/,
      /access_control\.rules\[4\]\.networks\[0\]: 'nowhere' is neither a defined network name nor an IP address or CIDR/,
      /access_control\.rules\[4\]\.networks\[1\]/,
      /access_control\.rules\[5\]\.subject: 'oauth2:client:ghost' names a client/,
      /access_control\.rules\[5\]\.resources\[0\].*not a valid regular expression/,
      /access_control\.rules\[5\]\.query\[0\]\[0\]\.value: is required with operator 'pattern'/,
      /access_control\.rules\[5\]\.query\[0\]\[1\]\.value: must not be set with operator 'present'/,
      /access_control\.rules\[5\]\.query\[0\]\[2\]\.operator: 'like' is not an operator/,
      /access_control\.rules\[5\]\.query\[0\]\[3\]\.value: must be a string/,
    ])
      assert.match(text, expected);
  });

  test('default_policy deny or bypass needs rules; a network name is defined once', () => {
    assert.match(
      problems('access_control: {}\n'),
      /access_control\.default_policy: 'deny' is not allowed without rules/,
    );
    assert.doesNotThrow(() => load('access_control:\n  default_policy: one_factor\n'));
    const text = problems(`definitions:
  network:
    lan: [192.168.0.0/16]
access_control:
  default_policy: two_factor
  networks:
    - name: lan
      networks: [not-an-ip]
`);
    assert.match(text, /access_control\.networks\[0\]\.name: 'lan' is also defined in definitions\.network/);
    assert.match(text, /access_control\.networks\[0\]\.networks\[0\]: is not an IP address or CIDR/);
  });

  test("the access_control sections of Authelia's own configurations load", () => {
    const dir = join(import.meta.dirname, '../../test/fixtures/authelia-access-control');
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.yml'))
      .map((name) => join(dir, name));
    let checked = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8').replaceAll('{{ env "SUITE_SUBNET" }}', '192.168.240');
      const data = parseYaml(text) as Record<string, unknown> | null;
      if (!data?.access_control) continue;
      const result = accessControlSchema.safeParse(data.access_control);
      assert.ok(result.success, `${file}: ${JSON.stringify(result.error?.issues)}`);
      assert.ok(definitionsSchema.safeParse(data.definitions).success, file);
      new AccessControl(result.data, definitionsSchema.parse(data.definitions));
      checked++;
    }
    assert.ok(checked >= 10, `only ${checked} files had an access_control section`);
  });
});
