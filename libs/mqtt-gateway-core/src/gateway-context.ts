import type { AuthRequest, AuthResult } from '@plexus/contracts';
import type { KeepaliveWheel, SubscriptionTable } from '@plexus/mqtt-routing';
import type { StreamProducer } from '@plexus/stream';
import type { ClusterLink } from './cluster-link.ts';
import type { MessageIds } from './message-ids.ts';
import type { MqttSession } from './session.ts';
import type { SessionRegistry } from './session-registry.ts';

export interface ConnectAuthentication {
  authenticate(request: AuthRequest): Promise<AuthResult>;
}

export interface GatewayLimits {
  /** Largest packet accepted from a client, in bytes (CONNACK Maximum Packet Size). */
  readonly maxPacketBytes: number;
  /** QoS 1 publishes a client may have unacknowledged towards us (CONNACK Receive Maximum). */
  readonly receiveMaximum: number;
  /** Keepalive the server imposes when a client asks for none or for more (seconds). */
  readonly maxKeepaliveSeconds: number;
  /** How long a CONNECT may take to arrive after the TCP connection opens. */
  readonly connectTimeoutMs: number;
}

/** Where the gateway notes that a device was just seen, for its `lastSeen`. */
export interface DeviceSightings {
  seen(tenantId: string, deviceId: string): void;
}

export interface GatewayContext {
  readonly authenticator: ConnectAuthentication;
  readonly producer: StreamProducer;
  readonly router: SubscriptionTable<MqttSession>;
  /** One keepalive wheel per process; sessions are touched on every packet. */
  readonly keepalive: KeepaliveWheel<MqttSession>;
  readonly sessions: SessionRegistry;
  readonly messageIds: MessageIds;
  readonly sightings: DeviceSightings;
  /** Takeover, presence and fan-out across gateway processes and hosts. */
  readonly cluster: ClusterLink;
  readonly limits: GatewayLimits;
  readonly now: () => number;
}
