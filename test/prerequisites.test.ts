// `npm test` installs the Debian packages its tests need before running them. Exercised with
// stand-in dpkg-query/apt-get/sudo commands on PATH, so the real system is left alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from './support/cli.ts';

const SCRIPT = fileURLToPath(new URL('../scripts/test-prerequisites.ts', import.meta.url));

interface FakeDebian {
  /** Writes a stand-in command into the PATH folder. */
  command(name: string, body: string): void;
  /** Runs the script as root or as another user; its exit status and standard error. */
  run(as?: 'root' | 'user'): { status: number | null; stderr: string };
  /** What apt-get (and sudo) were called with, one call a line. */
  aptCalls(): string[];
  log: string;
}

/** A PATH folder whose dpkg-query reports `missing` absent until apt-get has "installed" them. */
function withFakeDebian(missing: string[], aptSucceeds: boolean, body: (debian: FakeDebian) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-prereq-'));
  const log = join(dir, 'apt.log');
  const done = join(dir, 'installed');
  const env = cleanEnv({ PATH: `${dir}:${process.env.PATH}`, SESAME_TEST_SKIP_PREREQUISITES: '' });
  const debian: FakeDebian = {
    log,
    command(name, script) {
      writeFileSync(join(dir, name), `#!/bin/sh\n${script}\n`);
      chmodSync(join(dir, name), 0o755);
    },
    run(as = 'root') {
      const uid = as === 'root' ? '0' : '1000';
      return spawnSync(process.execPath, [SCRIPT], {
        env: { ...env, SESAME_PREREQUISITES_UID: uid },
        encoding: 'utf8',
      });
    },
    aptCalls() {
      try {
        return readFileSync(log, 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    },
  };
  debian.command(
    'dpkg-query',
    `[ "$1" = --version ] && exit 0
name="$3"
case " ${missing.join(' ')} " in *" $name "*) [ -e "${done}" ] || { echo "unknown ok not-installed"; exit 0; };; esac
printf 'install ok installed'`,
  );
  debian.command(
    'apt-get',
    `echo "$@" >> "${log}"\n${aptSucceeds ? `[ "$1" = install ] && touch "${done}"\nexit 0` : 'exit 100'}`,
  );
  try {
    body(debian);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('nothing is installed when every package is there', () =>
  withFakeDebian([], true, (debian) => {
    const result = debian.run();
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(debian.aptCalls(), []);
  }));

test('missing packages are installed with apt-get, and only those', () =>
  withFakeDebian(['chromium', 'python3-requests'], true, (debian) => {
    const result = debian.run();
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(debian.aptCalls(), ['update -qq', 'install -y -qq chromium python3-requests']);
  }));

test('when installing fails, the exact command to run is printed and the run fails', () =>
  withFakeDebian(['apache2'], false, (debian) => {
    const result = debian.run();
    assert.equal(result.status, 1);
    assert.match(result.stderr, /apt-get update && apt-get install -y apache2/);
  }));

test('without root or sudo, the exact command is printed and the run fails', () =>
  withFakeDebian(['chromium'], true, (debian) => {
    // This user has no password-less sudo: the stand-in says so the way sudo -n does.
    debian.command('sudo', 'echo "sudo: a password is required" >&2\nexit 1');
    const result = debian.run('user');
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /Run as root:\n {2}apt-get update && apt-get install -y chromium\n/);
    assert.deepEqual(debian.aptCalls(), []);
  }));

test('a user with password-less sudo gets the packages installed through sudo', () =>
  withFakeDebian(['apache2'], true, (debian) => {
    debian.command(
      'sudo',
      `[ "$1" = -n ] && shift\necho "sudo $*" >> "${debian.log}"\n[ "$1" = true ] && exit 0\nexec "$@"`,
    );
    const result = debian.run('user');
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(debian.aptCalls(), [
      'sudo true',
      'sudo apt-get update -qq',
      'update -qq',
      'sudo apt-get install -y -qq apache2',
      'install -y -qq apache2',
    ]);
  }));
