// Configuration files for tests: one written to a fresh folder, and the problems loading it reports.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import { ConfigError, formatProblems } from '../../src/config/report.ts';

/** Writes `text` as `sesame.yml` in a new folder. */
export function writeConfigFile(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-config-'));
  const file = join(dir, 'sesame.yml');
  writeFileSync(file, text);
  return { dir, file };
}

/** The problems `text` is refused with, one line each, without the file's path (`line key: …`). */
export function configProblems(text: string): string[] {
  const { file } = writeConfigFile(text);
  try {
    loadConfig(file, {});
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return formatProblems(error.problems)
      .split('\n')
      .map((line) => line.replace(`${file}:`, ''));
  }
  assert.fail('the configuration was accepted');
}
