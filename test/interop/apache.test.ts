// Apache with mod_auth_openidc (Debian's libapache2-mod-auth-openidc) in front of a CGI script:
// the test runs a real httpd of its own, lets Chromium log in through Sesame, and reads what the
// module hands the application (REMOTE_USER, OIDC_CLAIM_*, `Require claim groups:…`). Then it logs
// out through the module's logout URL, which sends the browser to Sesame's end-session endpoint.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { logIn, PASSWORD } from '../support/flows.ts';
import { freePort, startTestSesame, type TestSesame } from '../support/sesame.ts';

const APACHE = process.env.SESAME_TEST_APACHE ?? '/usr/sbin/apache2';
const MODULES = process.env.SESAME_TEST_APACHE_MODULES ?? '/usr/lib/apache2/modules';
const STEP_TIMEOUT = 15_000;

// Prints what mod_auth_openidc put in the environment, one `NAME=value` a line.
const WHOAMI = `#!/bin/sh
printf 'Content-Type: text/plain\\n\\n'
printf 'REMOTE_USER=%s\\n' "$REMOTE_USER"
printf 'OIDC_CLAIM_iss=%s\\n' "$OIDC_CLAIM_iss"
printf 'OIDC_CLAIM_email=%s\\n' "$OIDC_CLAIM_email"
printf 'OIDC_CLAIM_groups=%s\\n' "$OIDC_CLAIM_groups"
`;

const LOGGED_OUT = `#!/bin/sh
printf 'Content-Type: text/plain\\n\\nlogged out\\n'
`;

interface ApacheSettings {
  port: number;
  metadataUrl: string;
  clientId: string;
  clientSecret: string;
}

interface Apache {
  origin: string;
  /** The end of the error log and of what httpd printed itself, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

function config(dir: string, settings: ApacheSettings): string {
  const origin = `http://127.0.0.1:${settings.port}`;
  // As root, httpd refuses to serve until told which user to become; www-data must then be able to
  // read the temp dir and run the scripts (the dir is made world-readable below).
  const user = process.getuid?.() === 0 ? 'User www-data\nGroup www-data\n' : '';
  return `ServerRoot "${dir}"
ServerName 127.0.0.1
Listen 127.0.0.1:${settings.port}
PidFile "${dir}/apache2.pid"
DefaultRuntimeDir "${dir}/run"
Mutex file:${dir}/run default
ErrorLog "${dir}/error.log"
LogLevel warn auth_openidc:info
${user}
LoadModule mpm_prefork_module ${MODULES}/mod_mpm_prefork.so
LoadModule authn_core_module ${MODULES}/mod_authn_core.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule authz_user_module ${MODULES}/mod_authz_user.so
LoadModule cgi_module ${MODULES}/mod_cgi.so
LoadModule auth_openidc_module ${MODULES}/mod_auth_openidc.so

StartServers 1
MinSpareServers 1
MaxSpareServers 2

DocumentRoot "${dir}/htdocs"
<Directory "${dir}/htdocs">
  Options +ExecCGI
  Require all granted
  # Only the scripts: the browser's favicon request is a plain 404, not a CGI error in the log.
  <FilesMatch "^(whoami|admins|auditors|loggedout)$">
    SetHandler cgi-script
  </FilesMatch>
</Directory>

OIDCProviderMetadataURL ${settings.metadataUrl}
OIDCClientID ${settings.clientId}
OIDCClientSecret ${settings.clientSecret}
OIDCRedirectURI ${origin}/protected/redirect_uri
OIDCCryptoPassphrase ${randomBytes(24).toString('hex')}
OIDCScope "openid email profile groups"
OIDCRemoteUserClaim preferred_username

<Location /protected>
  AuthType openid-connect
  Require valid-user
</Location>
# Authorization on the groups claim: Ada is in admins, not in auditors.
<Location /protected/admins>
  Require claim groups:admins
</Location>
<Location /protected/auditors>
  Require claim groups:auditors
</Location>
`;
}

async function startApache(settings: ApacheSettings): Promise<Apache> {
  // CI installs both packages (.ci/run); a machine without them must not pass silently.
  for (const file of [APACHE, join(MODULES, 'mod_auth_openidc.so')])
    assert.ok(existsSync(file), `${file} is missing: apt-get install apache2 libapache2-mod-auth-openidc`);
  const dir = mkdtempSync(join(tmpdir(), 'sesame-apache-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'run'));
  mkdirSync(join(dir, 'htdocs', 'protected'), { recursive: true });
  for (const name of ['whoami', 'admins', 'auditors'])
    writeFileSync(join(dir, 'htdocs', 'protected', name), WHOAMI, { mode: 0o755 });
  writeFileSync(join(dir, 'htdocs', 'loggedout'), LOGGED_OUT, { mode: 0o755 });
  const file = join(dir, 'apache2.conf');
  writeFileSync(file, config(dir, settings));

  // Its own process group, so stopping it also reaches the children it forked.
  const child: ChildProcess = spawn(APACHE, ['-d', dir, '-f', file, '-DFOREGROUND'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // A failed spawn may never emit 'exit'.
    child.once('error', (error) => {
      output += `spawn failed: ${error.message}\n`;
      resolve();
    });
  });

  const origin = `http://127.0.0.1:${settings.port}`;
  const log = () => {
    const errorLog = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
    const tail = errorLog.split('\n').slice(-150).join('\n');
    return `--- httpd output ---\n${output}--- ${dir}/error.log (end) ---\n${tail}`;
  };
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, name);
    } catch {
      // The group is already gone.
    }
  };
  const stop = async () => {
    signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 10_000))),
    ]);
    clearTimeout(timer);
    // Whatever did not stop in time, and anything the parent left behind in its group.
    signal('SIGKILL');
    if (!stopped) await exited;
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready when the public page answers; an early exit (a config error) fails at once.
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      const message = `httpd exited during startup\n${log()}`;
      await stop();
      throw new Error(message);
    }
    const answered = await fetch(`${origin}/loggedout`, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (answered) break;
    if (Date.now() > deadline) {
      const message = `httpd did not answer on ${origin} within ${STEP_TIMEOUT} ms\n${log()}`;
      await stop();
      throw new Error(message);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { origin, log, stop };
}

let sesame: TestSesame;
let browser: Browser;
const apaches: Apache[] = [];

/** Registers an application for an Apache on a fresh port and starts that Apache. */
async function protect(slug: string, metadataUrl: (issuer: string) => string) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const app = await sesame.addApplication({
    name: `Apache ${slug}`,
    slug,
    redirectUris: [{ url: `${origin}/protected/redirect_uri`, matching_mode: 'strict' }],
    postLogoutRedirectUris: [{ url: `${origin}/loggedout`, matching_mode: 'strict' }],
  });
  const apache = await startApache({
    port,
    metadataUrl: metadataUrl(app.issuer),
    clientId: app.clientId,
    clientSecret: app.clientSecret!,
  });
  apaches.push(apache);
  return { apache, issuer: app.issuer };
}

before(async () => {
  sesame = await startTestSesame('sqlite');
  await sesame.addUser({
    username: 'ada',
    password: PASSWORD,
    email: 'ada@example.com',
    emailVerified: true,
    groups: ['admins', 'staff'],
  });
  browser = await launchBrowser();
});

after(async () => {
  await Promise.all(apaches.map((apache) => apache.stop()));
  await browser?.close();
  await sesame?.stop();
});

/** Logs in at the protected page, checks what Apache saw, logs out, and checks the login is gone. */
async function loginAndLogout(apache: Apache, issuer: string) {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  try {
    await page.goto(`${apache.origin}/protected/whoami`);
    await page.waitForURL((url) => url.href.startsWith(sesame.url));
    await logIn(page, 'ada');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${apache.origin}/protected/whoami`);
    const seen = Object.fromEntries(
      (await page.locator('body').innerText())
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assert.deepEqual(seen, {
      REMOTE_USER: 'ada',
      OIDC_CLAIM_iss: issuer,
      OIDC_CLAIM_email: 'ada@example.com',
      OIDC_CLAIM_groups: 'admins,staff',
    });

    // `Require claim groups:<group>` matches one member of the groups array.
    const admins = await page.goto(`${apache.origin}/protected/admins`);
    assert.equal(admins?.status(), 200);
    assert.match(await page.locator('body').innerText(), /^REMOTE_USER=ada$/m);
    const auditors = await page.goto(`${apache.origin}/protected/auditors`);
    assert.equal(auditors?.status(), 401);

    // mod_auth_openidc's logout: drop its own session, then RP-initiated logout at Sesame.
    const back = `${apache.origin}/loggedout`;
    await page.goto(`${apache.origin}/protected/redirect_uri?logout=${encodeURIComponent(back)}`);
    await page.waitForURL((url) => url.href.startsWith(sesame.url));
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((url) => url.href.startsWith(back));
    assert.equal((await page.locator('body').innerText()).trim(), 'logged out');

    // Both sessions are gone: the protected page sends the browser to Sesame's login form again.
    await page.goto(`${apache.origin}/protected/whoami`);
    await page.getByLabel('Password').waitFor();
    assert.ok(page.url().startsWith(sesame.url), page.url());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const shown = await page
      .locator('body')
      .innerText({ timeout: 1_000 })
      .catch(() => '(no page)');
    throw new Error(`${reason}\nbrowser at ${page.url()}, showing:\n${shown}\n${apache.log()}`, {
      cause: error,
    });
  } finally {
    await context.close();
  }
}

test('Apache mod_auth_openidc with the per-application issuer: REMOTE_USER, claims, groups, logout', async () => {
  const { apache, issuer } = await protect('apache', (issuer) => `${issuer}.well-known/openid-configuration`);
  assert.equal(issuer, `${sesame.url}/application/o/apache/`);
  await loginAndLogout(apache, issuer);
});

test('Apache mod_auth_openidc with the global issuer: REMOTE_USER, claims, groups, logout', async () => {
  const { apache } = await protect('apache-global', () => `${sesame.url}/.well-known/openid-configuration`);
  await loginAndLogout(apache, sesame.url);
});
