// authentication_backend.ldap as Authelia writes it: per-implementation defaults, secrets from
// files, and clear refusals naming the file, the key and what is allowed.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from './load.ts';
import { ldapSettingsOf } from './ldap-schema.ts';
import { configProblems, writeConfigFile } from '../../test/support/config.ts';

const HEAD = `storage:
  encryption_key: a-very-long-encryption-key-for-tests
  local:
    path: db.sqlite3
authentication_backend:
`;

const problems = (text: string) => configProblems(HEAD + text);

describe('authentication_backend.ldap', () => {
  test('an Active Directory section gets Authelia’s defaults; the password may come from a _FILE', () => {
    const secret = join(mkdtempSync(join(tmpdir(), 'sesame-ldap-secret-')), 'password');
    writeFileSync(secret, 'bind-secret\n');
    const { file } = writeConfigFile(`${HEAD}  ldap:
    address: ldaps://dc1.example.com
    implementation: activedirectory
    base_dn: DC=example,DC=com
    user: CN=sesame,OU=services,DC=example,DC=com
`);
    const config = loadConfig(file, { AUTHELIA_AUTHENTICATION_BACKEND_LDAP_PASSWORD_FILE: secret });
    assert.deepEqual(config.warnings, []);
    const ldap = config.authentication_backend.ldap!;
    assert.equal(ldap.password, 'bind-secret');
    assert.equal(ldap.timeout, 5);
    assert.equal(ldap.pooling.enable, false);
    const settings = ldapSettingsOf(ldap);
    assert.equal(settings.attributes.username, 'sAMAccountName');
    assert.equal(settings.attributes.distinguished_name, 'distinguishedName');
    assert.match(settings.users_filter, /^\(&\(\|\(sAMAccountName=\{input\}\)\(mail=\{input\}\)\)/);
    assert.match(settings.users_filter, /userAccountControl:1\.2\.840\.113556\.1\.4\.803:=2/);
    assert.equal(
      settings.groups_filter,
      '(&(member={dn})(|(sAMAccountType=268435456)(sAMAccountType=536870912)))',
    );
  });

  test('lldap sets the search bases; a configured attribute wins over the default', () => {
    const { file } = writeConfigFile(`${HEAD}  ldap:
    address: ldap://lldap:3890
    implementation: lldap
    base_dn: dc=example,dc=com
    user: uid=admin,ou=people,dc=example,dc=com
    password: secret
    permit_referrals: true
    attributes:
      display_name: displayName
`);
    const config = loadConfig(file, {});
    assert.deepEqual(config.warnings, [
      'authentication_backend.ldap.permit_referrals: accepted but not implemented: referrals are not followed (point address at a server that can answer and write)',
    ]);
    const settings = ldapSettingsOf(config.authentication_backend.ldap!);
    assert.equal(settings.additional_users_dn, 'ou=people');
    assert.equal(settings.additional_groups_dn, 'ou=groups');
    assert.equal(settings.attributes.display_name, 'displayName');
    assert.equal(settings.users_filter, '(&(|(uid={input})(mail={input}))(objectClass=person))');
  });

  test('custom needs its filters and username attribute; bad addresses and StartTLS on ldaps are refused', () => {
    const lines = problems(`  ldap:
    address: http://dc1.example.com
    base_dn: dc=example,dc=com
    user: cn=sesame,dc=example,dc=com
    password: secret
`);
    assert.ok(
      lines.some((line) =>
        /ldap\.address: 'http:\/\/dc1\.example\.com' is not an LDAP address \(allowed: ldap:\/\/host/.test(
          line,
        ),
      ),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((line) => /ldap\.attributes\.username: required with implementation custom/.test(line)),
    );
    assert.ok(lines.some((line) => /ldap\.users_filter: required with implementation custom/.test(line)));
    assert.ok(lines.some((line) => /ldap\.groups_filter: required with implementation custom/.test(line)));
    const tls = problems(`  ldap:
    address: ldaps://dc1.example.com
    start_tls: true
    implementation: rfc2307bis
    base_dn: dc=example,dc=com
    user: cn=sesame,dc=example,dc=com
    password: secret
    users_filter: (uid=admin)
`);
    assert.ok(
      tls.some((line) => /ldap\.start_tls: StartTLS cannot upgrade an ldaps:\/\/ connection/.test(line)),
      tls.join('\n'),
    );
    assert.ok(tls.some((line) => /ldap\.users_filter: must contain the \{input\} placeholder/.test(line)));
  });

  test('binding without a password is refused unless permit_unauthenticated_bind is set (with reset disabled)', () => {
    const base = `  ldap:
    address: ldap://127.0.0.1
    implementation: freeipa
    base_dn: dc=example,dc=com
    user: uid=sesame,dc=example,dc=com
`;
    const missing = problems(base);
    assert.ok(
      missing.some((line) =>
        /ldap\.password: is required \(an unauthenticated bind is refused unless permit_unauthenticated_bind is true\)/.test(
          line,
        ),
      ),
      missing.join('\n'),
    );
    const permitted = problems(`${base}    permit_unauthenticated_bind: true\n`);
    assert.ok(
      permitted.some((line) =>
        /ldap\.permit_unauthenticated_bind: needs authentication_backend\.password_reset\.disable: true/.test(
          line,
        ),
      ),
      permitted.join('\n'),
    );
    const { file } = writeConfigFile(
      `${HEAD}${base}    permit_unauthenticated_bind: true\n  password_reset:\n    disable: true\n`,
    );
    assert.equal(loadConfig(file, {}).authentication_backend.ldap?.permit_unauthenticated_bind, true);
  });

  test('memberof mode needs member_of and a {memberof:…} filter; file and ldap together are refused', () => {
    const lines = problems(`  file:
    path: users.yml
  ldap:
    address: ldap://127.0.0.1
    implementation: rfc2307bis
    base_dn: dc=example,dc=com
    user: cn=sesame,dc=example,dc=com
    password: secret
    group_search_mode: memberof
`);
    assert.ok(
      lines.some((line) =>
        /authentication_backend\.ldap: only one of file and ldap may be configured/.test(line),
      ),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((line) =>
        /ldap\.groups_filter: must contain \{memberof:dn\} or \{memberof:rdn\}/.test(line),
      ),
    );
  });
});
