// The results: their JSON shape, the tables printed at the end, and the targets checked against them.
import type { LoadResult } from './jobs.ts';
import type { SeedReport } from './seed.ts';
import type { Engine } from './setup.ts';

export type ScenarioId =
  | 'discovery'
  | 'jwks'
  | 'cc-plain'
  | 'cc-pbkdf2'
  | 'cc-argon2'
  | 'code-flow'
  | 'refresh'
  | 'introspection'
  | 'login'
  | 'authz-bypass'
  | 'authz-session';

export interface Scenario {
  id: ScenarioId;
  label: string;
  unit: 'req/s' | 'flows/s' | 'logins/s';
  /** The baseline scenario this one is compared with. */
  baseline?: ScenarioId;
  /** A second reference: another of Sesame's scenarios, or the raw argon2id rate. */
  reference?: ScenarioId | 'argon2';
}

export const SCENARIOS: Scenario[] = [
  { id: 'discovery', label: 'discovery document', unit: 'req/s', baseline: 'discovery' },
  { id: 'jwks', label: 'JWKS', unit: 'req/s', baseline: 'jwks' },
  { id: 'cc-plain', label: 'client_credentials, plaintext secret', unit: 'req/s', baseline: 'cc-plain' },
  {
    id: 'cc-pbkdf2',
    label: 'client_credentials, $pbkdf2-sha512$310000$ digest',
    unit: 'req/s',
    baseline: 'cc-plain',
    reference: 'cc-plain',
  },
  {
    id: 'cc-argon2',
    label: 'client_credentials, $argon2id$ digest',
    unit: 'req/s',
    baseline: 'cc-plain',
    reference: 'cc-plain',
  },
  {
    id: 'code-flow',
    label: 'code flow + PKCE (authorize → token → userinfo)',
    unit: 'flows/s',
    baseline: 'code-flow',
  },
  { id: 'refresh', label: 'refresh-token rotation', unit: 'req/s', baseline: 'refresh' },
  { id: 'introspection', label: 'introspection', unit: 'req/s', baseline: 'introspection' },
  { id: 'login', label: 'password login (argon2id, login form)', unit: 'logins/s', reference: 'argon2' },
  // Forward-auth has no counterpart in the bare engine: its reference is discovery in the same run.
  {
    id: 'authz-bypass',
    label: 'forward-auth check, bypass rule',
    unit: 'req/s',
    reference: 'discovery',
  },
  {
    id: 'authz-session',
    label: 'forward-auth check, signed-in cookie (one_factor)',
    unit: 'req/s',
    reference: 'discovery',
  },
];

/** Scenarios the bare oidc-provider can run (it has neither digests nor passwords). */
export const BASELINE_SCENARIOS = new Set<ScenarioId>([
  'discovery',
  'jwks',
  'cc-plain',
  'code-flow',
  'refresh',
  'introspection',
]);

export type DataSet = 'empty' | 'large';

export interface ScenarioRun extends Partial<LoadResult> {
  scenario: ScenarioId;
  target: 'baseline' | Engine;
  dataSet: DataSet;
  /** Set when the scenario could not run; the other fields are then missing. */
  error?: string;
  /** server.workers for this run (1 unless it is the two-worker pass). */
  workers?: number;
  /** Server CPU time (user + system, all its processes) per operation in the measured window. */
  cpuMsPerOp?: number;
  /** Sesame's resident memory right after this scenario, MiB. */
  rssAfterMiB?: number;
  /** CPU taken by processes outside the benchmark (and PostgreSQL) meanwhile: interference. */
  otherCpuPercent?: number;
}

export interface StartupRun {
  engine: Engine;
  label: string;
  samplesMs: number[];
  medianMs: number;
  otherCpuPercent: number;
}

export interface MemoryRun {
  engine: Engine;
  dataSet: DataSet;
  idleMiB: number;
  afterLoadMiB: number;
  peakMiB: number;
}

export interface TargetCheck {
  target: string;
  engine?: Engine;
  value: string;
  holds: boolean;
}

export interface Results {
  /** The two-worker pass: start-up and memory of the primary and its workers together. */
  cluster?: { readyMs: number; idleMiB: number; afterLoadMiB?: number };
  startedAt: string;
  finishedAt?: string;
  totalSeconds?: number;
  /** Why the run stopped early, if it did. */
  aborted?: string;
  machine: Record<string, string | number>;
  settings: Record<string, unknown>;
  /** Raw argon2id verification rates, each measured right before a login scenario. */
  argon2: (LoadResult & {
    engine: Engine;
    dataSet: DataSet;
    concurrency: number;
    digest: string;
    otherCpuPercent: number;
  })[];
  runs: ScenarioRun[];
  startup: StartupRun[];
  memory: MemoryRun[];
  seeding: (SeedReport & { engine: Engine })[];
  targets: TargetCheck[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function formatRate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value >= 100 ? Math.round(value).toLocaleString('en') : value.toFixed(1);
}

export function formatMs(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value < 10
    ? value.toFixed(2)
    : value < 100
      ? value.toFixed(1)
      : Math.round(value).toLocaleString('en');
}

export function formatRatio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`;
}

function find(
  results: Results,
  target: ScenarioRun['target'],
  scenario: ScenarioId,
  dataSet: DataSet = 'empty',
) {
  return results.runs.find(
    (run) =>
      run.target === target &&
      run.scenario === scenario &&
      run.dataSet === dataSet &&
      !run.error &&
      (run.workers ?? 1) === 1,
  );
}

export function rateOf(
  results: Results,
  target: ScenarioRun['target'],
  scenario: ScenarioId,
  dataSet: DataSet = 'empty',
): number | undefined {
  return find(results, target, scenario, dataSet)?.rate;
}

/** The baseline's run that a Sesame run is compared with (none for the baseline itself). */
function baselineRun(results: Results, run: ScenarioRun): ScenarioRun | undefined {
  const scenario = SCENARIOS.find((entry) => entry.id === run.scenario)!;
  if (run.target === 'baseline' || !scenario.baseline) return undefined;
  return find(results, 'baseline', scenario.baseline, 'empty');
}

function ratio(numerator: number | undefined, denominator: number | undefined): number | undefined {
  return numerator !== undefined && denominator ? numerator / denominator : undefined;
}

export function argon2Rate(
  results: Results,
  target: ScenarioRun['target'],
  dataSet: DataSet,
): number | undefined {
  return results.argon2.find((run) => run.engine === target && run.dataSet === dataSet)?.rate;
}

/** Sesame's run against its baseline scenario and against its second reference. */
export function ratios(results: Results, run: ScenarioRun): { baseline?: number; reference?: number } {
  const scenario = SCENARIOS.find((entry) => entry.id === run.scenario)!;
  if (run.target === 'baseline' || run.rate === undefined) return {};
  return {
    baseline: scenario.baseline ? ratio(run.rate, rateOf(results, 'baseline', scenario.baseline)) : undefined,
    reference:
      scenario.reference === 'argon2'
        ? ratio(run.rate, argon2Rate(results, run.target, run.dataSet))
        : scenario.reference
          ? ratio(run.rate, rateOf(results, run.target, scenario.reference, run.dataSet))
          : undefined,
  };
}

function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => (right[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(' | ')} |`;
  const rule = `| ${widths.map((width, column) => (right[column] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const TARGET_LABEL: Record<ScenarioRun['target'], string> = {
  baseline: 'baseline (in-memory)',
  sqlite: 'Sesame, SQLite',
  postgres: 'Sesame, PostgreSQL',
};

export function scenarioTable(results: Results, dataSet: DataSet = 'empty'): string {
  const rows: string[][] = [];
  for (const scenario of SCENARIOS)
    for (const target of ['baseline', 'sqlite', 'postgres'] as const) {
      const run = results.runs.find(
        (entry) =>
          entry.scenario === scenario.id &&
          entry.target === target &&
          entry.dataSet === dataSet &&
          (entry.workers ?? 1) === 1,
      );
      if (!run) continue;
      const { baseline, reference } = ratios(results, run);
      const referenceName =
        scenario.reference === 'argon2'
          ? 'raw argon2id'
          : scenario.reference === 'discovery'
            ? 'discovery'
            : scenario.reference
              ? 'plaintext secret'
              : '';
      rows.push([
        scenario.label,
        TARGET_LABEL[target],
        run.error
          ? `failed: ${run.error.split('\n')[0]!.slice(0, 60)}`
          : `${formatRate(run.rate)} ${scenario.unit}`,
        formatMs(run.p50),
        formatMs(run.p99),
        formatRatio(baseline),
        formatMs(run.cpuMsPerOp),
        formatRatio(ratio(baselineRun(results, run)?.cpuMsPerOp, run.cpuMsPerOp)),
        reference !== undefined ? `${formatRatio(reference)} ${referenceName}` : '',
        run.error ? '' : String(run.errors ?? 0),
        run.otherCpuPercent !== undefined ? `${run.otherCpuPercent}%` : '',
      ]);
    }
  for (const raw of results.argon2.filter((entry) => entry.dataSet === dataSet))
    rows.push([
      'raw argon2id verifications (ceiling for logins)',
      `before ${TARGET_LABEL[raw.engine]}'s logins, ${raw.concurrency} in flight`,
      `${formatRate(raw.rate)} hashes/s`,
      formatMs(raw.p50),
      formatMs(raw.p99),
      '',
      '',
      '',
      '',
      String(raw.errors),
      `${raw.otherCpuPercent}%`,
    ]);
  return table(
    [
      'scenario',
      'server',
      'rate',
      'p50 ms',
      'p99 ms',
      '× baseline',
      'CPU ms/op',
      '× baseline (CPU)',
      '× reference',
      'errors',
      'other CPU',
    ],
    rows,
    [false, false, true, true, true, true, true, true, false, true, true],
  );
}

export function scaleTable(results: Results): string {
  const rows: string[][] = [];
  for (const engine of ['sqlite', 'postgres'] as const)
    for (const scenario of SCENARIOS) {
      const large = find(results, engine, scenario.id, 'large');
      const empty = find(results, engine, scenario.id, 'empty');
      if (!large && !empty) continue;
      if (!results.runs.some((run) => run.target === engine && run.dataSet === 'large')) continue;
      rows.push([
        scenario.label,
        TARGET_LABEL[engine],
        `${formatRate(empty?.rate)} ${scenario.unit}`,
        `${formatRate(large?.rate)} ${scenario.unit}`,
        formatMs(empty?.p99),
        formatMs(large?.p99),
        formatRatio(ratio(large?.rate, empty?.rate)),
        `${formatMs(empty?.cpuMsPerOp)} / ${formatMs(large?.cpuMsPerOp)}`,
        formatRatio(ratio(empty?.cpuMsPerOp, large?.cpuMsPerOp)),
        `${empty?.otherCpuPercent ?? '–'}% / ${large?.otherCpuPercent ?? '–'}%`,
      ]);
    }
  return table(
    [
      'scenario',
      'server',
      'empty',
      'large data set',
      'p99 ms (empty)',
      'p99 ms (large)',
      'rate: large ÷ empty',
      'CPU ms/op (empty / large)',
      'CPU: empty ÷ large',
      'other CPU (empty / large)',
    ],
    rows,
    [false, false, true, true, true, true, true, true, true, true],
  );
}

export function startupTable(results: Results): string {
  return table(
    ['engine', 'start', 'spawn → /readyz 200 (median)', 'samples ms', 'other CPU'],
    results.startup.map((run) => [
      run.engine,
      run.label,
      `${Math.round(run.medianMs)} ms`,
      run.samplesMs.map((value) => Math.round(value)).join(', '),
      `${run.otherCpuPercent}%`,
    ]),
    [false, false, true, false, true],
  );
}

export function memoryTable(results: Results): string {
  return table(
    ['engine', 'data set', 'RSS idle after start', 'RSS after the load', 'peak RSS (VmHWM)'],
    results.memory.map((run) => [
      run.engine,
      run.dataSet,
      `${run.idleMiB.toFixed(1)} MiB`,
      `${run.afterLoadMiB.toFixed(1)} MiB`,
      `${run.peakMiB.toFixed(1)} MiB`,
    ]),
    [false, false, true, true, true],
  );
}

export function seedingTable(results: Results): string {
  return table(
    [
      'engine',
      'users',
      'clients',
      'tokens and grants',
      'seconds (users / clients / tokens / analyze)',
      'total',
    ],
    results.seeding.map((report) => [
      report.engine,
      report.sizes.users.toLocaleString('en'),
      report.sizes.clients.toLocaleString('en'),
      report.sizes.tokens.toLocaleString('en'),
      [report.seconds.users, report.seconds.clients, report.seconds.tokens, report.seconds.analyze]
        .map((value) => value.toFixed(1))
        .join(' / '),
      `${report.seconds.total.toFixed(1)} s`,
    ]),
    [false, true, true, true, true, true],
  );
}

export function targetTable(results: Results): string {
  return table(
    ['target', 'engine', 'measured', 'holds'],
    results.targets.map((check) => [
      check.target,
      check.engine ?? '',
      check.value,
      check.holds ? 'yes' : 'NO',
    ]),
    [false, false, false, false],
  );
}

/** The targets of docs/performance.md, checked against this run (each engine on its own). */
export function checkTargets(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const engines = [...new Set(results.runs.map((run) => run.target))].filter(
    (target): target is Engine => target !== 'baseline',
  );
  const compare = (target: string, engine: Engine, value: number | undefined, minimum: number) => {
    if (value !== undefined)
      checks.push({ target, engine, value: formatRatio(value), holds: value >= minimum });
  };
  for (const engine of engines) {
    const rate = (scenario: ScenarioId) => rateOf(results, engine, scenario);
    const base = (scenario: ScenarioId) => rateOf(results, 'baseline', scenario);
    compare(
      'client_credentials, plaintext secret ≥ 1.0× baseline',
      engine,
      ratio(rate('cc-plain'), base('cc-plain')),
      1,
    );
    compare(
      'client_credentials, pbkdf2-sha512 digest ≥ 0.9× plaintext',
      engine,
      ratio(rate('cc-pbkdf2'), rate('cc-plain')),
      0.9,
    );
    compare('full code flow ≥ 1.0× baseline flows/s', engine, ratio(rate('code-flow'), base('code-flow')), 1);
    compare('discovery ≥ 2× baseline', engine, ratio(rate('discovery'), base('discovery')), 2);
    compare('JWKS ≥ 2× baseline', engine, ratio(rate('jwks'), base('jwks')), 2);
    compare(
      'password login ≥ 0.9× raw argon2id rate',
      engine,
      ratio(rate('login'), argon2Rate(results, engine, 'empty')),
      0.9,
    );
    const start = results.startup.find((run) => run.engine === engine && run.label.includes('1,000 clients'));
    if (start)
      checks.push({
        target: 'start to ready < 0.5 s with 1,000 clients',
        engine,
        value: `${Math.round(start.medianMs)} ms`,
        holds: start.medianMs < 500,
      });
    const memory = results.memory.find((run) => run.engine === engine && run.dataSet === 'empty');
    if (memory) {
      checks.push({
        target: 'memory < 100 MiB resident idle',
        engine,
        value: `${memory.idleMiB.toFixed(1)} MiB`,
        holds: memory.idleMiB < 100,
      });
      checks.push({
        target: 'memory < 160 MiB resident after the load',
        engine,
        value: `${memory.afterLoadMiB.toFixed(1)} MiB`,
        holds: memory.afterLoadMiB < 160,
      });
    }
    // "Slower" read two ways: by the rate (moved by anything else on the machine) and by the
    // server's CPU per operation (the cost itself); both are reported.
    for (const [measure, of] of [
      ['rate', (run?: ScenarioRun) => run?.rate],
      ['CPU per operation', (run?: ScenarioRun) => (run?.cpuMsPerOp ? 1 / run.cpuMsPerOp : undefined)],
    ] as const) {
      const scaled = SCENARIOS.flatMap((scenario) => {
        const value = ratio(
          of(find(results, engine, scenario.id, 'large')),
          of(find(results, engine, scenario.id, 'empty')),
        );
        return value === undefined ? [] : [{ scenario, value }];
      });
      if (scaled.length === 0) continue;
      const worst = scaled.reduce((low, entry) => (entry.value < low.value ? entry : low));
      checks.push({
        target: `data scale ≤ 10% slower than empty, by ${measure} (worst scenario)`,
        engine,
        value: `${formatRatio(worst.value)} (${worst.scenario.id})`,
        holds: worst.value >= 0.9,
      });
    }
  }
  return checks;
}

/** One worker against two on the same machine, in the same run. */
export function clusterTable(results: Results): string {
  const rows: string[][] = [];
  for (const scenario of SCENARIOS) {
    const two = results.runs.find((run) => run.scenario === scenario.id && run.workers === 2);
    if (!two) continue;
    const one = find(results, 'sqlite', scenario.id);
    rows.push([
      scenario.label,
      `${formatRate(one?.rate)} ${scenario.unit}`,
      two.error
        ? `failed: ${two.error.split('\n')[0]!.slice(0, 60)}`
        : `${formatRate(two.rate)} ${scenario.unit}`,
      formatRatio(ratio(two.rate, one?.rate)),
      `${formatMs(one?.p99)} / ${formatMs(two.p99)}`,
      `${formatMs(one?.cpuMsPerOp)} / ${formatMs(two.cpuMsPerOp)}`,
      `${two.otherCpuPercent ?? '–'}%`,
    ]);
  }
  const cluster = results.cluster;
  const footer = cluster
    ? `\n\nWith 2 workers: start to ready ${Math.round(cluster.readyMs)} ms; resident memory of the primary and ` +
      `its workers together ${cluster.idleMiB.toFixed(0)} MiB idle, ` +
      `${cluster.afterLoadMiB?.toFixed(0) ?? '–'} MiB after the load.`
    : '';
  return (
    table(
      [
        'scenario (SQLite)',
        '1 worker',
        '2 workers',
        'scaling',
        'p99 ms (1 / 2)',
        'CPU ms/op (1 / 2)',
        'other CPU',
      ],
      rows,
      [false, true, true, true, true, true, true],
    ) + footer
  );
}

export function renderReport(results: Results): string {
  const sections = [
    `## Throughput and latency (empty database)\n\n${scenarioTable(results)}`,
    results.runs.some((run) => run.dataSet === 'large')
      ? `## Data scale\n\n${seedingTable(results)}\n\n${scaleTable(results)}`
      : '',
    results.runs.some((run) => run.workers === 2)
      ? `## Workers (server.workers: 1 → 2)\n\n${clusterTable(results)}`
      : '',
    results.startup.length ? `## Start to ready\n\n${startupTable(results)}` : '',
    results.memory.length
      ? `## Resident memory (VmRSS of the Sesame process)\n\n${memoryTable(results)}`
      : '',
    results.targets.length ? `## Targets\n\n${targetTable(results)}` : '',
  ];
  return sections.filter(Boolean).join('\n\n');
}
