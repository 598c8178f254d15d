// The MySQL engine's connection settings: Authelia's address forms and TLS keys as mysql2 options,
// and TLS required when configured (the server in the tests has none: the connection must fail).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mysqlConnection, skipWithoutMysql } from '../../test/support/mysql.ts';
import { connectionConfig, MysqlExecutor, type MysqlOptions } from './mysql.ts';

const BASE: MysqlOptions = {
  address: 'tcp://db.example.com',
  database: 'sesame',
  username: 'sesame',
  timeoutSeconds: 5,
  maxConnections: 4,
};

test('addresses: tcp with or without a port, IPv6, a unix socket; anything else names the key', () => {
  assert.deepEqual([connectionConfig(BASE).host, connectionConfig(BASE).port], ['db.example.com', 3306]);
  const v6 = connectionConfig({ ...BASE, address: 'tcp6://[::1]:3307' });
  assert.deepEqual([v6.host, v6.port], ['::1', 3307]);
  const unix = connectionConfig({ ...BASE, address: 'unix:///run/mysqld/mysqld.sock' });
  assert.equal(unix.socketPath, '/run/mysqld/mysqld.sock');
  assert.equal(unix.host, undefined);
  assert.throws(
    () => connectionConfig({ ...BASE, address: 'http://db.example.com/' }),
    /storage\.mysql\.address: 'http:\/\/db\.example\.com\/' is not tcp:\/\/host:port or unix:\/\/\/path/,
  );
});

test('TLS: verified by default, against server_name when given, with the versions asked for', () => {
  const plain = connectionConfig(BASE);
  assert.equal(plain.ssl, undefined);
  assert.equal(plain.stream, undefined);
  const named = connectionConfig({
    ...BASE,
    tls: {
      server_name: 'mysql.internal',
      skip_verify: false,
      minimum_version: 'TLS 1.3',
      maximum_version: 'TLS1.3',
    },
  });
  // The certificate is checked against server_name; the socket still goes to the address's host.
  assert.equal(named.host, 'mysql.internal');
  assert.equal(typeof named.stream, 'function');
  assert.deepEqual(
    named.ssl && typeof named.ssl === 'object'
      ? [named.ssl.rejectUnauthorized, named.ssl.minVersion, named.ssl.maxVersion]
      : undefined,
    [true, 'TLSv1.3', 'TLSv1.3'],
  );
  const skipped = connectionConfig({ ...BASE, tls: { skip_verify: true } });
  assert.equal(skipped.host, 'db.example.com');
  assert.equal(typeof skipped.ssl === 'object' && skipped.ssl.rejectUnauthorized, false);
});

test(
  'with tls set, a server without TLS is refused rather than spoken to in clear',
  { skip: await skipWithoutMysql() },
  async () => {
    const executor = new MysqlExecutor({ ...mysqlConnection('test'), tls: { skip_verify: true } });
    try {
      await assert.rejects(executor.get('SELECT 1 AS ok'), /secure connection|SSL|TLS/i);
    } finally {
      await executor.close();
    }
    const clear = new MysqlExecutor(mysqlConnection('test'));
    try {
      assert.deepEqual(await clear.get('SELECT 1 AS ok'), { ok: 1 });
    } finally {
      await clear.close();
    }
  },
);
