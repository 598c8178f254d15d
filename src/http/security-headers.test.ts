import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { test } from 'node:test';
import {
  allowCookieDomains,
  allowFormTarget,
  CONTENT_SECURITY_POLICY,
  setSecurityHeaders,
} from './security-headers.ts';

const response = () => new ServerResponse(new IncomingMessage(new Socket()));

test('without a template, Sesame’s own policy', () => {
  const res = response();
  setSecurityHeaders(res);
  assert.equal(res.getHeader('content-security-policy'), CONTENT_SECURITY_POLICY);
});

test('a csp_template: each ${NONCE} gets one fresh nonce per answer, and form-action still opens to the app', () => {
  const template =
    "default-src 'self'; script-src 'nonce-${NONCE}'; style-src 'nonce-${NONCE}'; form-action 'self'";
  const [first, second] = [response(), response()];
  setSecurityHeaders(first, template);
  setSecurityHeaders(second, template);
  const pattern =
    /^default-src 'self'; script-src 'nonce-([\w-]{24})'; style-src 'nonce-\1'; form-action 'self'$/;
  const nonceOf = (res: ServerResponse) =>
    pattern.exec(String(res.getHeader('content-security-policy')))?.[1];
  assert.ok(nonceOf(first) && nonceOf(second));
  assert.notEqual(nonceOf(first), nonceOf(second));
  allowFormTarget(first, 'https://app.example.com/callback');
  assert.match(
    String(first.getHeader('content-security-policy')),
    /; form-action 'self' https:\/\/app\.example\.com$/,
  );
});

test('a template without the placeholder is sent as it is', () => {
  const res = response();
  setSecurityHeaders(res, "default-src 'none'");
  assert.equal(res.getHeader('content-security-policy'), "default-src 'none'");
});

test('the portal’s forms may end on the forward-auth cookie domains, on any port, over https only', () => {
  const res = response();
  setSecurityHeaders(res);
  allowCookieDomains(res, ['example.com']);
  allowCookieDomains(res, ['example.com']);
  const formAction = /form-action ([^;]+)$/.exec(String(res.getHeader('content-security-policy')))?.[1];
  assert.equal(formAction, "'self' https://example.com:* https://*.example.com:*");
});
