import type { AppPrincipal, DevicePrincipal } from '@plexus/contracts';
import type { SessionStore } from './session-store.ts';
import type { OutgoingMessage, WillMessage } from './session.ts';

const SETTLED: Promise<void> = Promise.resolve();

/**
 * A persistent session whose connection has ended (MQTT 5.0 §4.1). It stays subscribed in the
 * router under this object, which queues QoS 1 and 2 deliveries in the session store until the
 * client comes back or the session expires; QoS 0 deliveries are dropped, as the spec allows for a
 * session without a connection. It holds no socket, timer or closure: the session expiry wheel
 * says when its will or its expiry is due.
 */
export class DetachedSession {
  readonly tenantId: string;
  readonly clientId: string;
  readonly principal: DevicePrincipal | AppPrincipal;
  /** A will waiting for its Will Delay Interval [MQTT-3.1.3-9]. */
  will: WillMessage | null = null;
  /** When the will is due (clock ms). */
  willDueAt = 0;
  /** When the session expires (clock ms). */
  expiresAt: number;
  /** Messages the store dropped (queue full) or failed to take. */
  dropped = 0;
  private readonly store: SessionStore;
  /** Store writes of this session run one after another; this settles after the last. */
  private writes: Promise<void> = SETTLED;

  constructor(store: SessionStore, tenantId: string, clientId: string, principal: DevicePrincipal | AppPrincipal, expiresAt: number) {
    this.store = store;
    this.tenantId = tenantId;
    this.clientId = clientId;
    this.principal = principal;
    this.expiresAt = expiresAt;
  }

  /** The next moment something is due: the will, or the end of the session. */
  get dueAt(): number {
    return this.will !== null && this.willDueAt < this.expiresAt ? this.willDueAt : this.expiresAt;
  }

  deliver(message: OutgoingMessage, queueLimit: number): void {
    const { qos } = message;
    if (qos === 0) return;
    this.write(async () => {
      this.dropped += await this.store.enqueue(this.tenantId, this.clientId, { ...message, qos }, queueLimit);
    });
  }

  /** Runs a store write after the ones before it; a failure counts as a dropped message. */
  write(step: () => Promise<unknown>): void {
    this.writes = this.writes.then(step).then(
      () => undefined,
      () => {
        this.dropped++;
      }
    );
  }

  /** Settles once every write issued so far has. */
  settled(): Promise<void> {
    return this.writes;
  }
}
