import type { Socket } from 'node:net';
import { parser as createParser, type Packet } from 'mqtt-packet';
import { isPlexusError } from '@plexus/errors';
import { mayPublish, parseDeviceTopic } from '@plexus/topics';
import type { GatewayContext } from './gateway-context.ts';
import { handlePacket } from './handlers/index.ts';
import { ingest } from './handlers/publish.ts';
import { PacketSizeGuard } from './packet-size-guard.ts';
import { ReasonCode } from './reason-codes.ts';
import { MqttSession } from './session.ts';

// Socket and parser handlers are shared by every connection of the process and find their
// session through these fields, so a connection costs a few objects and no closures.

interface ConnectionParts {
  session: MqttSession;
  context: GatewayContext;
  guard: PacketSizeGuard;
  parser: ReturnType<typeof createParser>;
  /** Packets of this connection are handled one at a time, in order. */
  queue: Promise<void>;
}

const PARTS = Symbol('plexus.mqtt.connection');
type ConnectionSocket = Socket & { [PARTS]: ConnectionParts };
type ConnectionParser = ReturnType<typeof createParser> & { [PARTS]: ConnectionParts };

export function attachConnection(context: GatewayContext, socket: Socket): MqttSession {
  const session = new MqttSession(socket);
  const parser = createParser();
  const parts: ConnectionParts = { session, context, guard: new PacketSizeGuard(context.limits.maxPacketBytes), parser, queue: Promise.resolve() };
  (socket as ConnectionSocket)[PARTS] = parts;
  (parser as ConnectionParser)[PARTS] = parts;
  socket.setNoDelay(true);
  socket.on('data', onData);
  socket.on('close', onClose);
  socket.on('error', onSocketError);
  parser.on('packet', onPacket);
  parser.on('error', onParserError);
  // [MQTT-3.1.4-1]-adjacent hygiene: a connection that never sends CONNECT is dropped.
  context.keepalive.touch(session, context.now() + context.limits.connectTimeoutMs);
  return session;
}

function onData(this: ConnectionSocket, chunk: Buffer): void {
  const { session, guard, parser } = this[PARTS];
  const verdict = guard.check(chunk);
  if (!verdict.ok) {
    // [MQTT-3.2.2-15] a packet over our Maximum Packet Size: DISCONNECT 0x95 and close.
    session.close(verdict.reason === 'too-large' ? ReasonCode.packetTooLarge : ReasonCode.malformedPacket);
    return;
  }
  parser.parse(chunk);
}

function onPacket(this: ConnectionParser, packet: Packet): void {
  const parts = this[PARTS];
  parts.queue = parts.queue.then(() => handlePacket(parts.context, parts.session, packet)).catch((error: unknown) => {
    // A failure of the platform (stream closed, engine gone) ends this connection, never the process.
    parts.session.close(isPlexusError(error) ? ReasonCode.serverUnavailable : ReasonCode.unspecifiedError);
  });
}

function onParserError(this: ConnectionParser): void {
  // [MQTT-4.13.1-1] a malformed packet closes the connection (v5: DISCONNECT 0x81 first).
  this[PARTS].session.close(ReasonCode.malformedPacket);
}

function onSocketError(this: ConnectionSocket): void {
  // ECONNRESET and the like: 'close' follows and does the clean-up.
}

function onClose(this: ConnectionSocket): void {
  const { session, context } = this[PARTS];
  // Only an authenticated session has a will to publish; a normal DISCONNECT has cleared it.
  const will = session.principal ? session.will : null;
  session.state = 'closed';
  context.keepalive.remove(session);
  context.router.unsubscribeAll(session);
  context.sessions.release(session);
  if (will) publishWill(context, session, will.topic, will.payload);
}

/**
 * The will goes out when a session ends without a normal DISCONNECT [MQTT-3.1.2-8]. Sessions end
 * with their connection here, so a Will Delay Interval ends with it too [MQTT-3.1.3-9].
 */
function publishWill(context: GatewayContext, session: MqttSession, topic: string, payload: Buffer): void {
  const principal = session.principal;
  if (!principal) return;
  const who = principal.kind === 'device' ? ({ kind: 'device', deviceId: principal.deviceId } as const) : ({ kind: 'app' } as const);
  if (!mayPublish(who, topic)) return;
  const deviceId = parseDeviceTopic(topic)?.deviceId as string;
  ingest(context, undefined, session.tenantId, deviceId, topic, payload).catch(() => {
    // The will's publisher is gone; there is nobody left to tell. The stream counts failures.
  });
}
