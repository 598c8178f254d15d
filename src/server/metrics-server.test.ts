import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsPath } from './metrics-server.ts';

test('the metrics path is read from the address as Authelia reads it', () => {
  assert.equal(metricsPath('tcp://:9959', '/'), '/metrics');
  assert.equal(metricsPath('tcp://0.0.0.0:9959', '/'), '/metrics');
  assert.equal(metricsPath('tcp://:9959/', '/'), '/');
  assert.equal(metricsPath('tcp://:9959/metrics', '/metrics'), '/metrics');
  assert.equal(metricsPath('tcp://127.0.0.1:9959/custom/path', '/custom/path'), '/custom/path');
  assert.equal(metricsPath('unix:///run/sesame/metrics.sock', '/run/sesame/metrics.sock'), '/');
  assert.equal(metricsPath('unix:///run/m.sock?path=prom', '/run/m.sock?path=prom'), '/prom');
});
