// The load generator for multi-step scenarios, run as its own process by bench/run.ts:
//   node bench/loadgen.ts '<FlowJob as JSON>'
// N virtual users, each with its own cookie jar, loop over one scenario; one JSON line comes out.
//   code-flow      authorize (session present) → code → token (PKCE) → userinfo; latency = whole flow
//   refresh        refresh_token grant with rotation; each user always presents its newest token
//   login          authorize → login page → POST username/password (timed) → redirect
import { CookieJar, HttpClient } from './lib/http.ts';
import { printResult, summarize, type FlowJob } from './lib/jobs.ts';
import {
  authorizationUrl,
  browse,
  discover,
  exchangeCode,
  parseForm,
  pkce,
  refresh,
  signIn,
  userinfo,
  type Endpoints,
} from './lib/oidc.ts';
import { MeasuredWindow } from './lib/window.ts';

const FLOW_SCOPE = 'openid profile email';
const OFFLINE_SCOPE = 'openid profile email offline_access';

const job = JSON.parse(process.argv[2] ?? '{}') as FlowJob;
// Never outlive the job, whatever happens to the server.
setTimeout(() => process.exit(2), (job.warmupSec + job.durationSec + 90) * 1000).unref();

const http = new HttpClient(job.users * 2);
const endpoints: Endpoints = await discover(http, job.baseUrl);

interface VirtualUser {
  jar: CookieJar;
  refreshToken?: string;
}

async function setUp(): Promise<VirtualUser> {
  const user: VirtualUser = { jar: new CookieJar() };
  if (job.kind === 'code-flow') {
    // Logs in once: the flows that follow find the session.
    await signIn(http, user.jar, endpoints, job.client, job.credentials, FLOW_SCOPE, job.setupParameters);
  } else if (job.kind === 'refresh') {
    const tokens = await signIn(
      http,
      user.jar,
      endpoints,
      job.client,
      job.credentials,
      OFFLINE_SCOPE,
      job.setupParameters,
    );
    if (!tokens.refresh_token) throw new Error('no refresh token was issued for offline_access');
    user.refreshToken = tokens.refresh_token;
  }
  return user;
}

/** One operation; returns its latency in milliseconds. */
async function operate(user: VirtualUser): Promise<number> {
  const started = performance.now();
  switch (job.kind) {
    case 'code-flow': {
      const { verifier, challenge } = pkce();
      // Without credentials: a login form here would mean the session was lost, an error.
      const code = await browse(
        http,
        user.jar,
        authorizationUrl(endpoints, job.client, challenge, FLOW_SCOPE),
        job.client,
        undefined,
      );
      const tokens = await exchangeCode(http, endpoints, job.client, code, verifier);
      const claims = await userinfo(http, endpoints, tokens.access_token);
      if (typeof claims.sub !== 'string') throw new Error('userinfo has no sub');
      return performance.now() - started;
    }
    case 'refresh': {
      const tokens = await refresh(http, endpoints, job.client, user.refreshToken!);
      if (!tokens.refresh_token) throw new Error('the refresh token was not rotated');
      user.refreshToken = tokens.refresh_token;
      return performance.now() - started;
    }
    case 'login': {
      // A fresh browser every time: no session, so the login page comes.
      const jar = new CookieJar();
      const { challenge } = pkce();
      const start = authorizationUrl(endpoints, job.client, challenge, FLOW_SCOPE);
      const first = await http.get(start, { jar });
      const page = first.headers.location ? new URL(first.headers.location, start) : undefined;
      if (first.status !== 303 || !page)
        throw new Error(`authorize answered ${first.status}, not a redirect`);
      const form = parseForm((await http.get(page, { jar })).body);
      if (!form?.isLogin) throw new Error('no login form');
      const submitted = performance.now();
      const answer = await http.post(new URL(form.action, page), {
        jar,
        form: { ...form.fields, username: job.credentials!.username, password: job.credentials!.password },
      });
      if (answer.status !== 303)
        throw new Error(`login answered ${answer.status}: ${answer.body.slice(0, 200)}`);
      return performance.now() - submitted;
    }
  }
}

async function loop(user: VirtualUser, window: MeasuredWindow): Promise<void> {
  while (window.running) {
    try {
      window.success(await operate(user));
    } catch (error) {
      window.failure(error);
      // A broken refresh chain is started again (not counted), so one error does not stop a user.
      if (job.kind === 'refresh' && window.running) Object.assign(user, await setUp().catch(() => user));
    }
  }
}

const users = await Promise.all(Array.from({ length: job.users }, () => setUp()));
const window = new MeasuredWindow(job.warmupSec, job.durationSec);
await Promise.all(users.map((user) => loop(user, window)));
await window.finished;
http.close();
printResult(
  summarize(window.latencies, window.completed, window.errors, window.errorSamples, window.durationSec),
);
