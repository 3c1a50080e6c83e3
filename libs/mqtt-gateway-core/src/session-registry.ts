import type { RevocationEvent } from '@plexus/contracts';
import type { MqttSession } from './session.ts';

/** Live sessions by tenant and client id: one session per client id [MQTT-3.1.4-3]. */
export class SessionRegistry {
  private readonly sessions = new Map<string, MqttSession>();

  get size(): number {
    return this.sessions.size;
  }

  /** Registers a session; returns the one it takes over, if any. */
  claim(session: MqttSession): MqttSession | undefined {
    const key = `${session.tenantId}/${session.clientId}`;
    const previous = this.sessions.get(key);
    this.sessions.set(key, session);
    return previous === session ? undefined : previous;
  }

  /** The live session of a client id, if this process holds one. */
  find(tenantId: string, clientId: string): MqttSession | undefined {
    return this.sessions.get(`${tenantId}/${clientId}`);
  }

  release(session: MqttSession): void {
    const key = `${session.tenantId}/${session.clientId}`;
    if (this.sessions.get(key) === session) this.sessions.delete(key);
  }

  /** Sessions a revocation takes access away from. */
  affectedBy(event: RevocationEvent): MqttSession[] {
    if (event.kind === 'device') {
      const session = this.sessions.get(`${event.tenantId}/${event.deviceId}`);
      return session?.principal?.kind === 'device' ? [session] : [];
    }
    return [...this.sessions.values()].filter((session) => {
      const principal = session.principal;
      if (!principal) return false;
      switch (event.kind) {
        case 'tenant':
          return principal.tenantId === event.tenantId;
        case 'api-key':
          return principal.kind === 'app' && principal.keyId === event.keyId;
        case 'signing-key':
          return session.signingKeyId === event.signingKeyId;
      }
      return false;
    });
  }

  all(): IterableIterator<MqttSession> {
    return this.sessions.values();
  }
}
