// The endpoint table and the redirect-URI module, checked without a server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  registeredRedirects,
  redirectUriAllowed,
  redirectUrisProblem,
  PATTERN_ONLY_PLACEHOLDER,
} from './redirect-uris.ts';
import { applicationUrls, isFrontChannelPath, isProtocolPath } from './urls.ts';

function expectEach(check: (path: string) => boolean, paths: { yes: string[]; no: string[] }) {
  for (const path of paths.yes) assert.equal(check(path), true, path);
  for (const path of paths.no) assert.equal(check(path), false, path);
}

test('the application URLs and protocol paths come from one table', () => {
  assert.deepEqual(applicationUrls('https://sso.example.com/', 'romm'), {
    issuer: 'https://sso.example.com/application/o/romm/',
    discovery: 'https://sso.example.com/application/o/romm/.well-known/openid-configuration',
    authorize: 'https://sso.example.com/application/o/authorize/',
    token: 'https://sso.example.com/application/o/token/',
    userinfo: 'https://sso.example.com/application/o/userinfo/',
    endSession: 'https://sso.example.com/application/o/romm/end-session/',
    jwks: 'https://sso.example.com/application/o/romm/jwks/',
  });
  expectEach(isProtocolPath, {
    yes: ['/.well-known/openid-configuration', '/jwks.json', '/api/oidc/token', '/application/o/x/'],
    no: ['/portal', '/api/v1/users', '/interaction/abc'],
  });
});

test('front-channel endpoints, in both URL worlds, with or without a trailing slash', () => {
  expectEach(isFrontChannelPath, {
    yes: [
      '/api/oidc/authorization',
      '/api/oidc/end-session/',
      '/application/o/authorize/',
      '/application/o/romm/end-session',
    ],
    no: [
      '/api/oidc/token',
      '/api/oidc/authorization//',
      '/application/o//end-session',
      '/application/o/a/b/end-session',
      '/application/o/end-session',
    ],
  });
});

test('registered redirect URIs: exact ones for the engine, patterns matched whole, the placeholder never', () => {
  const entries = [{ url: 'https://app\\.example\\.com/cb/[a-z]+', matching_mode: 'regex' as const }];
  assert.deepEqual(registeredRedirects(entries), {
    exact: [PATTERN_ONLY_PLACEHOLDER],
    patterns: ['https://app\\.example\\.com/cb/[a-z]+'],
  });
  assert.deepEqual(registeredRedirects(entries, false).exact, []);
  const { exact, patterns } = registeredRedirects(entries);
  const engine = (uri: string) => exact.includes(uri);
  assert.equal(redirectUriAllowed('https://app.example.com/cb/abc', engine, patterns), true);
  assert.equal(redirectUriAllowed('https://app.example.com/cb/abc/x', engine, patterns), false);
  assert.equal(redirectUriAllowed(PATTERN_ONLY_PLACEHOLDER, engine, patterns), false);
  assert.match(
    redirectUrisProblem([
      { url: 'https://ok.example.com/', matching_mode: 'strict' },
      { url: '(a)\\1', matching_mode: 'regex' },
    ]) ?? '',
    /not a valid RE2 regular expression/,
  );
});
