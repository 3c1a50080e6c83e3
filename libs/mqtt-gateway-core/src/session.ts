import type { Socket } from 'node:net';
import { generate, type IPublishPacket, type Packet, type QoS } from 'mqtt-packet';
import type { AppPrincipal, DevicePrincipal } from '@plexus/contracts';
import type { PersistentSession } from './persistent-session.ts';
import { ReasonCode } from './reason-codes.ts';

export type ProtocolVersion = 3 | 4 | 5;

/** An acknowledgement (PUBACK, PUBREC, PUBCOMP) owed to the client; null until it may go. */
export interface OwedAck {
  packet: Packet | null;
}

export interface WillMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  /** v5 Will Delay Interval; 0 publishes the will as soon as the connection ends. */
  readonly delaySeconds: number;
}

/** A PUBLISH on its way to a client, topic in the client's view. */
export interface OutgoingMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly subscriptionIdentifiers: readonly number[];
}

/** An outbound QoS 2 message the client acknowledged with PUBREC: only its PUBCOMP is awaited. */
export const RELEASED = Symbol('plexus.mqtt.released');
export type InflightMessage = OutgoingMessage | typeof RELEASED;

const MAX_PACKET_ID = 65_535;

function uncork(session: MqttSession): void {
  session.corked = false;
  session.socket.uncork();
}

/**
 * What only some connections need, created the first time one does: QoS 2 from the client,
 * topic aliases, messages waiting for the client's Receive Maximum, a persistent session.
 * An idle QoS 0/1 connection holds one null instead of these.
 */
class SessionExtras {
  /** Packet ids of the client's QoS 2 publishes received and not yet released [MQTT-4.3.3-10]. */
  awaitingRelease: Set<number> | null = null;
  /** The client's topic aliases for its PUBLISHes to us (v5 §3.3.2.3.4); one connection's lifetime. */
  topicAliases: Map<number, string> | null = null;
  /** QoS ≥ 1 messages waiting for the client's Receive Maximum, oldest first. */
  backlog: OutgoingMessage[] | null = null;
  persistence: PersistentSession | null = null;
}

/**
 * One MQTT connection's state: a plain object, no timers and no closures of its own (the
 * keepalive wheel and the socket handlers are shared by every session of the process).
 */
export class MqttSession {
  readonly socket: Socket;
  protocolVersion: ProtocolVersion = 4;
  /** `closed`: the connection is closing. `ended`: its session state has been handed on or discarded. */
  state: 'awaiting-connect' | 'authenticating' | 'connected' | 'closed' | 'ended' = 'awaiting-connect';
  clientId = '';
  /** The tenant every topic of this session is mounted under. */
  tenantId = '';
  principal: DevicePrincipal | AppPrincipal | null = null;
  /** The signing key of the JWT this session authenticated with, if it did. */
  signingKeyId: string | null = null;
  keepaliveMs = 0;
  will: WillMessage | null = null;
  /** QoS 1 publishes from the client not acknowledged yet. */
  pendingAcks = 0;
  /** Acknowledgements owed to the client, in the order their packets arrived; created on first use. */
  private owedAcks: OwedAck[] | null = null;
  /** The client's Receive Maximum: QoS 1 and 2 publishes we may have unacknowledged towards it. */
  clientReceiveMaximum = 65_535;
  clientMaximumPacketSize = Number.POSITIVE_INFINITY;
  /** QoS 1 and 2 publishes sent to the client and not yet acknowledged, by packet id, in send order; created on first use. */
  private inflightByPacketId: Map<number, InflightMessage> | null = null;
  /** Deliveries dropped because the client could not keep up. */
  dropped = 0;
  /** Packets sent within one tick leave in one write (PUBACKs released together, say). */
  corked = false;
  private nextPacketId = 1;
  private extras: SessionExtras | null = null;

  constructor(socket: Socket) {
    this.socket = socket;
  }

  get closed(): boolean {
    return this.state === 'closed' || this.state === 'ended';
  }

  get isV5(): boolean {
    return this.protocolVersion === 5;
  }

  /** Takes the next place in the acknowledgement order; `ackReady` gives it its packet. */
  oweAck(): OwedAck {
    const ack: OwedAck = { packet: null };
    (this.owedAcks ??= []).push(ack);
    return ack;
  }

  /**
   * [MQTT-4.6.0-2] acknowledgements leave in the order the client's packets arrived: this one once
   * every earlier one has. A queue rather than a promise chain: no promise per message.
   */
  ackReady(ack: OwedAck, packet: Packet): void {
    ack.packet = packet;
    const queue = this.owedAcks as OwedAck[];
    let ready = 0;
    for (let next = queue[0]; next !== undefined && next.packet !== null; next = queue[++ready]) {
      if (next.packet.cmd === 'puback') this.pendingAcks--;
      this.send(next.packet);
    }
    queue.splice(0, ready);
  }

  /** Sends an acknowledgement in its turn, behind those still owed. */
  sendInTurn(packet: Packet): void {
    this.ackReady(this.oweAck(), packet);
  }

  send(packet: Packet): void {
    if (this.closed || this.socket.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(uncork, this);
    }
    this.socket.write(generate(packet, { protocolVersion: this.protocolVersion }));
  }

  /**
   * Sends a PUBLISH to the client. QoS 1 and 2 messages beyond the client's Receive Maximum wait
   * in a backlog of at most `backlogLimit` (the oldest are dropped), and so do later ones, to keep
   * their order.
   */
  deliver(message: OutgoingMessage, backlogLimit: number): void {
    const backlog = this.extras?.backlog;
    // A resumed session is subscribed just before its CONNACK; what arrives meanwhile waits.
    if (this.state !== 'connected' && (!backlog || this.closed)) return;
    if (message.qos === 0) {
      if (this.state === 'connected') this.sendPublish(message, undefined, false);
      return;
    }
    // [MQTT-4.9.0-2] never more unacknowledged QoS 1 and 2 publishes than the client's Receive Maximum.
    if (backlog || this.inflightCount >= this.clientReceiveMaximum) {
      this.holdBack(message, backlogLimit);
      return;
    }
    this.sendNew(message);
  }

  /** Messages queued while the client was away, sent (or held back) ahead of any delivered since. */
  deliverFirst(messages: readonly OutgoingMessage[], backlogLimit: number): void {
    const extras = this.useExtras();
    const backlog = [...messages, ...(extras.backlog ?? [])];
    const excess = Math.max(backlog.length - backlogLimit, 0);
    this.dropped += excess;
    extras.backlog = excess > 0 ? backlog.slice(excess) : backlog;
    this.drainBacklog();
  }

  /** Until `deliverFirst`, deliveries wait in the backlog (a resumed session's queue is being fetched). */
  holdDeliveries(): void {
    this.useExtras().backlog ??= [];
  }

  /**
   * Sends again a message that was unacknowledged when the session's previous connection ended:
   * the PUBLISH with DUP set and its packet id, or the PUBREL of a QoS 2 message already received
   * [MQTT-4.4.0-1].
   */
  resend(packetId: number, message: InflightMessage): void {
    const inflight = (this.inflightByPacketId ??= new Map());
    inflight.set(packetId, message);
    if (message === RELEASED) this.send({ cmd: 'pubrel', messageId: packetId });
    else this.sendPublish(message, packetId, true);
  }

  /** Ends the connection; v5 clients are told why first ([MQTT-3.14.2-1] via DISCONNECT). */
  close(reasonCode?: number): void {
    if (this.closed) return;
    if (reasonCode !== undefined && this.isV5 && this.state === 'connected') {
      this.send({ cmd: 'disconnect', reasonCode });
    }
    this.state = 'closed';
    this.socket.end();
    this.socket.destroySoon();
  }

  /** The client acknowledged a QoS 1 PUBLISH (PUBACK) or completed a QoS 2 one (PUBCOMP); its packet id is free again. */
  acknowledge(packetId: number): void {
    if (this.inflightByPacketId?.delete(packetId)) this.drainBacklog();
  }

  /**
   * The client's PUBREC for a QoS 2 PUBLISH we sent: true when it was ours to release (the caller
   * sends PUBREL). A failure reason code ends the exchange and frees the packet id.
   */
  received(packetId: number, failed: boolean): boolean {
    const inflight = this.inflightByPacketId;
    const message = inflight?.get(packetId);
    if (inflight === null || message === undefined) return false;
    if (failed) {
      this.acknowledge(packetId);
      return false;
    }
    inflight.set(packetId, RELEASED);
    return true;
  }

  get inflightCount(): number {
    return this.inflightByPacketId?.size ?? 0;
  }

  /** What is owed to the client: unacknowledged messages by packet id in send order, and the backlog. A persistent session keeps both. */
  pendingOutbound(): { inflight: [number, InflightMessage][]; backlog: OutgoingMessage[] } {
    return { inflight: [...(this.inflightByPacketId ?? [])], backlog: this.extras?.backlog ?? [] };
  }

  /** A normal DISCONNECT from the client: the will is discarded [MQTT-3.14.4-3]. */
  closeGracefully(): void {
    this.will = null;
    this.close();
  }

  get persistence(): PersistentSession | null {
    return this.extras?.persistence ?? null;
  }

  set persistence(persistence: PersistentSession | null) {
    if (persistence !== null || this.extras !== null) this.useExtras().persistence = persistence;
  }

  /** Notes a QoS 2 PUBLISH from the client: its packet id awaits PUBREL. */
  awaitRelease(packetId: number): void {
    (this.useExtras().awaitingRelease ??= new Set()).add(packetId);
  }

  isAwaitingRelease(packetId: number): boolean {
    return this.extras?.awaitingRelease?.has(packetId) ?? false;
  }

  /** The client's PUBREL: whether the packet id was awaiting it. */
  release(packetId: number): boolean {
    return this.extras?.awaitingRelease?.delete(packetId) ?? false;
  }

  /** Forgets a QoS 2 packet id whose PUBLISH was refused (PUBREC with a failure reason releases it). */
  forgetRelease(packetId: number): void {
    this.extras?.awaitingRelease?.delete(packetId);
  }

  get awaitingReleaseCount(): number {
    return this.extras?.awaitingRelease?.size ?? 0;
  }

  awaitingRelease(): number[] {
    return [...(this.extras?.awaitingRelease ?? [])];
  }

  setTopicAlias(alias: number, topic: string): void {
    (this.useExtras().topicAliases ??= new Map()).set(alias, topic);
  }

  topicForAlias(alias: number): string | undefined {
    return this.extras?.topicAliases?.get(alias);
  }

  private useExtras(): SessionExtras {
    return (this.extras ??= new SessionExtras());
  }

  private holdBack(message: OutgoingMessage, backlogLimit: number): void {
    const backlog = (this.useExtras().backlog ??= []);
    backlog.push(message);
    if (backlog.length > backlogLimit) {
      backlog.shift();
      this.dropped++;
    }
  }

  private drainBacklog(): void {
    const extras = this.extras;
    const backlog = extras?.backlog;
    if (!extras || !backlog) return;
    while (backlog.length > 0 && this.inflightCount < this.clientReceiveMaximum) this.sendNew(backlog.shift() as OutgoingMessage);
    if (backlog.length === 0) extras.backlog = null;
  }

  private sendNew(message: OutgoingMessage): void {
    const inflight = (this.inflightByPacketId ??= new Map());
    const packetId = this.takePacketId(inflight);
    inflight.set(packetId, message);
    this.sendPublish(message, packetId, false);
  }

  private sendPublish(message: OutgoingMessage, packetId: number | undefined, dup: boolean): void {
    const packet: IPublishPacket = { cmd: 'publish', topic: message.topic, payload: message.payload, qos: message.qos, dup, retain: message.retain };
    if (packetId !== undefined) packet.messageId = packetId;
    const identifiers = message.subscriptionIdentifiers;
    if (this.isV5 && identifiers.length > 0) {
      packet.properties = { subscriptionIdentifier: identifiers.length === 1 ? (identifiers[0] as number) : [...identifiers] };
    }
    this.send(packet);
  }

  private takePacketId(inflight: Map<number, InflightMessage>): number {
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
