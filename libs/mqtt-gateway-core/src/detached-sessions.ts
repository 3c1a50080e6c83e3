import type { DetachedSession } from './detached-session.ts';

/** Persistent sessions without a connection, by tenant and client id; at most one per client id. */
export class DetachedSessions {
  private readonly sessions = new Map<string, DetachedSession>();

  get size(): number {
    return this.sessions.size;
  }

  park(session: DetachedSession): void {
    this.sessions.set(keyOf(session.tenantId, session.clientId), session);
  }

  /** Removes and returns the client id's detached session, if there is one. */
  take(tenantId: string, clientId: string): DetachedSession | undefined {
    const key = keyOf(tenantId, clientId);
    const session = this.sessions.get(key);
    this.sessions.delete(key);
    return session;
  }

  all(): IterableIterator<DetachedSession> {
    return this.sessions.values();
  }

  /** Whether the session was parked (and is no longer). */
  remove(session: DetachedSession): boolean {
    const key = keyOf(session.tenantId, session.clientId);
    if (this.sessions.get(key) !== session) return false;
    this.sessions.delete(key);
    return true;
  }
}

function keyOf(tenantId: string, clientId: string): string {
  return `${tenantId}/${clientId}`;
}
