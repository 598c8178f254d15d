// Runs the real `sesame` command (bin/sesame.js) in a child process, as an operator would.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SESAME_BIN = fileURLToPath(new URL('../../bin/sesame.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for children: the test runner's, minus any SESAME_* a developer may have exported. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SESAME_')));
  return { ...env, ...extra };
}

export function runSesame(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SESAME_BIN, ...args], {
      cwd: options.cwd,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Picks "Label: value" out of the CLI's aligned output. */
export function field(output: string, label: string): string | undefined {
  const line = output.split('\n').find((text) => text.startsWith(`${label}:`));
  return line?.slice(label.length + 1).trim();
}
