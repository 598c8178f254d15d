import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oidcEndpointOf } from './request-metrics.ts';

test('protocol paths are named as Authelia’s metrics name the endpoints, in both URL worlds', () => {
  const cases: [string, string | undefined][] = [
    ['/api/oidc/token', 'token'],
    ['/api/oidc/authorization', 'authorization'],
    ['/api/oidc/pushed-authorization-request', 'pushed_authorization_request'],
    ['/jwks.json', 'jwks'],
    ['/.well-known/openid-configuration', 'openid_configuration'],
    ['/.well-known/oauth-authorization-server', 'oauth_configuration'],
    ['/application/o/token/', 'token'],
    ['/application/o/authorize', 'authorization'],
    ['/application/o/grafana/jwks/', 'jwks'],
    ['/application/o/grafana/.well-known/openid-configuration', 'openid_configuration'],
    ['/application/o/grafana/par', 'pushed_authorization_request'],
    ['/api/oidc/nothing-here', 'other'],
    ['/application/o/grafana/', 'other'],
    ['/portal', undefined],
    ['/healthz', undefined],
  ];
  for (const [path, name] of cases) assert.equal(oidcEndpointOf(path), name, path);
});
