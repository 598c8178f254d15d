// Browser flows shared by the protocol tests: start an authorization, log in, consent.
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import type { Page } from 'playwright-core';
import type { RelyingParty } from './browser.ts';

export const PASSWORD = 'correct horse battery staple';

export interface Flow {
  config: client.Configuration;
  redirectUri: string;
}

export const insecure = { execute: [client.allowInsecureRequests] };

/** openid-client puts the OAuth error code on the error object, not in its message. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: Error & { error?: string; cause?: unknown }) => {
    assert.equal(error.error, code, `${error.message} ${JSON.stringify(error.cause)}`);
    return true;
  });
}

/** Starts an authorization in the browser and returns where the browser came back to the app. */
export async function authorize(
  page: Page,
  rp: RelyingParty,
  flow: Flow,
  parameters: Record<string, string> = {},
  interact: (page: Page) => Promise<void> = () => Promise.resolve(),
) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(flow.config, {
    redirect_uri: flow.redirectUri,
    scope: 'openid profile email groups offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...parameters,
  });
  const before = rp.hits.length;
  await page.goto(url.href);
  await interact(page);
  // The app recorded the browser's return: that is the end of the flow.
  for (const deadline = Date.now() + 10_000; rp.hits.length <= before;) {
    if (Date.now() > deadline)
      throw new Error(
        `the browser did not come back to the app; it is at ${page.url()}:\n${await page.locator('body').innerText()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const hit = rp.hits[before]!;
  // The app may record the request before the page has finished loading it; let the navigation end
  // so that the caller's next navigation is not cut short by this one.
  await page.waitForURL((url) => url.origin === hit.url.origin, { timeout: 5_000 }).catch(() => undefined);
  const callback = new URL(hit.url.href);
  if (hit.method === 'POST') for (const [key, value] of hit.body) callback.searchParams.set(key, value);
  return { callback, verifier, state, nonce };
}

export async function logIn(page: Page, username: string, password = PASSWORD) {
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Clicks Allow when the consent page comes (it does not when consent is remembered or implicit). */
export async function allow(page: Page) {
  await page.waitForURL((url) =>
    url.pathname.startsWith('/interaction/') ? !url.pathname.endsWith('/login') : true,
  );
  if (new URL(page.url()).pathname.startsWith('/interaction/'))
    await page.getByRole('button', { name: 'Allow' }).click();
}

export interface JarAnswer {
  status: number;
  body: string;
  location?: string;
}

/** One browser request with a cookie jar (no redirects followed), as the login form needs it. */
export async function jarRequest(
  jar: Map<string, string>,
  url: string,
  form?: Record<string, string>,
): Promise<JarAnswer> {
  const response = await fetch(url, {
    method: form ? 'POST' : 'GET',
    headers: {
      cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    body: form ? new URLSearchParams(form) : undefined,
    redirect: 'manual',
  });
  for (const cookie of response.headers.getSetCookie()) {
    const [pair] = cookie.split(';');
    const at = pair!.indexOf('=');
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
  const next = response.headers.get('location');
  return {
    status: response.status,
    body: await response.text(),
    location: next ? new URL(next, url).href : undefined,
  };
}
