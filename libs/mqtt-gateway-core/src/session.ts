import type { Socket } from 'node:net';
import { generate, type IPublishPacket, type Packet, type QoS } from 'mqtt-packet';
import type { AppPrincipal, DevicePrincipal } from '@plexus/contracts';
import { ReasonCode } from './reason-codes.ts';

export type ProtocolVersion = 3 | 4 | 5;

export interface WillMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
}

interface OutgoingPublish {
  readonly topic: string;
  readonly payload: Buffer;
}

const MAX_PACKET_ID = 65_535;
/** Shared by every session, so an idle one holds no promise of its own. */
const SETTLED: Promise<void> = Promise.resolve();

function uncork(session: MqttSession): void {
  session.corked = false;
  session.socket.uncork();
}

/**
 * One MQTT connection's state: a plain object, no timers and no closures of its own (the
 * keepalive wheel and the socket handlers are shared by every session of the process).
 */
export class MqttSession {
  readonly socket: Socket;
  protocolVersion: ProtocolVersion = 4;
  state: 'awaiting-connect' | 'authenticating' | 'connected' | 'closed' = 'awaiting-connect';
  clientId = '';
  /** The tenant every topic of this session is mounted under. */
  tenantId = '';
  principal: DevicePrincipal | AppPrincipal | null = null;
  /** The signing key of the JWT this session authenticated with, if it did. */
  signingKeyId: string | null = null;
  keepaliveMs = 0;
  will: WillMessage | null = null;
  /** QoS 1 publishes from the client whose records the stream has not accepted yet. */
  pendingAcks = 0;
  /** Settles after the last PUBACK sent; the next one chains on it, keeping PUBACKs in order. */
  ackChain: Promise<void> = SETTLED;
  /** The client's Receive Maximum: QoS 1 publishes we may have unacknowledged towards it. */
  clientReceiveMaximum = 65_535;
  clientMaximumPacketSize = Number.POSITIVE_INFINITY;
  /** QoS 1 publishes sent to the client and not yet acknowledged, by packet id; created on first use. */
  private inflightByPacketId: Map<number, OutgoingPublish> | null = null;
  /** Deliveries dropped because the client could not keep up. */
  dropped = 0;
  /** Packets sent within one tick leave in one write (PUBACKs released together, say). */
  corked = false;
  private nextPacketId = 1;

  constructor(socket: Socket) {
    this.socket = socket;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  get isV5(): boolean {
    return this.protocolVersion === 5;
  }

  send(packet: Packet): void {
    if (this.state === 'closed' || this.socket.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(uncork, this);
    }
    this.socket.write(generate(packet, { protocolVersion: this.protocolVersion }));
  }

  /** Sends a PUBLISH to the client, taking a packet id for QoS 1. False when it was dropped. */
  deliver(topic: string, payload: Buffer, qos: 0 | 1, subscriptionIdentifiers: readonly number[]): boolean {
    if (this.state !== 'connected') return false;
    const packet: IPublishPacket = { cmd: 'publish', topic, payload, qos, dup: false, retain: false };
    if (this.isV5 && subscriptionIdentifiers.length > 0) {
      packet.properties = { subscriptionIdentifier: subscriptionIdentifiers.length === 1 ? (subscriptionIdentifiers[0] as number) : [...subscriptionIdentifiers] };
    }
    if (qos === 1) {
      // [MQTT-4.9.0-2] never more unacknowledged QoS 1 publishes than the client's Receive Maximum.
      const inflight = (this.inflightByPacketId ??= new Map());
      if (inflight.size >= this.clientReceiveMaximum) {
        this.dropped++;
        return false;
      }
      packet.messageId = this.takePacketId(inflight);
      inflight.set(packet.messageId, { topic, payload });
    }
    this.send(packet);
    return true;
  }

  /** Ends the connection; v5 clients are told why first ([MQTT-3.14.2-1] via DISCONNECT). */
  close(reasonCode?: number): void {
    if (this.state === 'closed') return;
    if (reasonCode !== undefined && this.isV5 && this.state === 'connected') {
      this.send({ cmd: 'disconnect', reasonCode });
    }
    this.state = 'closed';
    this.socket.end();
    this.socket.destroySoon();
  }

  /** The client acknowledged a QoS 1 PUBLISH we sent; its packet id is free again. */
  acknowledge(packetId: number): void {
    this.inflightByPacketId?.delete(packetId);
  }

  get inflightCount(): number {
    return this.inflightByPacketId?.size ?? 0;
  }

  /** A normal DISCONNECT from the client: the will is discarded [MQTT-3.14.4-3]. */
  closeGracefully(): void {
    this.will = null;
    this.close();
  }

  private takePacketId(inflight: Map<number, OutgoingPublish>): number {
    // [MQTT-2.2.1-3] a packet id in use is not reused until acknowledged.
    for (let tries = 0; tries < MAX_PACKET_ID; tries++) {
      const id = this.nextPacketId;
      this.nextPacketId = id === MAX_PACKET_ID ? 1 : id + 1;
      if (!inflight.has(id)) return id;
    }
    throw new Error('no free packet id');
  }
}

export { ReasonCode };
