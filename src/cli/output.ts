// What commands print: results to stdout, problems to stderr, and the exit code that goes with them.
import { ConfigError } from '../config/report.ts';
import { DigestFormatError } from '../crypto/digest.ts';
import { SesameError } from '../lib/errors.ts';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const consoleOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Prints an error the way an operator can act on it; returns the exit code. */
export function reportError(error: unknown, output: Output): number {
  if (error instanceof ConfigError) {
    output.err(
      `Configuration has ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}:`,
    );
    output.err(error.message);
    return 1;
  }
  if (error instanceof SesameError || error instanceof DigestFormatError) {
    output.err(`Error: ${error.message}`);
    return 1;
  }
  const err = error as NodeJS.ErrnoException;
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'ETIMEDOUT') {
    output.err(`Error: cannot reach the database (${err.code}): ${err.message}`);
    return 1;
  }
  output.err(`Error: ${err.stack ?? String(error)}`);
  return 1;
}

/** Aligned "Label: value" lines, as Authelia's CLI prints them. */
export function fields(rows: [string, string | undefined][]): string {
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`).join('\n');
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, index) =>
    Math.max(header.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => cell.padEnd(widths[index]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
