// Child processes of the benchmark: every one is tracked so that nothing outlives the run, whether
// it ends normally, throws, or is interrupted (Ctrl-C, SIGTERM).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void> | void)[] = [];

/** The preload that makes a child end when the benchmark's IPC channel goes away. */
export const PARENT_GUARD = fileURLToPath(new URL('./parent-guard.ts', import.meta.url));

export function spawnTracked(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** A Node child running one of the benchmark's own scripts (or Sesame), guarded against orphaning. */
export function spawnNode(
  script: string,
  args: string[],
  options: { nodeArgs?: string[]; logFile?: string; captureStdout?: boolean; env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  const log = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  try {
    return spawnTracked(
      process.execPath,
      [...(options.nodeArgs ?? []), '--import', PARENT_GUARD, script, ...args],
      {
        stdio: ['ignore', options.captureStdout ? 'pipe' : log, log, 'ipc'],
        env: options.env ?? process.env,
      },
    );
  } finally {
    if (typeof log === 'number') closeSync(log);
  }
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM, then SIGKILL if the process has not gone within `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/** Runs `fn` on exit and on interruption (temporary folders, PostgreSQL schemas). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

let cleaning: Promise<void> | undefined;
export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...children].map((child) => stopProcess(child, 2000)));
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`cleanup failed: ${(error as Error).message}\n`);
      }
    }
  })();
  return cleaning;
}

export function installSignalHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping every benchmark process…\n`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  // Last resort when the process is leaving anyway: no child may stay behind.
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One GET without keep-alive: the status, or undefined when nothing answers. */
export function probe(url: string, timeoutMs = 1000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode));
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(undefined));
  });
}

/** Polls `url` until it answers 200; rejects when the child exits first or the time runs out. */
export async function waitForReady(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the process exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    if ((await probe(url)) === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

export interface MemoryUsage {
  /** Resident set size now, MiB. */
  rssMiB: number;
  /** Highest resident set size so far, MiB. */
  peakMiB: number;
}

export function memoryOf(pid: number): MemoryUsage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** Resident memory of a process and its live descendants (a cluster's primary and workers), summed. */
export function memoryOfTree(pid: number): MemoryUsage {
  const total: MemoryUsage = { rssMiB: 0, peakMiB: 0 };
  for (const member of [pid, ...descendantsOf(pid)]) {
    try {
      const usage = memoryOf(member);
      total.rssMiB += usage.rssMiB;
      total.peakMiB += usage.peakMiB;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

interface ProcessInfo {
  parent: number;
  name: string;
  /** Clock ticks (user + system) of the process itself, and of its children it has reaped. */
  own: number;
  reaped: number;
}

/** Every process on the machine, from /proc/<pid>/stat. */
function processTable(): Map<number, ProcessInfo> {
  const processes = new Map<number, ProcessInfo>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command name: state ppid … utime(14) stime(15) cutime(16) cstime(17).
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      processes.set(Number(entry), {
        parent: Number(rest[1]),
        name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        own: Number(rest[11]) + Number(rest[12]),
        reaped: Number(rest[13]) + Number(rest[14]),
      });
    } catch {
      // The process ended meanwhile.
    }
  }
  return processes;
}

/** Whether `ancestor` is `pid` or one of its ancestors in `processes`. */
function descendsFrom(processes: Map<number, ProcessInfo>, pid: number, ancestor: number): boolean {
  for (let current = pid, depth = 0; current > 1 && depth < 20; depth++) {
    if (current === ancestor) return true;
    current = processes.get(current)?.parent ?? 0;
  }
  return false;
}

export function descendantsOf(pid: number): number[] {
  const processes = processTable();
  return [...processes.keys()].filter((other) => other !== pid && descendsFrom(processes, other, pid));
}

/** Linux reports process times in USER_HZ ticks, 100 per second on every architecture it runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) used so far by a process and its live descendants (cluster workers). */
export function cpuSecondsOf(pid: number): number {
  let ticks = 0;
  const processes = processTable();
  for (const [other, info] of processes) if (descendsFrom(processes, other, pid)) ticks += info.own;
  return ticks / TICKS_PER_SECOND;
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cumulative CPU time (clock ticks): the whole machine, this benchmark's processes, PostgreSQL. */
export interface CpuSnapshot {
  total: number;
  idle: number;
  ours: number;
  postgres: number;
}

export function cpuSnapshot(): CpuSnapshot {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const snapshot: CpuSnapshot = {
    total: fields.reduce((sum, value) => sum + value, 0),
    idle: fields[3]! + (fields[4] ?? 0),
    ours: 0,
    postgres: 0,
  };
  const processes = processTable();
  for (const [pid, info] of processes) {
    // Children that ended were reaped by this process: their time is in its cutime/cstime.
    if (pid === process.pid) snapshot.ours += info.own + info.reaped;
    else if (descendsFrom(processes, pid, process.pid)) snapshot.ours += info.own;
    else if (info.name === 'postgres') snapshot.postgres += info.own + info.reaped;
  }
  return snapshot;
}

/**
 * The share of the machine's CPU (0–100 %) that went to neither the benchmark's processes nor
 * PostgreSQL between two snapshots: interference from whatever else runs here.
 */
export function otherCpuPercent(before: CpuSnapshot, after: CpuSnapshot): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  const busy = total - (after.idle - before.idle);
  const other = busy - (after.ours - before.ours) - (after.postgres - before.postgres);
  return Math.max(0, Math.round((100 * other) / total));
}
