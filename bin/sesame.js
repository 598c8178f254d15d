#!/usr/bin/env node
// Sesame's command line. The sources are TypeScript that Node runs directly (type stripping, on by
// default from Node 22.18); older 22.x releases need the flags, so re-run with them there.
import { spawnSync } from 'node:child_process';

if (process.features.typescript) {
  const { runCli } = await import('../src/cli/main.ts');
  const code = await runCli(process.argv.slice(2));
  // Commands that keep running (start) resolve once started; the others end here.
  if (code !== 0) process.exit(code);
} else {
  const flags = [
    '--experimental-strip-types',
    '--experimental-sqlite',
    '--disable-warning=ExperimentalWarning',
  ];
  const result = spawnSync(process.execPath, [...flags, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
