// The benchmark harness: `npm run bench` (see docs/performance.md).
// Sesame runs as its own process (bin/sesame.js start), beside a bare oidc-provider baseline; load
// comes from separate processes (autocannon, and bench/loadgen.ts for multi-step flows).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { basicAuth, CookieJar, HttpClient } from './lib/http.ts';
import type { ArgonJob, FlowJob, HttpJob, LoadResult } from './lib/jobs.ts';
import { APP_HOST, domainCookie, forwardedHeaders, PUBLIC_HOST } from './lib/forward-auth.ts';
import { discover, random, signIn, type Credentials, type Endpoints } from './lib/oidc.ts';
import {
  cleanUp,
  freePort,
  installSignalHandlers,
  onCleanup,
  sleep,
  cpuSnapshot,
  cpuSecondsOf,
  otherCpuPercent,
  spawnNode,
  stopProcess,
  type MemoryUsage,
  tail,
  waitForReady,
} from './lib/processes.ts';
import {
  BASELINE_SCENARIOS,
  checkTargets,
  median,
  formatMs,
  formatRate,
  renderReport,
  SCENARIOS,
  type DataSet,
  type Results,
  type Scenario,
  type ScenarioId,
  type ScenarioRun,
} from './lib/report.ts';
import { seedLargeDataSet, type ScaleSizes } from './lib/seed.ts';
import {
  appClient,
  baselineClients,
  CLIENT_IDS,
  FLOW_SCOPE,
  makeSecrets,
  postgresQuery,
  POSTGRES_URL,
  prepareDatabase,
  readConfig,
  spawnSesame,
  writeConfig,
  type Deployment,
  type Engine,
  type Secrets,
  type SesameProcess,
} from './lib/setup.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const SCRIPTS = {
  httpLoad: here('./http-load.ts'),
  loadgen: here('./loadgen.ts'),
  argon2: here('./argon2-rate.ts'),
  baseline: here('./baseline-server.ts'),
};

const USAGE = `npm run bench [-- options]

  --quick              smoke run: 1 s per scenario, SQLite only, no data-scale pass
  --no-scale           skip the data-scale pass (part of a full run)
  --scale              run the data-scale pass (also with --quick)
  --engines LIST       sqlite,postgres (default: both; --quick: sqlite)
  --only LIST          run only these scenarios: ${SCENARIOS.map((scenario) => scenario.id).join(',')}
  --duration SEC       measured seconds per scenario (default 3; --quick 1)
  --warmup SEC         warm-up seconds before each measurement (default 1; --quick 0.5)
  --connections N      autocannon connections for single-request scenarios (default 16)
  --users N            virtual users for the flow and refresh scenarios (default 8)
  --login-users N      virtual users for the password-login scenario (default 8)
  --scale-users N      users in the large data set (default 100000)
  --scale-clients N    clients in the large data set (default 1000)
  --scale-tokens N     stored tokens and grants in the large data set (default 1000000)
  --startup-samples N  restarts timed per configuration (default 3; --quick 1)
  --no-baseline        skip the bare oidc-provider baseline
  --cluster            run the two-worker pass (server.workers: 2; part of a full run)
  --no-cluster         skip it
  --log-level LEVEL    Sesame's log.level during the run (default warn: no per-request lines)
  --profile            run every Sesame process with --cpu-prof (profiles next to the results)
  --sesame-node-args S Node flags for the Sesame processes, e.g. --sesame-node-args="--max-semi-space-size=4"
  --out FILE           results as JSON (default bench-results/latest.json; the tables go to .md)
  --budget SEC         stop everything after this long (default 570)`;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scale: { type: 'boolean' },
    'no-scale': { type: 'boolean', default: false },
    engines: { type: 'string' },
    only: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '16' },
    users: { type: 'string', default: '8' },
    'login-users': { type: 'string', default: '8' },
    'scale-users': { type: 'string', default: '100000' },
    'scale-clients': { type: 'string', default: '1000' },
    'scale-tokens': { type: 'string', default: '1000000' },
    'startup-samples': { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    cluster: { type: 'boolean' },
    'no-cluster': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
    profile: { type: 'boolean', default: false },
    'sesame-node-args': { type: 'string' },
    out: { type: 'string', default: 'bench-results/latest.json' },
    budget: { type: 'string', default: '570' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

function number(name: string, value: string | undefined, fallback: number): number {
  const parsed = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a number, not '${value}'`);
  return parsed;
}

const quick = flags.quick;
const settings = {
  quick,
  engines: (flags.engines ?? (quick ? 'sqlite' : 'sqlite,postgres')).split(',').filter(Boolean) as Engine[],
  scenarios: flags.only ? (flags.only.split(',') as ScenarioId[]) : SCENARIOS.map((scenario) => scenario.id),
  scale: flags['no-scale'] ? false : (flags.scale ?? !quick),
  baseline: !flags['no-baseline'],
  cluster: flags['no-cluster'] ? false : (flags.cluster ?? !quick),
  durationSec: number('duration', flags.duration, quick ? 1 : 3),
  warmupSec: number('warmup', flags.warmup, quick ? 0.5 : 1),
  connections: number('connections', flags.connections, 16),
  flowUsers: number('users', flags.users, 8),
  loginUsers: number('login-users', flags['login-users'], 8),
  startupSamples: Math.max(1, number('startup-samples', flags['startup-samples'], quick ? 1 : 3)),
  scaleSizes: {
    users: number('scale-users', flags['scale-users'], 100_000),
    clients: number('scale-clients', flags['scale-clients'], 1000),
    tokens: number('scale-tokens', flags['scale-tokens'], 1_000_000),
  } satisfies ScaleSizes,
  logLevel: flags['log-level'],
  profile: flags.profile,
  sesameNodeArgs: (flags['sesame-node-args'] ?? '').split(' ').filter(Boolean),
  out: resolve(flags.out),
  budgetSec: number('budget', flags.budget, 570),
};
for (const engine of settings.engines)
  if (engine !== 'sqlite' && engine !== 'postgres') throw new Error(`unknown engine '${engine as string}'`);
for (const id of settings.scenarios)
  if (!SCENARIOS.some((scenario) => scenario.id === id)) throw new Error(`unknown scenario '${id}'`);

const began = performance.now();
const elapsed = () => `${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s`;
const say = (line: string) => console.log(`[${elapsed()}] ${line}`);

function machine(): Record<string, string | number> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const info: Record<string, string | number> = {
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString().slice(0, 10),
  };
  try {
    info.oidcProvider = (
      JSON.parse(readFileSync(here('../node_modules/oidc-provider/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    info.autocannon = (
      JSON.parse(readFileSync(here('../node_modules/autocannon/package.json'), 'utf8')) as { version: string }
    ).version;
    info.sesameCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: here('..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // Only informative.
  }
  return info;
}

/** How busy the CPUs are over `ms` (0–100 %), read from /proc/stat while the benchmark itself is idle. */
async function cpuBusy(ms = 1000): Promise<number> {
  const read = () => {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = fields[3]! + (fields[4] ?? 0);
    return { idle, total: fields.reduce((sum, value) => sum + value, 0) };
  };
  const before = read();
  await sleep(ms);
  const after = read();
  const total = after.total - before.total;
  return total > 0 ? Math.round((100 * (total - (after.idle - before.idle))) / total) : 0;
}

const results: Results = {
  startedAt: new Date().toISOString(),
  machine: machine(),
  settings: { ...settings },
  runs: [],
  startup: [],
  memory: [],
  seeding: [],
  argon2: [],
  targets: [],
};

function writeResults(): void {
  results.finishedAt = new Date().toISOString();
  results.totalSeconds = Math.round((performance.now() - began) / 100) / 10;
  results.targets = checkTargets(results);
  mkdirSync(dirname(settings.out), { recursive: true });
  writeFileSync(settings.out, `${JSON.stringify(results, null, 2)}\n`);
  const markdown = settings.out.replace(/\.json$/, '') + '.md';
  const m = results.machine;
  writeFileSync(
    markdown,
    `Measured ${m.date} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; ` +
      `oidc-provider ${m.oidcProvider}, ${results.totalSeconds} s in all. Other processes kept the CPUs ` +
      `${m.cpuBusyBeforePercent}% busy before the run and ${m.cpuBusyAfterPercent}% after it.\n\n${renderReport(results)}\n`,
  );
}

// --- child processes: load, hash rate ------------------------------------------------------------

/** What a server process spent over a load child's measured window, read when the child marks it. */
interface WindowCpu {
  pid: number;
  start?: number;
  end?: number;
}

async function runChild<T>(
  script: string,
  job: unknown,
  label: string,
  timeoutSec: number,
  cpu?: WindowCpu,
): Promise<T> {
  const logFile = join(workRoot, `${label}.log`);
  const child = spawnNode(script, [JSON.stringify(job)], { captureStdout: true, logFile });
  let output = '';
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (cpu && line.startsWith('{"window":')) {
        const phase = (JSON.parse(line) as { window: 'start' | 'end' }).window;
        cpu[phase] = cpuSecondsOf(cpu.pid);
      }
    }
  });
  const timer = setTimeout(() => void stopProcess(child, 1000), timeoutSec * 1000);
  const code = await new Promise<number | null>((done) => child.once('close', (exit) => done(exit)));
  clearTimeout(timer);
  const line = output.trim().split('\n').pop();
  if (code !== 0 || !line) throw new Error(`${label} exited with ${code}\n${tail(logFile, 10)}`);
  return JSON.parse(line) as T;
}

const budget = (extra: number) => settings.warmupSec + settings.durationSec + extra;

function httpLoad(
  job: Omit<HttpJob, 'connections' | 'warmupSec' | 'durationSec'>,
  label: string,
  cpu?: WindowCpu,
) {
  return runChild<LoadResult>(
    SCRIPTS.httpLoad,
    {
      ...job,
      connections: settings.connections,
      warmupSec: settings.warmupSec,
      durationSec: settings.durationSec,
    },
    label,
    budget(30),
    cpu,
  );
}

function flowLoad(job: Omit<FlowJob, 'warmupSec' | 'durationSec'>, label: string, cpu?: WindowCpu) {
  return runChild<LoadResult>(
    SCRIPTS.loadgen,
    { ...job, warmupSec: settings.warmupSec, durationSec: settings.durationSec },
    label,
    budget(60),
    cpu,
  );
}

// --- scenarios -----------------------------------------------------------------------------------

interface Target {
  name: 'baseline' | Engine;
  dataSet: DataSet;
  url: string;
  endpoints: Endpoints;
  /** Sesame has a login form; the baseline logs in by itself. */
  credentials?: Credentials;
  setupParameters?: Record<string, string>;
  /** Sesame's resident memory, read after each scenario. */
  memory?: () => MemoryUsage;
  /** The server's process: its CPU time per operation is measured. */
  pid: number;
}

const http = new HttpClient(8);
onCleanup(() => http.close());

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

async function runScenario(target: Target, scenario: Scenario, secrets: Secrets): Promise<ScenarioRun> {
  const label = `${target.name}-${target.dataSet}-${scenario.id}`;
  const app = appClient(secrets);
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const machine = (clientId: string): Omit<HttpJob, 'connections' | 'warmupSec' | 'durationSec'> => ({
    url: target.endpoints.token_endpoint,
    method: 'POST',
    headers: { ...form, authorization: basicAuth(clientId, secrets.machineSecret) },
    body: 'grant_type=client_credentials',
  });
  const cpuBefore = cpuSnapshot();
  const cpu: WindowCpu = { pid: target.pid };
  try {
    let job: Omit<HttpJob, 'connections' | 'warmupSec' | 'durationSec'> | undefined;
    switch (scenario.id) {
      case 'discovery':
        job = { url: `${target.url}/.well-known/openid-configuration`, method: 'GET', headers: {} };
        break;
      case 'jwks':
        job = { url: target.endpoints.jwks_uri, method: 'GET', headers: {} };
        break;
      case 'cc-plain':
        job = machine(CLIENT_IDS.plain);
        break;
      case 'cc-pbkdf2':
        job = machine(CLIENT_IDS.pbkdf2);
        break;
      case 'cc-argon2':
        job = machine(CLIENT_IDS.argon2);
        break;
      case 'authz-bypass':
        job = {
          url: `${target.url}/api/authz/forward-auth`,
          method: 'GET',
          headers: forwardedHeaders(PUBLIC_HOST),
        };
        break;
      case 'authz-session': {
        check(target.credentials !== undefined, 'no user to sign in with');
        const cookie = await domainCookie(http, target.url, target.credentials!);
        job = {
          url: `${target.url}/api/authz/forward-auth`,
          method: 'GET',
          headers: forwardedHeaders(APP_HOST, cookie),
        };
        break;
      }
      case 'introspection': {
        // A fresh token from a code flow: the baseline's in-memory store keeps only recent entries.
        const token = (
          await signIn(http, new CookieJar(), target.endpoints, app, target.credentials, FLOW_SCOPE)
        ).access_token;
        job = {
          url: target.endpoints.introspection_endpoint,
          method: 'POST',
          headers: { ...form, authorization: basicAuth(app.clientId, app.clientSecret) },
          body: new URLSearchParams({ token }).toString(),
        };
        break;
      }
    }
    let result: LoadResult;
    if (job) {
      // One request by hand first: a scenario that does not work is reported, not measured.
      const probe = await http.request(job.method, job.url, {
        headers: job.headers,
        form: job.body ? Object.fromEntries(new URLSearchParams(job.body)) : undefined,
      });
      check(probe.status === 200, `HTTP ${probe.status}: ${probe.body.slice(0, 200)}`);
      if (scenario.id === 'authz-session')
        check(probe.headers['remote-user'] !== undefined, 'the check did not name the signed-in user');
      if (scenario.id === 'introspection')
        check((JSON.parse(probe.body) as { active?: boolean }).active === true, 'the token is not active');
      result = await httpLoad(job, label, cpu);
      if (scenario.id === 'introspection') {
        const after = await http.request(job.method, job.url, {
          headers: job.headers,
          form: Object.fromEntries(new URLSearchParams(job.body)),
        });
        check(
          (JSON.parse(after.body) as { active?: boolean }).active === true,
          'the token was no longer active after the load: the answers were not all valid',
        );
      }
    } else {
      result = await flowLoad(
        {
          kind: scenario.id as FlowJob['kind'],
          baseUrl: target.url,
          client: app,
          credentials: target.credentials,
          users: scenario.id === 'login' ? settings.loginUsers : settings.flowUsers,
          setupParameters: target.setupParameters,
        },
        label,
        cpu,
      );
    }
    // CPU per operation: little moved by other processes on the machine, unlike the rate.
    const cpuMsPerOp =
      cpu.start !== undefined && cpu.end !== undefined && result.completed > 0
        ? ((cpu.end - cpu.start) * 1000) / (result.completed + result.errors)
        : undefined;
    const rssAfterMiB = target.memory?.().rssMiB;
    const otherCpu = otherCpuPercent(cpuBefore, cpuSnapshot());
    say(
      `  ${target.name.padEnd(8)} ${scenario.id.padEnd(13)} ${formatRate(result.rate).padStart(7)} ${scenario.unit.padEnd(8)} ` +
        `p50 ${formatMs(result.p50)} ms  p99 ${formatMs(result.p99)} ms` +
        (cpuMsPerOp !== undefined ? `  CPU ${formatMs(cpuMsPerOp)} ms/op` : '') +
        (rssAfterMiB !== undefined ? `  RSS ${rssAfterMiB.toFixed(0)} MiB` : '') +
        (otherCpu >= 5 ? `  (other processes: ${otherCpu}% CPU)` : '') +
        (result.errors ? `  errors ${result.errors}: ${result.errorSamples.join('; ').slice(0, 200)}` : ''),
    );
    return {
      scenario: scenario.id,
      target: target.name,
      dataSet: target.dataSet,
      ...result,
      cpuMsPerOp,
      rssAfterMiB,
      otherCpuPercent: otherCpu,
    };
  } catch (error) {
    const message = (error as Error).message;
    say(`  ${target.name.padEnd(8)} ${scenario.id.padEnd(13)} FAILED: ${message.split('\n')[0]}`);
    return { scenario: scenario.id, target: target.name, dataSet: target.dataSet, error: message };
  }
}

async function targetFor(
  name: Target['name'],
  dataSet: DataSet,
  url: string,
  credentials: Credentials | undefined,
  extra: Pick<Target, 'setupParameters' | 'memory' | 'pid'>,
): Promise<Target> {
  return { name, dataSet, url, endpoints: await discover(http, url), credentials, ...extra };
}

const selected = (filter: (scenario: Scenario) => boolean) =>
  SCENARIOS.filter((scenario) => settings.scenarios.includes(scenario.id) && filter(scenario));

// --- the baseline --------------------------------------------------------------------------------

async function runBaseline(secrets: Secrets): Promise<void> {
  const scenarios = selected((scenario) => BASELINE_SCENARIOS.has(scenario.id));
  if (scenarios.length === 0) return;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(workRoot, 'baseline.log');
  say(`baseline: bare oidc-provider ${results.machine.oidcProvider} (in-memory adapter) at ${url}`);
  const child = spawnNode(SCRIPTS.baseline, [JSON.stringify({ port, clients: baselineClients(secrets) })], {
    logFile,
  });
  try {
    await waitForReady(`${url}/.well-known/openid-configuration`, child).catch((error: Error) => {
      throw new Error(`${error.message}\n${tail(logFile)}`);
    });
    // offline_access needs prompt=consent with oidc-provider's defaults (Sesame adds it back itself).
    const target = await targetFor('baseline', 'empty', url, undefined, {
      setupParameters: { prompt: 'consent' },
      pid: child.pid!,
    });
    for (const scenario of scenarios) results.runs.push(await runScenario(target, scenario, secrets));
  } finally {
    await stopProcess(child);
  }
}

// --- Sesame --------------------------------------------------------------------------------------

async function deploy(engine: Engine, dataSet: DataSet): Promise<Deployment> {
  const port = await freePort();
  const dir = join(workRoot, `${engine}-${dataSet}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const deployment: Deployment = {
    engine,
    dir,
    port,
    url: `http://127.0.0.1:${port}`,
    encryptionKey: random(24),
    hmacSecret: random(36),
  };
  if (engine === 'postgres') {
    const schema = `bench_${dataSet}_${random(6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x')}`;
    deployment.schema = schema;
    onCleanup(() => postgresQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  }
  return deployment;
}

let spawnCount = 0;
function start(
  deployment: Deployment,
  configFile: string,
  label: string,
  workers = 1,
): Promise<SesameProcess> {
  spawnCount++;
  return spawnSesame(deployment, configFile, {
    workers,
    label: `${deployment.engine}-${label}-${spawnCount}`,
    profileDir: settings.profile ? join(dirname(settings.out), 'profiles') : undefined,
    nodeArgs: settings.sesameNodeArgs,
  });
}

async function timeStarts(
  deployment: Deployment,
  configFile: string,
  label: string,
  samples: number,
  keepLast: boolean,
): Promise<SesameProcess | undefined> {
  const times: number[] = [];
  let kept: SesameProcess | undefined;
  const cpuBefore = cpuSnapshot();
  for (let index = 0; index < samples; index++) {
    const sesame = await start(deployment, configFile, label.replace(/\W+/g, '-').replace(/^-|-$/g, ''));
    times.push(sesame.readyMs);
    if (keepLast && index === samples - 1) kept = sesame;
    else await sesame.stop();
  }
  results.startup.push({
    engine: deployment.engine,
    label,
    samplesMs: times,
    medianMs: median(times),
    otherCpuPercent: otherCpuPercent(cpuBefore, cpuSnapshot()),
  });
  say(
    `  ${deployment.engine.padEnd(8)} start to ready, ${label}: ${times.map((ms) => Math.round(ms)).join(', ')} ms`,
  );
  return kept;
}

/**
 * The ceiling for logins, measured right before each login scenario (the machine's speed drifts):
 * raw argon2id verifications at the cost Sesame is configured with, one in flight per core.
 */
async function runArgon2(engine: Engine, dataSet: DataSet, hashing: unknown): Promise<void> {
  const job: ArgonJob = {
    hashing,
    concurrency: os.availableParallelism(),
    warmupSec: settings.warmupSec,
    durationSec: settings.durationSec,
  };
  const cpuBefore = cpuSnapshot();
  try {
    const argon2 = await runChild<LoadResult & { digest: string }>(
      SCRIPTS.argon2,
      job,
      `argon2-${engine}-${dataSet}`,
      budget(30),
    );
    const otherCpu = otherCpuPercent(cpuBefore, cpuSnapshot());
    results.argon2.push({
      ...argon2,
      engine,
      dataSet,
      concurrency: job.concurrency,
      otherCpuPercent: otherCpu,
    });
    say(
      `  raw argon2id ${argon2.digest}: ${formatRate(argon2.rate)} hashes/s with ${job.concurrency} in flight, ` +
        `p50 ${formatMs(argon2.p50)} ms` +
        (otherCpu >= 5 ? `  (other processes: ${otherCpu}% CPU)` : ''),
    );
  } catch (error) {
    say(`  raw argon2id FAILED: ${(error as Error).message.split('\n')[0]}`);
  }
}

async function runSesame(engine: Engine, dataSet: DataSet, secrets: Secrets): Promise<void> {
  const deployment = await deploy(engine, dataSet);
  say(
    `Sesame on ${engine}, ${dataSet === 'empty' ? 'empty database' : 'large data set'}, at ${deployment.url}`,
  );
  const configFile = writeConfig(deployment, secrets, 'sesame', { logLevel: settings.logLevel });
  const config = readConfig(configFile);
  await prepareDatabase(config, secrets.user);
  let sesame: SesameProcess | undefined;
  try {
    if (dataSet === 'large') {
      say(
        `  seeding ${settings.scaleSizes.users.toLocaleString('en')} users, ${settings.scaleSizes.clients.toLocaleString('en')} clients, ` +
          `${settings.scaleSizes.tokens.toLocaleString('en')} tokens and grants through the store layer…`,
      );
      const report = await seedLargeDataSet(config, settings.scaleSizes, (line) => say(`    ${line}`));
      results.seeding.push({ engine, ...report });
      say(`  seeding took ${report.seconds.total.toFixed(1)} s`);
      sesame = await timeStarts(deployment, configFile, 'first start, large data set', 1, true);
    } else {
      await timeStarts(deployment, configFile, 'first start (creates keys, admin)', 1, false);
      const many = writeConfig(deployment, secrets, 'sesame-1000-clients', {
        extraClients: 1000,
        logLevel: settings.logLevel,
      });
      await timeStarts(deployment, many, 'restart, 1,000 clients configured', settings.startupSamples, false);
      sesame = await timeStarts(
        deployment,
        configFile,
        'restart, 4 clients configured',
        settings.startupSamples,
        true,
      );
    }
    const running = sesame!;
    await sleep(2000);
    const idle = running.memory();
    say(`  ${engine.padEnd(8)} RSS idle after start: ${idle.rssMiB.toFixed(1)} MiB`);
    const target = await targetFor(engine, dataSet, deployment.url, secrets.user, {
      memory: () => running.memory(),
      pid: running.pid,
    });
    for (const scenario of selected(() => true)) {
      if (running.child.exitCode !== null)
        throw new Error(`Sesame exited during the run\n${tail(running.logFile)}`);
      if (scenario.id === 'login')
        await runArgon2(engine, dataSet, config.authentication_backend.password_hashing);
      results.runs.push(await runScenario(target, scenario, secrets));
    }
    await sleep(1000);
    const after = running.memory();
    results.memory.push({
      engine,
      dataSet,
      idleMiB: idle.rssMiB,
      afterLoadMiB: after.rssMiB,
      peakMiB: after.peakMiB,
    });
    say(
      `  ${engine.padEnd(8)} RSS after the load: ${after.rssMiB.toFixed(1)} MiB (peak ${after.peakMiB.toFixed(1)} MiB)`,
    );
  } finally {
    await sesame?.stop();
    if (deployment.schema) await postgresQuery(`DROP SCHEMA IF EXISTS "${deployment.schema}" CASCADE`);
    rmSync(deployment.dir, { recursive: true, force: true });
  }
}

/** The scenarios the two-worker pass repeats: one cheap request, a whole flow, the hash-bound login. */
const CLUSTER_SCENARIOS = new Set<ScenarioId>(['cc-plain', 'code-flow', 'login']);

/** SQLite with server.workers: 2, beside the one-worker figures of the same run. */
async function runCluster(secrets: Secrets): Promise<void> {
  const scenarios = selected((scenario) => CLUSTER_SCENARIOS.has(scenario.id));
  if (scenarios.length === 0) return;
  const deployment = await deploy('sqlite', 'empty');
  say(`Sesame on sqlite with 2 workers (server.workers: 2) at ${deployment.url}`);
  const configFile = writeConfig(deployment, secrets, 'sesame-2-workers', {
    logLevel: settings.logLevel,
    workers: 2,
  });
  const config = readConfig(configFile);
  await prepareDatabase(config, secrets.user);
  let sesame: SesameProcess | undefined;
  try {
    sesame = await start(deployment, configFile, 'two-workers', 2);
    say(`  sqlite   start to ready with 2 workers: ${Math.round(sesame.readyMs)} ms`);
    const running = sesame;
    results.cluster = { readyMs: running.readyMs, idleMiB: running.memory().rssMiB };
    const target = await targetFor('sqlite', 'empty', deployment.url, secrets.user, {
      memory: () => running.memory(),
      pid: running.pid,
    });
    // The login ceiling is the machine's (both cores hashing): the one measured before still holds.
    for (const scenario of scenarios)
      results.runs.push({ ...(await runScenario(target, scenario, secrets)), workers: 2 });
    results.cluster.afterLoadMiB = running.memory().rssMiB;
  } finally {
    await sesame?.stop();
    rmSync(deployment.dir, { recursive: true, force: true });
  }
}

// --- main ----------------------------------------------------------------------------------------

const workRoot = mkdtempSync(join(os.tmpdir(), 'sesame-bench-'));
onCleanup(() => rmSync(workRoot, { recursive: true, force: true }));
installSignalHandlers();

const deadline = setTimeout(() => {
  results.aborted = `the time budget of ${settings.budgetSec} s ran out`;
  say(`ABORTED: ${results.aborted}; stopping every process`);
  writeResults();
  void cleanUp().finally(() => process.exit(1));
}, settings.budgetSec * 1000);
deadline.unref();

async function postgresAvailable(): Promise<boolean> {
  try {
    await postgresQuery('SELECT 1');
    return true;
  } catch (error) {
    say(`PostgreSQL at ${POSTGRES_URL} is not reachable (${(error as Error).message}): skipping it`);
    return false;
  }
}

async function main(): Promise<void> {
  const m = results.machine;
  say(`Sesame benchmark: ${m.cpu}, ${m.cores} cores, Node ${m.node}${quick ? ' (quick run)' : ''}`);
  // Other work on the machine takes CPU from the servers under test: measured, and said.
  m.cpuBusyBeforePercent = await cpuBusy();
  if (m.cpuBusyBeforePercent > 10)
    say(
      `WARNING: the CPUs are ${m.cpuBusyBeforePercent}% busy before the run: other processes will skew the figures`,
    );
  if (settings.engines.includes('postgres') && !(await postgresAvailable()))
    settings.engines = settings.engines.filter((engine) => engine !== 'postgres');
  const secrets = await makeSecrets();

  if (settings.baseline) await runBaseline(secrets);
  // Empty and large back to back per engine: the data-scale ratio compares runs close in time.
  for (const engine of settings.engines) {
    await runSesame(engine, 'empty', secrets);
    if (settings.scale) await runSesame(engine, 'large', secrets);
  }
  if (settings.cluster && settings.engines.includes('sqlite')) await runCluster(secrets);
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  results.aborted = (error as Error).stack ?? String(error);
  console.error(`\nThe benchmark failed: ${(error as Error).message}`);
} finally {
  clearTimeout(deadline);
  await cleanUp();
  results.machine.cpuBusyAfterPercent = await cpuBusy();
  writeResults();
}
console.log(`\n${renderReport(results)}\n`);
say(`results written to ${settings.out} (tables: ${settings.out.replace(/\.json$/, '')}.md)`);
process.exit(failed ? 1 : 0);
