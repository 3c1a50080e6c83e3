import type { QueuedMessage, SessionStore, StoredSession, TakenQueue } from './session-store.ts';

interface SessionEntry {
  session: StoredSession;
  queue: QueuedMessage[];
  dropped: number;
}

/** Persistent sessions in this process: enough for one gateway process, lost when it stops. */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, SessionEntry>();

  get size(): number {
    return this.entries.size;
  }

  async load(tenantId: string, clientId: string): Promise<StoredSession | null> {
    const entry = this.entries.get(keyOf(tenantId, clientId));
    return entry === undefined ? null : copySession(entry.session);
  }

  async save(tenantId: string, clientId: string, session: StoredSession): Promise<void> {
    const key = keyOf(tenantId, clientId);
    const entry = this.entries.get(key);
    if (entry === undefined) this.entries.set(key, { session: copySession(session), queue: [], dropped: 0 });
    else entry.session = copySession(session);
  }

  async enqueue(tenantId: string, clientId: string, message: QueuedMessage, maxMessages: number): Promise<number> {
    const entry = this.entries.get(keyOf(tenantId, clientId));
    if (entry === undefined) return 0;
    entry.queue.push(message);
    const excess = Math.max(entry.queue.length - maxMessages, 0);
    if (excess > 0) entry.queue.splice(0, excess);
    entry.dropped += excess;
    return excess;
  }

  async takeQueue(tenantId: string, clientId: string): Promise<TakenQueue> {
    const entry = this.entries.get(keyOf(tenantId, clientId));
    if (entry === undefined) return { messages: [], dropped: 0 };
    const taken = { messages: entry.queue, dropped: entry.dropped };
    entry.queue = [];
    entry.dropped = 0;
    return taken;
  }

  async delete(tenantId: string, clientId: string): Promise<void> {
    this.entries.delete(keyOf(tenantId, clientId));
  }
}

function keyOf(tenantId: string, clientId: string): string {
  return `${tenantId}/${clientId}`;
}

/** Callers get and give copies, as they would from a store across the network. */
function copySession(session: StoredSession): StoredSession {
  return {
    expirySeconds: session.expirySeconds,
    subscriptions: session.subscriptions.map((subscription) => ({ ...subscription })),
    awaitingRelease: [...session.awaitingRelease]
  };
}
