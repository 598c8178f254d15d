// Sign-ins from a new device (notifier.new_device_sign_in): a browser that signs in gets a random
// device id in a long-lived cookie; each account remembers the digests of the ids it signed in from.
// A sign-in from an id the account does not know mails the user — except on the account's first
// recorded device, so turning this on does not mail everyone at once.
import { createHash } from 'node:crypto';
import { randomToken } from '../crypto/random.ts';
import type { Store } from '../store/index.ts';
import type { AccountNotifications } from './notifications.ts';

/** How long a device stays known without signing in again (and the cookie's lifetime). */
export const DEVICE_SECONDS = 400 * 24 * 60 * 60;
const MODEL = 'KnownDevice';

const digestOf = (deviceId: string) => createHash('sha256').update(deviceId).digest('base64url');

export class KnownDevices {
  private readonly store: Store;
  private readonly notifications: AccountNotifications;
  constructor(store: Store, notifications: AccountNotifications) {
    this.store = store;
    this.notifications = notifications;
  }

  /**
   * Records that `accountId` signed in from the browser holding `deviceId` (none: a new browser) and
   * mails the user when the browser is new to the account. Returns the id the browser keeps.
   */
  async signedIn(accountId: string, deviceId: string | undefined, clientIp: string): Promise<string> {
    const id = deviceId && /^[A-Za-z0-9_-]{43}$/.test(deviceId) ? deviceId : randomToken(32);
    const key = `${accountId}:${digestOf(id)}`;
    const expiresAt = new Date(Date.now() + DEVICE_SECONDS * 1000);
    const known = await this.store.artifacts.find(MODEL, key);
    const first = !known && (await this.store.artifacts.listByIdPrefix(MODEL, `${accountId}:`)).length === 0;
    await this.store.artifacts.upsert({ model: MODEL, id: key, payload: {}, expiresAt });
    if (known || first) return id;
    const user = await this.store.users.get(accountId);
    if (user) {
      this.notifications.changed(user, 'new-device', clientIp);
      await this.store.events.append({
        type: 'login.new_device',
        actor: user.username,
        subject: user.username,
        clientIp,
        details: {},
      });
    }
    return id;
  }
}
