// Filters as the directory receives them: what a person typed is escaped (RFC 4515), the date-time
// placeholders are Authelia's three formats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeFilterValue, fillFilter } from './ldap.ts';

test('the characters that change a filter’s meaning are escaped, and only those', () => {
  assert.equal(escapeFilterValue('*)(uid=*'), '\\2a\\29\\28uid=\\2a');
  assert.equal(escapeFilterValue('a\\b\u0000c'), 'a\\5cb\\00c');
  assert.equal(escapeFilterValue('élodie.o’brien@example.com'), 'élodie.o’brien@example.com');
});

test('{input}, {username} and {dn} are filled escaped; unknown placeholders are left alone', () => {
  const filter = '(&(|(uid={input})(mail={input}))(objectClass=person)(x={other}))';
  assert.equal(
    fillFilter(filter, { input: 'admin)(|(uid=*' }),
    '(&(|(uid=admin\\29\\28|\\28uid=\\2a)(mail=admin\\29\\28|\\28uid=\\2a))(objectClass=person)(x={other}))',
  );
  assert.equal(
    fillFilter('(&(member={dn})(cn={username}))', { dn: 'uid=a\\,b,ou=people', username: 'a*' }),
    '(&(member=uid=a\\5c,b,ou=people)(cn=a\\2a))',
  );
});

test('{date-time:…}: LDAP generalized time, Unix seconds and Windows NT time', () => {
  const now = new Date('2024-05-06T07:08:09.123Z');
  assert.equal(fillFilter('({date-time:generalized})', {}, now), '(20240506070809.0Z)');
  assert.equal(fillFilter('({date-time:unix})', {}, now), '(1714979289)');
  // 100-ns intervals since 1601-01-01: (ms + 11644473600000) × 10000.
  assert.equal(fillFilter('({date-time:microsoft-nt})', {}, now), '(133594528891230000)');
});
