// oidc-provider's storage adapter over Sesame's store: protocol artifacts (sessions, codes, tokens,
// grants, interactions) go to the artifacts table; clients come from the client registry.
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Store } from '../store/index.ts';
import type { ClientRegistry } from './clients.ts';

export function adapterFor(store: Store, clients: ClientRegistry) {
  return class SesameAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      // Stored by find already, for the whole window (claimReplayMarker).
      if (this.model === 'ReplayDetection') return;
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
      if (this.model === 'ReplayDetection') return claimReplayMarker(store, id);
      return payloadOf(await store.artifacts.find(this.model, id));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return payloadOf(await store.artifacts.findByUid(this.model, uid));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return payloadOf(await store.artifacts.findByUserCode(this.model, userCode));
    }

    async consume(id: string): Promise<void> {
      if (await store.artifacts.consume(this.model, id)) return;
      // oidc-provider refuses an artifact it loaded already consumed, but requests that loaded it
      // before any of them consumed it all get here: the conditional update lets one through, and
      // the others are replays. As on a replay seen in sequence, the grant and everything issued
      // under it are revoked. The Grant record goes first: the winner may store its tokens after
      // this, and introspection, userinfo and refresh refuse every token whose grant is gone.
      const grantId = (await store.artifacts.find(this.model, id))?.grantId;
      if (grantId) {
        await store.artifacts.destroy('Grant', grantId);
        await store.artifacts.revokeByGrantId(grantId);
      }
      throw replayed(this.model);
    }

    async destroy(id: string): Promise<void> {
      await store.artifacts.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.artifacts.revokeByGrantId(grantId);
    }
  };
}

/**
 * How long a proof's jti is remembered: oidc-provider accepts a proof whose iat is up to 5 minutes
 * off either way (or whose nonce is a few minutes old), so a proof can stay usable for 10.
 */
const REPLAY_WINDOW_SECONDS = 10 * 60;

/**
 * oidc-provider checks a DPoP proof's (or client assertion's) jti by looking it up, then saving it:
 * two requests with one proof, on one node or two, could both look before either saves. Here the
 * look-up claims the jti in the store instead (exactly one concurrent claimer wins, on any node),
 * and answers "found" to every other, which oidc-provider refuses as a replay.
 */
async function claimReplayMarker(store: Store, id: string): Promise<AdapterPayload | undefined> {
  const claimed = await store.artifacts.claim(
    'ReplayDetection',
    id,
    new Date(Date.now() + REPLAY_WINDOW_SECONDS * 1000),
  );
  return claimed ? undefined : { jti: id };
}

/** The error oidc-provider answers a one-time artifact's replay with when it sees the replay itself. */
function replayed(model: string): Error {
  switch (model) {
    case 'PushedAuthorizationRequest':
      return new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
    case 'RefreshToken':
      return new errors.InvalidGrant('refresh token already used');
    case 'AuthorizationCode':
      return new errors.InvalidGrant('authorization code already consumed');
    default:
      return new errors.InvalidGrant(`${model} already consumed`);
  }
}

function payloadOf(artifact: Awaited<ReturnType<Store['artifacts']['find']>>): AdapterPayload | undefined {
  if (!artifact) return undefined;
  const payload = artifact.payload as AdapterPayload;
  // oidc-provider detects a replayed authorization code by this field.
  return artifact.consumedAt
    ? { ...payload, consumed: Math.floor(artifact.consumedAt.getTime() / 1000) }
    : payload;
}
