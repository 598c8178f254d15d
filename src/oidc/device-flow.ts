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

/** Where the device pages' forms post and the engine's token for them (checked as `xsrf`). */
export interface DeviceForm {
  action: string;
  xsrf: string;
}

/** Why the code entry page is shown again. */
export type DeviceCodeProblem = 'missing' | 'not_found' | 'expired' | 'already_used' | 'aborted' | 'other';

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
  return PROBLEMS[(error as { name?: string }).name ?? ''] ?? 'other';
}

function formOf(ctx: KoaContextWithOIDC): DeviceForm {
  const state = ctx.oidc.session?.state as { secret?: string } | undefined;
  return { action: ctx.oidc.urlFor('code_verification'), xsrf: state?.secret ?? '' };
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
 * Adds `interval` to the device authorization response and answers `slow_down` to a poll that
 * comes sooner than the interval after the last pending one. The last poll is a marker in the
 * store, so every node sees it; of two polls at once, one is pending and the other slowed down.
 */
export function installDevicePolling(provider: Provider, store: Store): void {
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
    if (!oidc) return;
    if (oidc.route === 'device_authorization' && ctx.status === 200) {
      (ctx.body as Record<string, unknown>).interval = DEVICE_POLL_INTERVAL;
      return;
    }
    const body = ctx.body as { error?: unknown } | undefined;
    const deviceCode = oidc.params?.device_code;
    if (oidc.route !== 'token' || body?.error !== 'authorization_pending' || typeof deviceCode !== 'string')
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
