import type { QoS } from 'mqtt-packet';

/** One subscription of a persistent session, as the client made it (the filter mounted under its tenant). */
export interface StoredSubscription {
  /** Mounted, `$share/{ShareName}/` prefix included when shared. */
  readonly mountedFilter: string;
  readonly qos: QoS;
  readonly noLocal: boolean;
  readonly retainAsPublished: boolean;
  readonly subscriptionIdentifier?: number;
}

/** What outlives a persistent session's connection (MQTT 5.0 §4.1), apart from its message queue. */
export interface StoredSession {
  /** Seconds the session lasts after its connection ends, as granted (capped by the gateway). */
  readonly expirySeconds: number;
  readonly subscriptions: readonly StoredSubscription[];
  /** Packet ids of QoS 2 publishes from the client that were received and not yet released (PUBREL). */
  readonly awaitingRelease: readonly number[];
}

/** A message for the client, kept while it is away (QoS 1 and 2 only). */
export interface QueuedMessage {
  /** The client's view of the topic (not mounted). */
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: 1 | 2;
  readonly retain: boolean;
  readonly subscriptionIdentifiers: readonly number[];
  /**
   * Set when the message had been sent and not acknowledged when the connection ended: it is sent
   * again with this packet id and DUP set [MQTT-4.4.0-1].
   */
  readonly packetId?: number;
  /** A QoS 2 message the client had acknowledged with PUBREC: only the PUBREL is sent again. */
  readonly released?: boolean;
}

export interface TakenQueue {
  /** Oldest first. */
  readonly messages: QueuedMessage[];
  /** Messages dropped (oldest first) since the queue was last taken, because it was full. */
  readonly dropped: number;
}

/**
 * Persistent MQTT sessions, keyed by tenant and client id. Every method is async and every value
 * plain data, so that a shared store (Redis) lets a client resume its session on any gateway node.
 */
export interface SessionStore {
  load(tenantId: string, clientId: string): Promise<StoredSession | null>;
  /** Creates or replaces the session; its queue is kept. */
  save(tenantId: string, clientId: string, session: StoredSession): Promise<void>;
  /**
   * Appends to the session's queue, dropping the oldest messages beyond `maxMessages`; returns how
   * many this call dropped. Does nothing (returns 0) when no session is saved under the key.
   */
  enqueue(tenantId: string, clientId: string, message: QueuedMessage, maxMessages: number): Promise<number>;
  /** Empties the session's queue and returns what it held. */
  takeQueue(tenantId: string, clientId: string): Promise<TakenQueue>;
  /** Forgets the session and its queue. */
  delete(tenantId: string, clientId: string): Promise<void>;
}
