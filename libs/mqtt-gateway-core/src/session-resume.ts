import type { DetachedSession } from './detached-session.ts';
import type { GatewayContext } from './gateway-context.ts';
import { PersistentSession } from './persistent-session.ts';
import { reclaimDetached } from './session-end.ts';
import { RELEASED, type MqttSession, type OutgoingMessage } from './session.ts';
import type { StoredSession } from './session-store.ts';

export interface RestoredSession {
  /** CONNACK Session Present [MQTT-3.2.2-2] [MQTT-3.2.2-3]. */
  readonly sessionPresent: boolean;
  /** The session's detached self, still queueing until `deliverQueued` has taken what it queued. */
  readonly detached: DetachedSession | undefined;
}

/**
 * Gives a new connection its session before the CONNACK: Clean Start = 1 discards a stored
 * session [MQTT-3.1.2-4]; Clean Start = 0 resumes it, subscriptions restored. With a Session Expiry
 * Interval above 0 the session is saved, so it outlives the connection [MQTT-3.1.2-23]. Null when
 * the connection closed meanwhile.
 */
export async function restoreSession(context: GatewayContext, session: MqttSession, cleanStart: boolean, expirySeconds: number): Promise<RestoredSession | null> {
  const { tenantId, clientId } = session;
  const detached = reclaimDetached(context, tenantId, clientId, cleanStart);
  try {
    await detached?.settled();
    let stored: StoredSession | null = null;
    if (cleanStart) await context.sessionStore.delete(tenantId, clientId);
    else stored = await context.sessionStore.load(tenantId, clientId);
    if (session.closed) return null;
    if (expirySeconds > 0) {
      session.persistence = new PersistentSession(expirySeconds, stored?.subscriptions ?? []);
      await context.sessionStore.save(tenantId, clientId, session.persistence.toStored(stored?.awaitingRelease ?? []));
      if (session.closed) return null;
    }
    if (stored === null) return { sessionPresent: false, detached: undefined };
    // From here until the queue is delivered, new deliveries wait behind it.
    session.holdDeliveries();
    if (detached) context.router.unsubscribeAll(detached);
    for (const subscription of stored.subscriptions) context.router.subscribe(session, subscription.mountedFilter, subscription);
    for (const packetId of stored.awaitingRelease) session.awaitRelease(packetId);
    return { sessionPresent: true, detached };
  } finally {
    if (detached) context.router.unsubscribeAll(detached);
  }
}

/**
 * After the CONNACK of a resumed session: what was unacknowledged is sent again first, with DUP
 * [MQTT-4.4.0-1], then what was queued while the client was away, then what arrived since.
 */
export async function deliverQueued(context: GatewayContext, session: MqttSession, restored: RestoredSession): Promise<void> {
  const { tenantId, clientId } = session;
  await restored.detached?.settled();
  const { messages } = await context.sessionStore.takeQueue(tenantId, clientId);
  if (session.closed) {
    // Gone again while the queue was fetched: the messages go back for the next connection.
    for (const message of messages) await context.sessionStore.enqueue(tenantId, clientId, message, context.limits.maxQueuedMessages);
    return;
  }
  if (session.persistence === null) await context.sessionStore.delete(tenantId, clientId);
  const fresh: OutgoingMessage[] = [];
  for (const message of messages) {
    if (message.packetId === undefined) fresh.push(message);
    else session.resend(message.packetId, message.released === true ? RELEASED : message);
  }
  session.deliverFirst(fresh, context.limits.maxQueuedMessages);
}
