// Remembered consent for `pre-configured` clients: kept per user and client, for the client's
// configured duration, independent of the login session.
import type { Repositories, Store } from '../store/index.ts';

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

/** A user's remembered consents, by client id. */
export async function rememberedConsents(
  repositories: Repositories,
  accountId: string,
): Promise<{ clientId: string; scopes: string[]; expiresAt?: Date }[]> {
  const consents = await repositories.artifacts.listByIdPrefix(MODEL, `${accountId}:`);
  return consents.map((consent) => ({
    clientId: consent.id.slice(accountId.length + 1),
    scopes: (consent.payload.scopes as string[] | undefined) ?? [],
    expiresAt: consent.expiresAt,
  }));
}

/** Forgets a remembered consent; false when there was none. */
export async function forgetConsent(
  repositories: Repositories,
  accountId: string,
  clientId: string,
): Promise<boolean> {
  const id = `${accountId}:${clientId}`;
  if (!(await repositories.artifacts.find(MODEL, id))) return false;
  await repositories.artifacts.destroy(MODEL, id);
  return true;
}
