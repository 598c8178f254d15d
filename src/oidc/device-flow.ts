// The device authorization grant (RFC 8628) on oidc-provider's deviceFlow feature: the pages at
// the verification URI are Sesame's (handed in as EnginePages), and two things the engine leaves
// out are added here: the polling interval in the device authorization response, and `slow_down`
// for a device that polls the token endpoint faster than that interval.
import { createHash } from 'node:crypto';
import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type Provider from 'oidc-provider';
import type { Store } from '../store/index.ts';
import type { EnginePages } from './provider.ts';

/** Seconds a device waits between polls (RFC 8628 §3.2's default, stated explicitly). */
export const DEVICE_POLL_INTERVAL = 5;

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Where the device pages' forms go and the engine's token for them (checked as `xsrf`). Without a
 * stored browser session (a first request that is a POST) there is nothing to check a token
 * against: the form then goes by GET, which starts the session and posts the code on.
 */
export interface DeviceForm {
  action: string;
  method: 'post' | 'get';
  xsrf: string;
}

/** Why the code entry page is shown again. */
export type DeviceCodeProblem =
  'missing' | 'not_found' | 'expired' | 'already_used' | 'aborted' | 'denied' | 'form_expired' | 'other';

/** oidc-provider's re-render errors (by class name) → what the page tells the person. */
const PROBLEMS: Record<string, DeviceCodeProblem> = {
  NoCodeError: 'missing',
  NotFoundError: 'not_found',
  ExpiredError: 'expired',
  AlreadyUsedError: 'already_used',
  AbortedError: 'aborted',
};

function problemOf(error: unknown): DeviceCodeProblem | undefined {
  if (error === undefined) return undefined;
  const { name, error: code, cause } = error as { name?: string; error?: string; cause?: unknown };
  // (A missing or wrong xsrf token, or a repeated field: the form was not this page's.)
  if (code === 'invalid_request') return 'form_expired';
  // The sign-in ended with access_denied (consent denied, or the client's policy said no).
  if (name === 'AbortedError' && cause !== undefined) return 'denied';
  return PROBLEMS[name ?? ''] ?? 'other';
}

function formOf(ctx: KoaContextWithOIDC): DeviceForm {
  const session = ctx.oidc.session;
  const action = ctx.oidc.urlFor('code_verification');
  if (session && typeof session.exp !== 'number') {
    // (oidc-provider would try to update this never-stored session after the page and fail.)
    (session as { touched?: boolean }).touched = false;
    return { action, method: 'get', xsrf: '' };
  }
  const state = session?.state as { secret?: string } | undefined;
  return { action, method: 'post', xsrf: state?.secret ?? '' };
}

/** The user code as typed (oidc-provider keeps it on its errors), if it is one line of text. */
function typedCode(error: unknown): string | undefined {
  const code = (error as { userCode?: unknown } | undefined)?.userCode;
  return typeof code === 'string' && code.length <= 64 ? code : undefined;
}

/** `features.deviceFlow`: user codes of 8 consonants (BCDF-GHJK), Sesame's pages. */
export function deviceFlowFeature(pages: EnginePages): NonNullable<Configuration['features']>['deviceFlow'] {
  return {
    enabled: true,
    charset: 'base-20',
    mask: '****-****',
    userCodeInputSource: (ctx, _form, _out, error) => {
      ctx.type = 'html';
      ctx.body = pages.deviceCodeInput(formOf(ctx), typedCode(error), problemOf(error));
    },
    userCodeConfirmSource: (ctx, _form, client, _deviceInfo, userCode) => {
      ctx.type = 'html';
      ctx.body = pages.deviceCodeConfirm(formOf(ctx), userCode, client.clientName ?? client.clientId);
    },
    successSource: (ctx) => {
      ctx.type = 'html';
      ctx.body = pages.deviceSuccess(ctx.oidc.client?.clientName);
    },
  };
}

/**
 * The device authorization response gets its `interval`; a client that may not use the grant is
 * told `unauthorized_client` (RFC 6749 §5.2), where the engine says `invalid_request`.
 */
function completeAuthorizationAnswer(ctx: KoaContextWithOIDC): void {
  const body = ctx.body as Record<string, unknown> | undefined;
  if (!body) return;
  if (ctx.status === 200) body.interval = DEVICE_POLL_INTERVAL;
  else if (
    body.error === 'invalid_request' &&
    ctx.oidc.client &&
    !ctx.oidc.client.grantTypeAllowed(DEVICE_CODE)
  )
    body.error = 'unauthorized_client';
}

/**
 * Adds `interval` to the device authorization response and answers `slow_down` to a poll that
 * comes sooner than the interval after the last pending one. The last poll is a marker in the
 * store, so every node sees it; of two polls at once, one is pending and the other slowed down.
 */
export function installDevicePolling(provider: Provider, store: Store): void {
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
    if (oidc?.route === 'device_authorization') return completeAuthorizationAnswer(ctx as KoaContextWithOIDC);
    const body = ctx.body as { error?: unknown } | undefined;
    const deviceCode = oidc?.params?.device_code;
    if (oidc?.route !== 'token' || body?.error !== 'authorization_pending' || typeof deviceCode !== 'string')
      return;
    const marker = createHash('sha256').update(deviceCode).digest('base64url');
    // (A second short of the interval, so a device that waits exactly the interval is never slowed.)
    const until = new Date(Date.now() + (DEVICE_POLL_INTERVAL - 1) * 1000);
    if (await store.artifacts.claim('DevicePoll', marker, until)) return;
    const slowDown = new errors.SlowDown();
    ctx.status = slowDown.statusCode;
    ctx.body = { error: slowDown.error, error_description: slowDown.error_description };
  });
}
