// What each node keeps in memory (clients, applications, signing keys) must follow changes made
// anywhere: by this process (told at once, below), or by another node, the CLI or plain SQL, which
// database triggers record as a counter per topic (migration 0004) that `poll` reads every second.
import type { SqlExecutor } from './sql.ts';

export type ChangeTopic = 'clients' | 'signing_keys';

export class ChangeFeed {
  private readonly listeners = new Map<ChangeTopic, Set<() => void>>();
  private readonly seen = new Map<string, number>();
  private readonly localListeners = new Set<(topic: ChangeTopic) => void>();

  /** Calls `listener` after every change to `topic`; returns the function that unsubscribes. */
  on(topic: ChangeTopic, listener: () => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Calls `listener` for changes made through this process's store only (to pass them on). */
  onLocal(listener: (topic: ChangeTopic) => void): void {
    this.localListeners.add(listener);
  }

  /** A change made through this process's store. */
  notify(topic: ChangeTopic): void {
    this.receive(topic);
    for (const listener of this.localListeners) listener(topic);
  }

  /** A change made elsewhere (another worker told us): listeners only, not passed on again. */
  receive(topic: ChangeTopic): void {
    for (const listener of this.listeners.get(topic) ?? []) listener();
  }

  /** Reads the counters; tells listeners of topics whose counter moved since the last poll. */
  async poll(db: SqlExecutor): Promise<ChangeTopic[]> {
    const rows = await db.all<{ topic: string; version: number | string }>(
      'SELECT topic, version FROM change_counters',
    );
    const changed: ChangeTopic[] = [];
    for (const row of rows) {
      const version = Number(row.version);
      const previous = this.seen.get(row.topic);
      this.seen.set(row.topic, version);
      if (previous !== undefined && previous !== version) changed.push(row.topic as ChangeTopic);
    }
    for (const topic of changed) this.receive(topic);
    return changed;
  }
}
