import type { AuthRequest, AuthResult } from '@plexus/contracts';
import type { KeepaliveWheel, SubscriptionTable } from '@plexus/mqtt-routing';
import type { StreamProducer } from '@plexus/stream';
import type { ClusterLink } from './cluster-link.ts';
import type { DetachedSession } from './detached-session.ts';
import type { DetachedSessions } from './detached-sessions.ts';
import type { GatewayObserver } from './gateway-observer.ts';
import type { MessageIds } from './message-ids.ts';
import type { UsageMeter } from './usage-meter.ts';
import type { RetainedStore } from './retained-store.ts';
import type { MqttSession } from './session.ts';
import type { SessionRegistry } from './session-registry.ts';
import type { SessionStore } from './session-store.ts';

export interface ConnectAuthentication {
  authenticate(request: AuthRequest): Promise<AuthResult>;
}

export interface GatewayLimits {
  /** Largest packet accepted from a client, in bytes (CONNACK Maximum Packet Size). */
  readonly maxPacketBytes: number;
  /** QoS 1 and 2 publishes a client may have unacknowledged towards us (CONNACK Receive Maximum). */
  readonly receiveMaximum: number;
  /** Keepalive the server imposes when a client asks for none or for more (seconds). */
  readonly maxKeepaliveSeconds: number;
  /** How long a CONNECT may take to arrive after the TCP connection opens. */
  readonly connectTimeoutMs: number;
  /**
   * Longest a session outlives its connection (seconds). Caps v5 Session Expiry Intervals (the
   * CONNACK says so) and is the expiry of v3.1.1 cleanSession=0 sessions, which would never expire.
   */
  readonly maxSessionExpirySeconds: number;
  /** Messages kept per client while it is away or cannot keep up; the oldest are dropped beyond it. */
  readonly maxQueuedMessages: number;
  /** Topic aliases a v5 client may use towards us (CONNACK Topic Alias Maximum); 0 turns them off. */
  readonly topicAliasMaximum: number;
}

/** Where the gateway notes that a device was just seen, for its `lastSeen`. */
export interface DeviceSightings {
  seen(tenantId: string, deviceId: string): void;
}

/** What the router delivers to: a live session, or a persistent session waiting for its client. */
export type Subscriber = MqttSession | DetachedSession;

export interface GatewayContext {
  readonly authenticator: ConnectAuthentication;
  readonly producer: StreamProducer;
  readonly router: SubscriptionTable<Subscriber>;
  /** One keepalive wheel per process; sessions are touched on every packet. */
  readonly keepalive: KeepaliveWheel<MqttSession>;
  readonly sessions: SessionRegistry;
  readonly messageIds: MessageIds;
  readonly sightings: DeviceSightings;
  /** Takeover, presence and fan-out across gateway processes and hosts. */
  readonly cluster: ClusterLink;
  readonly retained: RetainedStore;
  readonly sessionStore: SessionStore;
  readonly detachedSessions: DetachedSessions;
  /**
   * Will delays and expiry of detached sessions, one wheel per process like the keepalive wheel;
   * whoever ticks it hands what expires to `sessionsDue`.
   */
  readonly sessionExpiry: KeepaliveWheel<DetachedSession>;
  readonly observer: GatewayObserver;
  /** Per-tenant usage (connections, messages, bytes) for metering. */
  readonly usage: UsageMeter;
  readonly limits: GatewayLimits;
  readonly now: () => number;
}
