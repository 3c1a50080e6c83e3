import { Socket } from 'node:net';
import { generate, parser, type IConnackPacket, type IConnectPacket, type Packet } from 'mqtt-packet';
import { notInWheel, type KeepaliveMember } from './keepalive-wheel.ts';

// A lean MQTT 3.1.1/5 device client for density: one raw socket and a handful of fields per
// connection. Its socket handlers are shared functions (the socket knows its connection), every
// event goes to one listener shared by all connections, QoS 1 send times live in a small typed
// array allocated on the first publish, and incoming bytes are framed here and decoded by hand
// for the hot packets (PUBACK, PUBLISH) or by one mqtt-packet parser per protocol version for
// the rare ones (CONNACK), so no connection owns a parser, a timer or an emitter.

export type ProtocolVersion = 4 | 5;

export interface WillMessage {
  readonly topic: string;
  readonly payload: string;
  readonly qos: 0 | 1 | 2;
  readonly retain: boolean;
}

export interface ConnectRequest {
  readonly host: string;
  readonly port: number;
  /** Source address to bind; each one has its own ephemeral port range towards the server. */
  readonly localAddress?: string;
  readonly protocolVersion: ProtocolVersion;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly cleanStart: boolean;
  readonly keepaliveSec: number;
  /** MQTT 5 Session Expiry Interval; ignored by 3.1.1. */
  readonly sessionExpirySec: number;
  readonly will?: WillMessage;
}

/** Receives every connection's events; `connection.tag` tells which device it is. */
export interface ConnectionListener<Connection = DeviceConnection> {
  connected(connection: Connection, sessionPresent: boolean): void;
  /** A PUBACK; `sentAt` is the publish's performance.now(), a v5 `reasonCode` ≥ 0x80 is a refusal. */
  acknowledged(connection: Connection, sentAt: number, reasonCode: number): void;
  /** A SUBACK's return/reason codes, one per filter (≥ 0x80: refused). */
  subscribed(connection: Connection, codes: readonly number[]): void;
  /** An incoming PUBLISH; `payload` is only valid during the call. */
  received(connection: Connection, topic: string, payload: Buffer): void;
  /** The socket is gone; `errorKind` is null when this side closed it on purpose. */
  closed(connection: Connection, errorKind: string | null): void;
}

const CONNECTING = 0;
const CONNECTED = 1;
const CLOSING = 2;
const CLOSED = 3;

const CONNACK = 2;
const PUBLISH = 3;
const PUBACK = 4;
const SUBACK = 9;
const PINGRESP = 13;
const DISCONNECT = 14;

/** QoS 1 publishes a connection keeps unacknowledged before its sender must wait. */
export const INFLIGHT_WINDOW = 16;
const MAX_MESSAGE_ID = 65_535;
/** Nothing a load test receives is near this; a length beyond it means the stream is garbage. */
const MAX_INCOMING_PACKET = 16 * 1024 * 1024;

const PINGREQ_BYTES = Buffer.from([0xc0, 0x00]);
// A DISCONNECT without a reason code means Normal disconnection in both versions [MQTT-3.14.2-1].
const DISCONNECT_BYTES = Buffer.from([0xe0, 0x00]);

// The rare packets are decoded by one parser per protocol version: a complete packet is handed
// over at once, so `parse` emits it synchronously and the parser keeps no bytes between calls.
let parsedPacket: Packet | null = null;
let parseFailure: Error | null = null;
const sharedParsers = new Map<ProtocolVersion, ReturnType<typeof parser>>();
function decodeWhole(bytes: Buffer, protocolVersion: ProtocolVersion): Packet | null {
  let shared = sharedParsers.get(protocolVersion);
  if (shared === undefined) {
    shared = parser({ protocolVersion });
    shared.on('packet', (packet: Packet) => (parsedPacket = packet));
    shared.on('error', (error: Error) => (parseFailure = error));
    sharedParsers.set(protocolVersion, shared);
  }
  parsedPacket = null;
  parseFailure = null;
  shared.parse(bytes);
  return parseFailure === null ? parsedPacket : null;
}

class DeviceSocket extends Socket {
  connection: DeviceConnection | null = null;
}

function onSocketData(this: DeviceSocket, chunk: Buffer): void {
  this.connection?.receive(chunk);
}

function onSocketError(this: DeviceSocket, error: NodeJS.ErrnoException): void {
  this.connection?.socketFailed(error);
}

function onSocketClose(this: DeviceSocket): void {
  this.connection?.socketClosed();
}

export class DeviceConnection implements KeepaliveMember {
  /** The caller's number for this connection (the session runner's device index). */
  readonly tag: number;
  readonly protocolVersion: ProtocolVersion;
  readonly keepaliveMs: number;
  lastSentAt = 0;
  wheelSlot = notInWheel;
  wheelNext: KeepaliveMember | null = null;
  wheelPrev: KeepaliveMember | null = null;
  private readonly listener: ConnectionListener;
  private readonly socket: DeviceSocket;
  private state = CONNECTING;
  private failure: string | null = null;
  /** Bytes of a packet that has not fully arrived, copied so the socket's read slab is not kept. */
  private partial: Buffer | null = null;
  private nextMessageId = 1;
  /** Pairs of (message id, send time) for unacknowledged QoS 1 publishes; null until the first. */
  private inflightTimes: Float64Array | null = null;
  private inflightCount = 0;
  private window = INFLIGHT_WINDOW;

  constructor(request: ConnectRequest, listener: ConnectionListener, tag: number) {
    this.tag = tag;
    this.listener = listener;
    this.protocolVersion = request.protocolVersion;
    this.keepaliveMs = request.keepaliveSec * 1000;
    const socket = new DeviceSocket();
    socket.connection = this;
    socket.on('data', onSocketData);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    socket.setNoDelay(true);
    socket.connect({ host: request.host, port: request.port, ...(request.localAddress === undefined ? {} : { localAddress: request.localAddress }) });
    this.socket = socket;
    // Written before the TCP handshake completes: the socket sends it as soon as it can.
    this.send(generate(connectPacket(request)));
  }

  get isConnected(): boolean {
    return this.state === CONNECTED;
  }

  get inflight(): number {
    return this.inflightCount;
  }

  /** Whether a QoS 1 publish may be sent now (the window, and the server's Receive Maximum in v5). */
  get canPublishQos1(): boolean {
    return this.inflightCount < this.window;
  }

  /** The socket has more queued than it could hand the kernel; senders should pause. */
  get writeBlocked(): boolean {
    return this.socket.writableNeedDrain;
  }

  /**
   * Sends a PUBLISH; QoS 1 ones are acknowledged through `listener.acknowledged`. False when it
   * was not sent: not connected, or a QoS 1 publish with the window full (see `canPublishQos1`).
   */
  publish(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): boolean {
    if (this.state !== CONNECTED || (qos === 1 && this.inflightCount >= this.window)) return false;
    const topicLength = Buffer.byteLength(topic);
    const remaining = 2 + topicLength + (qos === 1 ? 2 : 0) + (this.protocolVersion === 5 ? 1 : 0) + payload.length;
    const packet = Buffer.allocUnsafe(1 + varIntLength(remaining) + remaining);
    packet[0] = 0x30 | (qos << 1) | (retain ? 1 : 0);
    let offset = writeVarInt(packet, 1, remaining);
    packet.writeUInt16BE(topicLength, offset);
    offset += 2;
    offset += packet.write(topic, offset);
    if (qos === 1) {
      const messageId = this.takeMessageId();
      packet.writeUInt16BE(messageId, offset);
      offset += 2;
      this.trackInflight(messageId);
    }
    if (this.protocolVersion === 5) packet[offset++] = 0; // no properties
    payload.copy(packet, offset);
    this.send(packet);
    return true;
  }

  subscribe(filter: string, qos: 0 | 1): void {
    if (this.state !== CONNECTED) return;
    const options = this.protocolVersion === 5 ? { protocolVersion: 5 } : undefined;
    this.send(generate({ cmd: 'subscribe', messageId: this.takeMessageId(), subscriptions: [{ topic: filter, qos }] }, options));
  }

  ping(now: number): void {
    if (this.state !== CONNECTED) return;
    this.socket.write(PINGREQ_BYTES);
    this.lastSentAt = now;
  }

  /** Sends DISCONNECT and half-closes; `closed(…, null)` follows once the server has closed too. */
  disconnect(): void {
    if (this.state === CLOSING || this.state === CLOSED) return;
    const wasConnected = this.state === CONNECTED;
    this.state = CLOSING;
    if (wasConnected) this.socket.end(DISCONNECT_BYTES);
    else this.socket.destroy();
  }

  /** Drops the connection at once; `closed` reports `errorKind` (null: on purpose, not an error). */
  abort(errorKind: string | null): void {
    if (this.state === CLOSED) return;
    if (this.failure === null) this.failure = errorKind;
    this.state = CLOSING;
    this.socket.destroy();
  }

  receive(chunk: Buffer): void {
    let data = chunk;
    if (this.partial !== null) {
      data = Buffer.concat([this.partial, chunk]);
      this.partial = null;
    }
    let offset = 0;
    while (offset < data.length && this.state !== CLOSED) {
      let length = 0;
      let multiplier = 1;
      let position = offset + 1;
      let complete = false;
      while (position < data.length && position <= offset + 4) {
        const byte = data[position++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete && position > offset + 4) return this.protocolError();
      if (!complete || position + length > data.length) break;
      if (length > MAX_INCOMING_PACKET) return this.protocolError();
      this.dispatch(data, offset, position, position + length);
      offset = position + length;
    }
    if (offset < data.length && this.state !== CLOSED) this.partial = Buffer.from(data.subarray(offset));
  }

  socketFailed(error: NodeJS.ErrnoException): void {
    if (this.failure !== null || this.state === CLOSING) return;
    this.failure = this.state === CONNECTING ? `connect_error:${error.code ?? 'unknown'}` : 'closed_by_server';
  }

  socketClosed(): void {
    const wasConnecting = this.state === CONNECTING;
    const wasClosing = this.state === CLOSING;
    this.state = CLOSED;
    this.socket.connection = null;
    this.partial = null;
    const kind = this.failure ?? (wasClosing ? null : wasConnecting ? 'connect_error:closed' : 'closed_by_server');
    this.listener.closed(this, kind);
  }

  private dispatch(data: Buffer, start: number, body: number, end: number): void {
    const type = data[start]! >> 4;
    if (type === PUBACK) this.onPuback(data, body, end);
    else if (type === PUBLISH) this.onPublish(data, data[start]!, body, end);
    else if (type === PINGRESP) return;
    else if (type === CONNACK) this.onConnack(data.subarray(start, end));
    else if (type === SUBACK) this.onSuback(data, body, end);
    else if (type === DISCONNECT && this.protocolVersion === 5) this.abort(`closed_by_server:${end > body ? data[body] : 0}`);
    else this.protocolError();
  }

  private onConnack(bytes: Buffer): void {
    const packet = decodeWhole(bytes, this.protocolVersion) as IConnackPacket | null;
    if (packet === null || this.state !== CONNECTING) return this.protocolError();
    const code = (this.protocolVersion === 5 ? packet.reasonCode : packet.returnCode) ?? 0;
    if (code !== 0) return this.abort(`connect_refused:${code}`);
    const receiveMaximum = packet.properties?.receiveMaximum;
    if (receiveMaximum !== undefined) this.window = Math.min(INFLIGHT_WINDOW, receiveMaximum);
    this.state = CONNECTED;
    this.listener.connected(this, packet.sessionPresent);
  }

  private onPuback(data: Buffer, body: number, end: number): void {
    if (end - body < 2) return this.protocolError();
    const messageId = data.readUInt16BE(body);
    const reasonCode = this.protocolVersion === 5 && end - body > 2 ? data[body + 2]! : 0;
    const times = this.inflightTimes;
    if (times !== null) {
      for (let index = 0; index < times.length; index += 2) {
        if (times[index] !== messageId) continue;
        const sentAt = times[index + 1]!;
        times[index] = 0;
        this.inflightCount -= 1;
        this.listener.acknowledged(this, sentAt, reasonCode);
        return;
      }
    }
    this.protocolError();
  }

  private onPublish(data: Buffer, firstByte: number, body: number, end: number): void {
    const qos = (firstByte >> 1) & 3;
    if (qos === 2 || end - body < 2) return this.protocolError();
    const topicEnd = body + 2 + data.readUInt16BE(body);
    let offset = topicEnd;
    let messageId = 0;
    if (qos === 1) {
      messageId = data.readUInt16BE(offset);
      offset += 2;
    }
    if (this.protocolVersion === 5) {
      let propertiesLength = 0;
      let multiplier = 1;
      let byte = 0x80;
      while ((byte & 0x80) !== 0 && offset < end) {
        byte = data[offset++]!;
        propertiesLength += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      }
      offset += propertiesLength;
    }
    if (offset > end) return this.protocolError();
    this.listener.received(this, data.toString('utf8', body + 2, topicEnd), data.subarray(offset, end));
    if (qos === 1 && this.state === CONNECTED) this.send(pubackBytes(messageId));
  }

  private onSuback(data: Buffer, body: number, end: number): void {
    let offset = body + 2;
    if (this.protocolVersion === 5) {
      let propertiesLength = 0;
      let multiplier = 1;
      let byte = 0x80;
      while ((byte & 0x80) !== 0 && offset < end) {
        byte = data[offset++]!;
        propertiesLength += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      }
      offset += propertiesLength;
    }
    const codes: number[] = [];
    for (; offset < end; offset++) codes.push(data[offset]!);
    this.listener.subscribed(this, codes);
  }

  private takeMessageId(): number {
    const messageId = this.nextMessageId;
    this.nextMessageId = messageId === MAX_MESSAGE_ID ? 1 : messageId + 1;
    return messageId;
  }

  private trackInflight(messageId: number): void {
    const times = (this.inflightTimes ??= new Float64Array(INFLIGHT_WINDOW * 2));
    for (let index = 0; index < times.length; index += 2) {
      if (times[index] !== 0) continue;
      times[index] = messageId;
      times[index + 1] = performance.now();
      this.inflightCount += 1;
      return;
    }
  }

  private send(bytes: Buffer): void {
    this.socket.write(bytes);
    this.lastSentAt = performance.now();
  }

  private protocolError(): void {
    this.abort('protocol_error');
  }
}

function connectPacket(request: ConnectRequest): IConnectPacket {
  const packet: IConnectPacket = {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: request.protocolVersion,
    clean: request.cleanStart,
    clientId: request.clientId,
    keepalive: request.keepaliveSec
  };
  if (request.username !== undefined) packet.username = request.username;
  if (request.password !== undefined) packet.password = Buffer.from(request.password);
  if (request.will !== undefined) {
    const { topic, payload, qos, retain } = request.will;
    packet.will = { topic, payload: Buffer.from(payload), qos, retain };
  }
  if (request.protocolVersion === 5 && request.sessionExpirySec > 0) packet.properties = { sessionExpiryInterval: request.sessionExpirySec };
  return packet;
}

function pubackBytes(messageId: number): Buffer {
  return Buffer.from([0x40, 0x02, messageId >> 8, messageId & 0xff]);
}

function varIntLength(value: number): number {
  return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
}

function writeVarInt(buffer: Buffer, offset: number, value: number): number {
  let remaining = value;
  do {
    let byte = remaining % 128;
    remaining = Math.floor(remaining / 128);
    if (remaining > 0) byte |= 0x80;
    buffer[offset++] = byte;
  } while (remaining > 0);
  return offset;
}
