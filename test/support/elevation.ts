// Elevating a signed-in browser's session through the real "Confirm it is you" page, for tests whose
// subject is something else (the change that needs the elevated session): with the current password
// (no notifier, or no address) or with the code the real inbox received.
import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import type { APIRequestContext } from 'playwright-core';
import { PASSWORD } from './flows.ts';
import type { Inbox } from './smtp.ts';

const PAGE = '/portal/security/elevate';

export function csrfOf(html: string): string {
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(csrf, 'the page has a CSRF field');
  return csrf;
}

/** The code in a one-time code mail (its indented line). */
export function codeIn(mail: ParsedMail): string {
  const code = /^ {4}([A-Z0-9]{6,20})$/m.exec(mail.text ?? '')?.[1];
  assert.ok(code, `a code in:\n${mail.text}`);
  return code;
}

async function post(request: APIRequestContext, url: string, form: Record<string, string>) {
  return request.post(url, { form, maxRedirects: 0 });
}

/** Elevates with the current password (the page asks for it where no code can be mailed). */
export async function elevateWithPassword(
  request: APIRequestContext,
  base: string,
  password = PASSWORD,
): Promise<void> {
  const csrf = csrfOf(await (await request.get(`${base}${PAGE}`)).text());
  const answer = await post(request, `${base}${PAGE}`, { csrf, next: '/portal/security', password });
  assert.equal(answer.status(), 303, await answer.text());
}

/** Asks for a code, reads it from the inbox and enters it. */
export async function elevateWithCode(
  request: APIRequestContext,
  base: string,
  inbox: Inbox,
  address: string,
): Promise<void> {
  const before = inbox.to(address).length;
  const csrf = csrfOf(await (await request.get(`${base}${PAGE}`)).text());
  assert.equal(
    (await post(request, `${base}${PAGE}/send`, { csrf, next: '/portal/security' })).status(),
    303,
  );
  const mail = await inbox.waitFor(address, (candidate) => inbox.to(address).indexOf(candidate) >= before);
  const again = csrfOf(await (await request.get(`${base}${PAGE}?sent=1`)).text());
  const answer = await post(request, `${base}${PAGE}`, {
    csrf: again,
    next: '/portal/security',
    code: codeIn(mail),
  });
  assert.equal(answer.status(), 303, await answer.text());
}
