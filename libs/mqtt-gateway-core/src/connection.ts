import type { Socket } from 'node:net';
import { parser as createParser, type Packet } from 'mqtt-packet';
import { isPlexusError } from '@plexus/errors';
import type { GatewayContext } from './gateway-context.ts';
import { handlePacket } from './handlers/index.ts';
import { PacketSizeGuard } from './packet-size-guard.ts';
import { ReasonCode } from './reason-codes.ts';
import { MqttSession } from './session.ts';
import { endSession } from './session-end.ts';

// Socket and parser handlers are shared by every connection of the process and find their
// session through these fields, so a connection costs a few objects and no closures.
//
// A parser costs about 1.6 KB, and most connections are idle between packets: a connection
// borrows one from a per-process pool when bytes arrive and returns it once they end exactly at
// a packet boundary, so an idle connection holds none.

type Parser = ReturnType<typeof createParser>;

interface ConnectionParts {
  session: MqttSession;
  context: GatewayContext;
  guard: PacketSizeGuard;
  /** Held only while a packet is partly received. */
  parser: Parser | null;
  /** What the codec needs to know to parse this connection's packets: its CONNECT, once seen. */
  parserSettings: object;
  /** Packets of this connection are handled one at a time, in order. */
  queue: Promise<void>;
}

const PARTS = Symbol('plexus.mqtt.connection');
type ConnectionSocket = Socket & { [PARTS]: ConnectionParts };
type PooledParser = Parser & { [PARTS]: ConnectionParts | null; settings: object };

const MAX_IDLE_PARSERS = 256;
const idleParsers: PooledParser[] = [];
// The codec reads only `protocolVersion` from its settings (mqtt-packet parser.js).
const BEFORE_CONNECT = {};
const MQTT_5 = { protocolVersion: 5 };
const MQTT_3 = { protocolVersion: 4 };

function borrowParser(parts: ConnectionParts): PooledParser {
  let parser = idleParsers.pop();
  if (!parser) {
    parser = createParser() as PooledParser;
    parser.on('packet', onPacket);
    parser.on('error', onParserError);
  }
  parser[PARTS] = parts;
  parser.settings = parts.parserSettings;
  return parser;
}

function returnParser(parser: PooledParser): void {
  parser[PARTS] = null;
  if (idleParsers.length < MAX_IDLE_PARSERS) idleParsers.push(parser);
}

export function attachConnection(context: GatewayContext, socket: Socket): MqttSession {
  const session = new MqttSession(socket);
  const parts: ConnectionParts = {
    session,
    context,
    guard: new PacketSizeGuard(context.limits.maxPacketBytes),
    parser: null,
    parserSettings: BEFORE_CONNECT,
    queue: Promise.resolve()
  };
  (socket as ConnectionSocket)[PARTS] = parts;
  socket.setNoDelay(true);
  socket.on('data', onData);
  socket.on('close', onClose);
  socket.on('error', onSocketError);
  // [MQTT-3.1.4-1]-adjacent hygiene: a connection that never sends CONNECT is dropped.
  context.keepalive.touch(session, context.now() + context.limits.connectTimeoutMs);
  return session;
}

function onData(this: ConnectionSocket, chunk: Buffer): void {
  const parts = this[PARTS];
  const verdict = parts.guard.check(chunk);
  if (!verdict.ok) {
    // [MQTT-3.2.2-15] a packet over our Maximum Packet Size: DISCONNECT 0x95 and close.
    parts.session.close(verdict.reason === 'too-large' ? ReasonCode.packetTooLarge : ReasonCode.malformedPacket);
    return;
  }
  const parser = (parts.parser ??= borrowParser(parts)) as PooledParser;
  parser.parse(chunk);
  if (parts.parser === parser && parts.guard.atPacketBoundary) {
    parts.parser = null;
    returnParser(parser);
  }
}

function onPacket(this: PooledParser, packet: Packet): void {
  const parts = this[PARTS];
  if (!parts) return;
  // The codec reads later packets by the CONNECT's protocol version; record it now, before the
  // parser goes back to the pool, not when the handler gets to it.
  if (packet.cmd === 'connect') parts.parserSettings = packet.protocolVersion === 5 ? MQTT_5 : MQTT_3;
  parts.queue = parts.queue.then(() => handlePacket(parts.context, parts.session, packet)).catch((error: unknown) => {
    // A failure of the platform (stream closed, engine gone) ends this connection, never the process.
    parts.session.close(isPlexusError(error) ? ReasonCode.serverUnavailable : ReasonCode.unspecifiedError);
  });
}

function onParserError(this: PooledParser): void {
  const parts = this[PARTS];
  if (!parts) return;
  // A parser in error is not pooled again; the connection that fed it is done.
  parts.parser = null;
  this[PARTS] = null;
  // [MQTT-4.13.1-1] a malformed packet closes the connection (v5: DISCONNECT 0x81 first).
  parts.session.close(ReasonCode.malformedPacket);
}

function onSocketError(this: ConnectionSocket): void {
  // ECONNRESET and the like: 'close' follows and does the clean-up.
}

function onClose(this: ConnectionSocket): void {
  const parts = this[PARTS];
  // A parser holding part of a packet is dropped, not pooled.
  if (parts.parser) (parts.parser as PooledParser)[PARTS] = null;
  parts.parser = null;
  endSession(parts.context, parts.session);
}
