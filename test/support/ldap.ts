// A real OpenLDAP directory (Debian's slapd) on free ports of 127.0.0.1, for the LDAP user backend's
// tests: ldap:// (StartTLS offered) and ldaps:// with a throw-away certificate authority, the mdb
// backend, the core/cosine/inetorgperson/nis schemas, the memberof overlay (memberOf on users) and
// ppolicy (a locked account). Seeded with ldapadd; stopped by the test that started it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './sesame.ts';

const SLAPD = '/usr/sbin/slapd';
const MODULES = '/usr/lib/ldap';
const SCHEMAS = '/etc/ldap/schema';

export const BASE_DN = 'dc=example,dc=test';
export const ADMIN_DN = `cn=admin,${BASE_DN}`;
export const ADMIN_PASSWORD = 'directory-admin-secret';
export const SERVICE_DN = `cn=sesame,ou=services,${BASE_DN}`;
export const SERVICE_PASSWORD = 'service-account-secret';
/** The password of every seeded person. */
export const LDAP_PASSWORD = 'Directory-Pass-2024!';

/** The `skip` option for directory tests: a clear reason when slapd or ldap-utils are missing. */
export function skipWithoutSlapd(): string | false {
  if (!existsSync(SLAPD)) return 'slapd is not installed (Debian package slapd)';
  if (spawnSync('ldapadd', ['-VV'], { stdio: 'ignore' }).error)
    return 'ldapadd is not installed (Debian package ldap-utils)';
  if (spawnSync('openssl', ['version'], { stdio: 'ignore' }).error) return 'openssl is not installed';
  return false;
}

/** An {SSHA} digest as OpenLDAP stores it: base64(SHA1(password + salt) + salt). */
export function sshaDigest(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

export interface TestDirectory {
  /** ldap://127.0.0.1:<port> (StartTLS available). */
  url: string;
  /** ldaps://127.0.0.1:<port>. */
  ldapsUrl: string;
  /** The PEM certificate authority the server's certificate is signed by. */
  ca: string;
  /** Another authority's PEM certificate, which did not sign the server's. */
  otherCa: string;
  /** Adds entries (LDIF) as the directory administrator. */
  add(ldif: string): void;
  /** Applies an LDIF change set as the directory administrator. */
  modify(ldif: string): void;
  delete(dn: string): void;
  /** The LDIF of `dn`'s `attributes`, read as the directory administrator. */
  search(dn: string, ...attributes: string[]): string;
  /** Stops slapd (the directory is down) and, with `start`, starts it again on the same ports. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** The `authentication_backend.ldap` section for this directory, indented for that key. */
  backendYaml(overrides?: Record<string, string>): string;
}

function openssl(dir: string, command: string): void {
  const result = spawnSync('openssl', command.split(' '), { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${command.split(' ')[0]} failed: ${result.stderr}`);
}

/** A certificate authority and a certificate for 127.0.0.1 and localhost signed by it. */
function certificates(dir: string): { ca: string; otherCa: string } {
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  openssl(dir, `req -x509 ${ec} -keyout ca.key -out ca.pem -days 2 -subj /CN=directory-test-ca`);
  openssl(dir, `req -x509 ${ec} -keyout other.key -out other.pem -days 2 -subj /CN=other-test-ca`);
  openssl(dir, `req ${ec} -keyout server.key -out server.csr -subj /CN=localhost`);
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    dir,
    'x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.pem',
  );
  return {
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    otherCa: readFileSync(join(dir, 'other.pem'), 'utf8'),
  };
}

function slapdConf(dir: string): string {
  return `include ${SCHEMAS}/core.schema
include ${SCHEMAS}/cosine.schema
include ${SCHEMAS}/inetorgperson.schema
include ${SCHEMAS}/nis.schema
modulepath ${MODULES}
moduleload back_mdb
moduleload memberof
moduleload ppolicy
pidfile ${dir}/slapd.pid
TLSCACertificateFile ${dir}/ca.pem
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key
password-hash {SSHA}
database mdb
maxsize 104857600
suffix "${BASE_DN}"
rootdn "${ADMIN_DN}"
rootpw ${sshaDigest(ADMIN_PASSWORD)}
directory ${dir}/data
index objectClass,uid,mail,member eq
overlay memberof
memberof-refint TRUE
overlay ppolicy
ppolicy_default "cn=default,ou=policies,${BASE_DN}"
ppolicy_use_lockout
access to attrs=userPassword by self write by anonymous auth by dn.exact="${SERVICE_DN}" write by * none
access to * by dn.exact="${SERVICE_DN}" read by self read by * none
`;
}

/** The seed: the service account, alice (developers, family), bob (family), a locked carol, an admin. */
function seed(): string {
  const person = (uid: string, name: string, extra = '') => `dn: uid=${uid},ou=people,${BASE_DN}
objectClass: inetOrgPerson
uid: ${uid}
cn: ${name}
sn: ${name.split(' ').pop()}
givenName: ${name.split(' ')[0]}
displayName: ${name}
mail: ${uid}@example.test
userPassword: ${sshaDigest(LDAP_PASSWORD)}
${extra}`;
  const group = (cn: string, members: string[]) => `dn: cn=${cn},ou=groups,${BASE_DN}
objectClass: groupOfNames
cn: ${cn}
${members.map((uid) => `member: uid=${uid},ou=people,${BASE_DN}`).join('\n')}
`;
  return [
    `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n`,
    ...['people', 'groups', 'services', 'policies'].map(
      (ou) => `dn: ou=${ou},${BASE_DN}\nobjectClass: organizationalUnit\nou: ${ou}\n`,
    ),
    `dn: cn=default,ou=policies,${BASE_DN}\nobjectClass: pwdPolicy\nobjectClass: person\ncn: default\nsn: policy\npwdAttribute: userPassword\npwdLockout: TRUE\npwdMaxFailure: 5\n`,
    `dn: ${SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: sesame\nuserPassword: ${sshaDigest(SERVICE_PASSWORD)}\n`,
    person('alice', 'Alice Liddell'),
    person('bob', 'Bob Builder'),
    person('carol', 'Carol Locked', 'pwdAccountLockedTime: 000001010000Z\n'),
    person('dave', 'Dave Admin'),
    group('developers', ['alice']),
    group('family', ['alice', 'bob', 'carol']),
    group('admins', ['dave']),
  ].join('\n');
}

function ldapTool(tool: string, url: string, ldif: string, extra: string[] = []): string {
  const result = spawnSync(tool, ['-x', '-H', url, '-D', ADMIN_DN, '-w', ADMIN_PASSWORD, ...extra], {
    input: ldif,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr}`);
  return result.stdout;
}

function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`slapd did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Starts slapd on two free ports, seeded; call `stop()` (and remove nothing: the dir is temporary). */
export async function startDirectory(): Promise<TestDirectory> {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-slapd-'));
  mkdirSync(join(dir, 'data'));
  const { ca, otherCa } = certificates(dir);
  writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir));
  const [port, ldapsPort] = [await freePort(), await freePort()];
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    // -d keeps slapd in the foreground, so it is this process's child and stops with the test.
    child = spawn(SLAPD, ['-f', join(dir, 'slapd.conf'), '-h', `${url}/ ${ldapsUrl}/`, '-d', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    await Promise.race([
      waitForPort(port).then(() => waitForPort(ldapsPort)),
      new Promise((_, reject) =>
        child!.once('exit', (code) => reject(new Error(`slapd exited (${code}): ${errors}`))),
      ),
    ]);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  await start();
  ldapTool('ldapadd', url, seed());
  return {
    url,
    ldapsUrl,
    ca,
    otherCa,
    add: (ldif) => ldapTool('ldapadd', url, ldif),
    modify: (ldif) => ldapTool('ldapmodify', url, ldif),
    delete: (dn) => ldapTool('ldapdelete', url, '', [dn]),
    search: (dn, ...attributes) =>
      ldapTool('ldapsearch', url, '', ['-LLL', '-b', dn, '-s', 'base', ...attributes]),
    start,
    stop,
    backendYaml: (overrides = {}) => backendYaml(url, overrides),
  };
}

function backendYaml(url: string, overrides: Record<string, string>): string {
  const settings: Record<string, string> = {
    address: url,
    implementation: 'rfc2307bis',
    base_dn: BASE_DN,
    additional_users_dn: 'ou=people',
    additional_groups_dn: 'ou=groups',
    user: SERVICE_DN,
    password: SERVICE_PASSWORD,
    ...overrides,
  };
  return Object.entries(settings)
    .map(
      ([key, value]) =>
        `    ${key}: ${value.startsWith('\n') || /^(true|false)$/.test(value) ? value : JSON.stringify(value)}`,
    )
    .join('\n');
}
