import { DetachedSession } from './detached-session.ts';
import type { GatewayContext } from './gateway-context.ts';
import { ReasonCode } from './reason-codes.ts';
import { RELEASED, type MqttSession } from './session.ts';
import type { QueuedMessage } from './session-store.ts';
import { publishWill } from './will.ts';

const NO_PAYLOAD = Buffer.alloc(0);

/**
 * Ends a connection's session, once: a taken-over session is ended by its successor before its
 * socket has closed, and again (to no effect) when it does. A persistent session is detached: its
 * subscriptions stay in the router under a DetachedSession that queues for the client, and what
 * the client had not acknowledged goes to the session store first. Any other session is gone, its
 * will published [MQTT-3.1.2-8] and its client id released, unless a newer session holds it.
 */
export function endSession(context: GatewayContext, session: MqttSession): void {
  if (session.state === 'ended') return;
  session.close();
  const heldHere = context.sessions.find(session.tenantId, session.clientId) === session;
  session.state = 'ended';
  context.keepalive.remove(session);
  context.router.unsubscribeAll(session);
  context.sessions.release(session);
  const principal = session.principal;
  if (principal === null) return;
  context.usage.disconnected(session.tenantId);
  const will = session.will;
  session.will = null;
  const persistence = session.persistence;
  if (persistence === null || persistence.expirySeconds === 0) {
    // The session ends with its connection, so a Will Delay Interval ends here too [MQTT-3.1.3-9].
    if (will) publishWill(context, session.tenantId, principal, will);
    // A v5 DISCONNECT may have set the expiry to 0; a resumed session is then forgotten.
    if (persistence !== null) context.sessionStore.delete(session.tenantId, session.clientId).catch(() => undefined);
    if (heldHere) context.cluster.releaseClientId(session.tenantId, session.clientId);
    return;
  }
  const now = context.now();
  const detached = new DetachedSession(context.sessionStore, session.tenantId, session.clientId, principal, now + persistence.expirySeconds * 1000);
  for (const subscription of persistence.subscriptionList()) {
    context.router.subscribe(detached, subscription.mountedFilter, subscription);
  }
  const { inflight, backlog } = session.pendingOutbound();
  const stored = persistence.toStored(session.awaitingRelease());
  const queueLimit = context.limits.maxQueuedMessages;
  detached.write(() => context.sessionStore.save(session.tenantId, session.clientId, stored));
  for (const [packetId, message] of inflight) {
    // [MQTT-4.4.0-1] sent and unacknowledged: sent again, with its packet id, when the client is back.
    const queued: QueuedMessage =
      message === RELEASED
        ? { topic: '', payload: NO_PAYLOAD, qos: 2, retain: false, subscriptionIdentifiers: [], packetId, released: true }
        : { ...message, qos: message.qos === 2 ? 2 : 1, packetId };
    detached.write(() => context.sessionStore.enqueue(session.tenantId, session.clientId, queued, queueLimit));
  }
  for (const message of backlog) detached.deliver(message, queueLimit);
  if (will) {
    if (will.delaySeconds === 0) publishWill(context, session.tenantId, principal, will);
    else {
      detached.will = will;
      detached.willDueAt = now + will.delaySeconds * 1000;
    }
  }
  context.detachedSessions.park(detached);
  context.sessionExpiry.touch(detached, detached.dueAt);
}

/**
 * Ends a detached session for good: out of the router, its will published if still pending
 * (the session ends before the will's delay [MQTT-3.1.3-9]), deleted from the store.
 */
function expire(context: GatewayContext, detached: DetachedSession): void {
  context.detachedSessions.remove(detached);
  context.sessionExpiry.remove(detached);
  context.router.unsubscribeAll(detached);
  const will = detached.will;
  detached.will = null;
  if (will) publishWill(context, detached.tenantId, detached.principal, will);
  detached.write(() => context.sessionStore.delete(detached.tenantId, detached.clientId));
  context.cluster.releaseClientId(detached.tenantId, detached.clientId);
}

/** What the session expiry wheel returned: wills whose delay has passed, and sessions that expired. */
export function sessionsDue(context: GatewayContext, due: readonly DetachedSession[]): void {
  const now = context.now();
  for (const detached of due) {
    const will = detached.will;
    if (will !== null && detached.willDueAt < detached.expiresAt && detached.willDueAt <= now) {
      detached.will = null;
      publishWill(context, detached.tenantId, detached.principal, will);
      context.sessionExpiry.touch(detached, detached.expiresAt);
      continue;
    }
    expire(context, detached);
  }
}

/**
 * Takes a client id's detached session back for a new connection: it leaves the expiry wheel and
 * the registry but stays subscribed (queueing) until the new connection has restored its
 * subscriptions. A new connection with Clean Start = 0 cancels a pending will [MQTT-3.1.3-9];
 * Clean Start = 1 ends the old session, which publishes it.
 */
export function reclaimDetached(context: GatewayContext, tenantId: string, clientId: string, cleanStart: boolean): DetachedSession | undefined {
  const detached = context.detachedSessions.take(tenantId, clientId);
  if (detached === undefined) return undefined;
  context.sessionExpiry.remove(detached);
  const will = detached.will;
  detached.will = null;
  if (will && cleanStart) publishWill(context, tenantId, detached.principal, will);
  return detached;
}

/**
 * Another gateway node takes the client id over: this node's session for it, live or detached,
 * ends here with its state in the session store, which the other node resumes from. The client id
 * stays claimed by the other node, so it is not released. A pending will is dropped: the client is
 * back, on the other node.
 */
export async function handOverSession(context: GatewayContext, tenantId: string, clientId: string): Promise<void> {
  const live = context.sessions.find(tenantId, clientId);
  if (live) {
    live.close(ReasonCode.sessionTakenOver);
    context.sessions.release(live);
    endSession(context, live);
  }
  const detached = context.detachedSessions.take(tenantId, clientId);
  if (detached === undefined) return;
  context.sessionExpiry.remove(detached);
  context.router.unsubscribeAll(detached);
  detached.will = null;
  await detached.settled();
}
