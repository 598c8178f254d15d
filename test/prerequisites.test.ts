// `npm test` installs the Debian packages its tests need before running them. Exercised with
// stand-in dpkg-query/apt-get commands on PATH, so the real system is left alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from './support/cli.ts';

const SCRIPT = fileURLToPath(new URL('../scripts/test-prerequisites.ts', import.meta.url));

/** A PATH folder whose dpkg-query reports `missing` absent until apt-get has "installed" them. */
function fakeDebian(missing: string[], aptSucceeds: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-prereq-'));
  chmodSync(dir, 0o777); // another user runs (and logs from) these commands in some tests
  const log = join(dir, 'apt.log');
  const done = join(dir, 'installed');
  const script = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  script(
    'dpkg-query',
    `[ "$1" = --version ] && exit 0
name="$3"
case " ${missing.join(' ')} " in *" $name "*) [ -e "${done}" ] || { echo "unknown ok not-installed"; exit 0; };; esac
printf 'install ok installed'`,
  );
  script(
    'apt-get',
    `echo "$@" >> "${log}"\n${aptSucceeds ? `[ "$1" = install ] && touch "${done}"\nexit 0` : 'exit 100'}`,
  );
  return {
    dir,
    env: cleanEnv({ PATH: `${dir}:${process.env.PATH}`, SESAME_TEST_SKIP_PREREQUISITES: '' }),
    aptCalls: () => {
      try {
        return readFileSync(log, 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function runScript(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [SCRIPT], { env, encoding: 'utf8' });
}

test('nothing is installed when every package is there', () => {
  const debian = fakeDebian([], true);
  try {
    const result = runScript(debian.env);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(debian.aptCalls(), []);
  } finally {
    debian.cleanup();
  }
});

test(
  'missing packages are installed with apt-get, and only those',
  { skip: process.getuid?.() !== 0 && 'needs root' },
  () => {
    const debian = fakeDebian(['chromium', 'python3-requests'], true);
    try {
      const result = runScript(debian.env);
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(debian.aptCalls(), ['update -qq', 'install -y -qq chromium python3-requests']);
    } finally {
      debian.cleanup();
    }
  },
);

test(
  'when installing fails, the exact command to run is printed and the run fails',
  { skip: process.getuid?.() !== 0 && 'needs root' },
  () => {
    const debian = fakeDebian(['apache2'], false);
    try {
      const result = runScript(debian.env);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /apt-get update && apt-get install -y apache2/);
    } finally {
      debian.cleanup();
    }
  },
);

test(
  'without root or sudo, the exact command is printed and the run fails',
  { skip: process.getuid?.() !== 0 && 'needs root to become another user' },
  () => {
    const debian = fakeDebian(['chromium'], true);
    try {
      // `nobody` has no password-less sudo: the stand-in says so the way sudo -n does.
      writeFileSync(join(debian.dir, 'sudo'), '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n');
      chmodSync(join(debian.dir, 'sudo'), 0o755);
      const result = spawnSync(process.execPath, [SCRIPT], {
        env: debian.env,
        encoding: 'utf8',
        uid: 65534,
        gid: 65534,
      });
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /Run as root:\n {2}apt-get update && apt-get install -y chromium\n/);
      assert.deepEqual(debian.aptCalls(), []);
    } finally {
      debian.cleanup();
    }
  },
);

test(
  'a user with password-less sudo gets the packages installed through sudo',
  { skip: process.getuid?.() !== 0 && 'needs root to become another user' },
  () => {
    const debian = fakeDebian(['apache2'], true);
    try {
      writeFileSync(
        join(debian.dir, 'sudo'),
        `#!/bin/sh\n[ "$1" = -n ] && shift\necho "sudo $*" >> "${join(debian.dir, 'apt.log')}"\n[ "$1" = true ] && exit 0\nexec "$@"\n`,
      );
      chmodSync(join(debian.dir, 'sudo'), 0o755);
      const result = spawnSync(process.execPath, [SCRIPT], {
        env: debian.env,
        encoding: 'utf8',
        uid: 65534,
        gid: 65534,
      });
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(debian.aptCalls(), [
        'sudo true',
        'sudo apt-get update -qq',
        'update -qq',
        'sudo apt-get install -y -qq apache2',
        'install -y -qq apache2',
      ]);
    } finally {
      debian.cleanup();
    }
  },
);
