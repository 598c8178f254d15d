// oidc-provider's storage adapter over Sesame's store: protocol artifacts (sessions, codes, tokens,
// grants, interactions) go to the artifacts table; clients come from the client registry.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Store } from '../store/index.ts';
import type { ClientRegistry } from './clients.ts';

export function adapterFor(store: Store, clients: ClientRegistry) {
  return class SesameAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      await store.artifacts.upsert({
        model: this.model,
        id,
        payload: payload,
        grantId: payload.grantId,
        uid: payload.uid,
        userCode: payload.userCode,
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : undefined,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        // Every issuer can look every client up (logout must reach all of a session's clients);
        // a per-application issuer refuses to authorize other applications' clients (provider.ts).
        return clients.metadata(id);
      }
      return payloadOf(await store.artifacts.find(this.model, id));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return payloadOf(await store.artifacts.findByUid(this.model, uid));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return payloadOf(await store.artifacts.findByUserCode(this.model, userCode));
    }

    async consume(id: string): Promise<void> {
      await store.artifacts.consume(this.model, id);
    }

    async destroy(id: string): Promise<void> {
      await store.artifacts.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.artifacts.revokeByGrantId(grantId);
    }
  };
}

function payloadOf(artifact: Awaited<ReturnType<Store['artifacts']['find']>>): AdapterPayload | undefined {
  if (!artifact) return undefined;
  const payload = artifact.payload as AdapterPayload;
  // oidc-provider detects a replayed authorization code by this field.
  return artifact.consumedAt
    ? { ...payload, consumed: Math.floor(artifact.consumedAt.getTime() / 1000) }
    : payload;
}
