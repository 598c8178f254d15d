// Remembered consent for `pre-configured` clients: kept per user and client, for the client's
// configured duration, independent of the login session.
import type { Store } from '../store/index.ts';

const MODEL = 'RememberedConsent';

export async function rememberConsent(
  store: Store,
  accountId: string,
  clientId: string,
  scopes: string[],
  durationSeconds: number,
): Promise<void> {
  await store.artifacts.upsert({
    model: MODEL,
    id: `${accountId}:${clientId}`,
    payload: { scopes },
    expiresAt: new Date(Date.now() + durationSeconds * 1000),
  });
}

export async function rememberedConsent(
  store: Store,
  accountId: string,
  clientId: string,
): Promise<{ scopes: string[] } | undefined> {
  const artifact = await store.artifacts.find(MODEL, `${accountId}:${clientId}`);
  return artifact ? { scopes: (artifact.payload.scopes as string[] | undefined) ?? [] } : undefined;
}
