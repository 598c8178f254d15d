// What `npm test` needs from the system besides npm packages: Debian's Chromium for the page tests
// and the client libraries real apps use for the interop tests. Installs what is missing when it
// can (root, or password-less sudo); otherwise prints the exact command and fails, so a missing
// package is never discovered as a confusing test failure.
import { spawnSync } from 'node:child_process';

/** Debian packages and the tests that need them. */
export const DEBIAN_PACKAGES: Record<string, string> = {
  chromium: 'page tests (admin UI, portal, login, passkeys) drive Debian Chromium',
  'python3-authlib': "RomM's OpenID Connect client (authlib) in the interop tests",
  'python3-requests': 'HTTP library the authlib interop client uses',
  apache2: 'mod_auth_openidc interop test',
  'libapache2-mod-auth-openidc': 'mod_auth_openidc interop test',
  // The packaged nginx may start its default site on port 80; the tests run their own instance
  // on a free port with a configuration of their own and never use that one.
  nginx: 'forward-auth tests: nginx auth_request in front of a protected app',
  caddy: 'forward-auth tests: Caddy forward_auth in front of a protected app',
  openssl: 'forward-auth tests: a test certificate authority for the HTTPS the session cookie needs',
  // The Redis server itself runs before the tests; its binary also runs as a Sentinel.
  'redis-server': "Authelia's Redis Sentinel suite: a real sentinel in front of the local Redis",
  // The tests start their own slapd on a free port with a configuration of their own.
  slapd: 'LDAP tests: a real OpenLDAP directory as the user backend',
  'ldap-utils': 'LDAP tests: ldapadd/ldapmodify seed the test directory',
};

function run(command: string, args: string[], quiet = false) {
  return spawnSync(command, args, {
    stdio: quiet ? 'ignore' : 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function installed(name: string): boolean {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

/** How to become root for apt-get: nothing, `sudo -n`, or no way at all. */
function rootPrefix(): string[] | undefined {
  // (SESAME_PREREQUISITES_UID stands in for the user id in this script's own tests.)
  const uid = process.env.SESAME_PREREQUISITES_UID ?? String(process.getuid?.());
  if (uid === '0') return [];
  if (run('sudo', ['-n', 'true'], true).status === 0) return ['sudo', '-n'];
  return undefined;
}

function main(): number {
  if (process.env.SESAME_TEST_SKIP_PREREQUISITES === '1') return 0;
  const names = Object.keys(DEBIAN_PACKAGES);
  if (spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error(
      'The tests need these Debian packages (or their equivalents on this system):\n' +
        names.map((name) => `  ${name}: ${DEBIAN_PACKAGES[name]}`).join('\n') +
        '\nInstall them, then run `SESAME_TEST_SKIP_PREREQUISITES=1 npm test`.',
    );
    return 1;
  }
  const missing = names.filter((name) => !installed(name));
  if (missing.length === 0) return 0;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  const prefix = rootPrefix();
  if (!prefix) {
    console.error(
      `The tests need Debian packages that are not installed:\n` +
        missing.map((name) => `  ${name}: ${DEBIAN_PACKAGES[name]}`).join('\n') +
        `\nRun as root:\n  ${command}\nthen npm test again.`,
    );
    return 1;
  }
  console.log(`Installing Debian packages the tests need: ${missing.join(', ')}`);
  const apt = (args: string[]) =>
    prefix.length === 0 ? run('apt-get', args) : run(prefix[0]!, [...prefix.slice(1), 'apt-get', ...args]);
  if (apt(['update', '-qq']).status !== 0 || apt(['install', '-y', '-qq', ...missing]).status !== 0) {
    console.error(`Installing failed. Run as root:\n  ${command}`);
    return 1;
  }
  const still = missing.filter((name) => !installed(name));
  if (still.length > 0) {
    console.error(`Still missing after apt-get: ${still.join(', ')}`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
