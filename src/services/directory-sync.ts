// authentication_backend.refresh_interval for the LDAP directory: every so often each directory
// user's record is read again. Profile and groups follow the directory; a person the directory no
// longer has (deleted, or left out by users_filter: disabled, locked, expired) is disabled in
// Sesame, which ends their login sessions and revokes their grants and tokens. When the directory
// cannot answer, nothing is changed: a directory that is down never disables anyone.
import { directoryRecord, type LdapDirectory } from '../auth/ldap.ts';
import { sessionsOf } from '../auth/login-sessions.ts';
import { appendAudit } from '../auth/users.ts';
import { UnavailableError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Store, User } from '../store/index.ts';
import { signOutEverywhere } from './sessions.ts';

/** Seconds between refreshes: Authelia's default 5 minutes; `always` is every minute here. */
export function refreshSecondsOf(setting: number | 'always' | 'disable' | undefined): number | undefined {
  if (setting === 'disable') return undefined;
  if (setting === 'always') return 60;
  return Math.max(1, setting ?? 300);
}

export interface RefreshReport {
  refreshed: string[];
  disabled: string[];
}

export class DirectorySync {
  private readonly store: Store;
  private readonly directory: LdapDirectory;
  private readonly logger?: Logger;
  constructor(store: Store, directory: LdapDirectory, logger?: Logger) {
    [this.store, this.directory, this.logger] = [store, directory, logger];
  }

  /** Reads every directory user again; stops (changing nothing more) when the directory is down. */
  async refresh(): Promise<RefreshReport> {
    const report: RefreshReport = { refreshed: [], disabled: [] };
    const users = await this.store.users.list({ source: 'ldap', limit: 1_000_000 });
    for (const user of users) {
      let entry;
      try {
        entry = await this.directory.findByUsername(user.username);
      } catch (error) {
        if (error instanceof UnavailableError) return report; // (logged by the directory client)
        throw error;
      }
      if (entry) {
        await this.store.users.update(user.id, directoryRecord(entry));
        report.refreshed.push(user.username);
      } else if (!user.disabled) {
        await this.disable(user);
        report.disabled.push(user.username);
      }
    }
    if (report.disabled.length > 0)
      this.logger?.warn(
        { users: report.disabled },
        'directory users gone from the LDAP directory were disabled',
      );
    return report;
  }

  private async disable(user: User): Promise<void> {
    const sessions = await sessionsOf(this.store, user, 1000);
    await this.store.transaction(async (tx) => {
      await tx.users.update(user.id, { disabled: true });
      // Grants and their tokens go too: being found again later does not revive old refresh tokens.
      await signOutEverywhere(tx, user.id, sessions);
      await appendAudit(
        tx,
        { type: 'user.disabled', actor: 'ldap', details: { reason: 'not in the directory' } },
        user.username,
      );
    });
  }
}
