// Login latency with the LDAP directory against the database, in one run (see docs/ldap.md):
// `node bench/ldap-login.ts [logins] [--pooling]` starts a real slapd and one Sesame with both backends, then
// signs a directory user and a database user in `logins` times each, alternately and one at a
// time, timing the POST of the login form (where the password is checked) and the whole flow.
import { performance } from 'node:perf_hooks';
import { createHash, randomBytes } from 'node:crypto';
import { jarRequest } from '../test/support/flows.ts';
import { LDAP_PASSWORD, skipWithoutSlapd, startDirectory } from '../test/support/ldap.ts';
import { startTestSesame, type TestSesame } from '../test/support/sesame.ts';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const DATABASE_PASSWORD = 'Database-Pass-2024!';

/** One authorization up to the code; the milliseconds of the login POST and of the whole flow. */
async function timedLogin(sesame: TestSesame, username: string, password: string) {
  const started = performance.now();
  const url = new URL(`${sesame.url}/api/oidc/authorization`);
  const verifier = randomBytes(32).toString('base64url');
  for (const [key, value] of Object.entries({
    client_id: 'app',
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid profile email groups',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(key, value);
  const jar = new Map<string, string>();
  let location = url.href;
  let answer = await jarRequest(jar, location);
  while (answer.location) answer = await jarRequest(jar, (location = answer.location));
  const action = /<form method="post" action="([^"]*\/login)"/.exec(answer.body)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(answer.body)?.[1];
  if (!action || !csrf) throw new Error('no login form');
  const posted = performance.now();
  answer = await jarRequest(jar, new URL(action, location).href, { csrf, username, password });
  const post = performance.now() - posted;
  while (answer.location && !answer.location.startsWith(REDIRECT_URI))
    answer = await jarRequest(jar, answer.location);
  if (!answer.location?.includes('code='))
    throw new Error(
      `${username} did not get a code (${answer.status}): ${answer.body.replace(/\s+/g, ' ').slice(-1500)}`,
    );
  return { post, flow: performance.now() - started };
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return `median ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, mean ${mean.toFixed(2)} ms`;
}

async function main(): Promise<void> {
  const skip = skipWithoutSlapd();
  if (skip) throw new Error(skip);
  const logins = Number(process.argv[2] ?? 300);
  // `--pooling`: keep the service account's connections open (authentication_backend.ldap.pooling).
  const pooling: Record<string, string> = process.argv.includes('--pooling')
    ? { pooling: '\n      enable: true' }
    : {};
  const directory = await startDirectory();
  const sesame = await startTestSesame(
    'sqlite',
    `    clients:
      - client_id: app
        client_secret: bench-secret-0123456789-0123456789
        consent_mode: implicit
        authorization_policy: one_factor
        scopes: [openid, profile, email, groups]
        redirect_uris: ['${REDIRECT_URI}']
`,
    {
      backendYaml: `  ldap:\n${directory.backendYaml({ start_tls: 'true', tls: `\n      skip_verify: true`, ...pooling })}\n`,
    },
  );
  try {
    await sesame.addUser({ username: 'erin', password: DATABASE_PASSWORD, groups: ['staff'] });
    const times = {
      ldap: { post: [] as number[], flow: [] as number[] },
      database: { post: [] as number[], flow: [] as number[] },
    };
    for (let round = -10; round < logins; round++) {
      const ldap = await timedLogin(sesame, 'alice', LDAP_PASSWORD);
      const database = await timedLogin(sesame, 'erin', DATABASE_PASSWORD);
      if (round < 0) continue; // warm-up
      times.ldap.post.push(ldap.post);
      times.ldap.flow.push(ldap.flow);
      times.database.post.push(database.post);
      times.database.flow.push(database.flow);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.log(
      `${logins} sequential logins each (StartTLS directory${pooling.pooling ? ', pooled' : ''}, argon2id 8 MiB/1 pass for the database user)`,
    );
    console.log(`login POST  LDAP:     ${summary(times.ldap.post)}`);
    console.log(`login POST  database: ${summary(times.database.post)}`);
    console.log(`whole flow  LDAP:     ${summary(times.ldap.flow)}`);
    console.log(`whole flow  database: ${summary(times.database.flow)}`);
    console.log(
      `ratio LDAP / database (median login POST): ${(median(times.ldap.post) / median(times.database.post)).toFixed(2)}`,
    );
  } finally {
    await sesame.stop();
    await directory.stop();
  }
}

await main();
