import type { IPublishPacket } from 'mqtt-packet';
import { isValidTopicName, mayPublishParsed, parseDeviceTopic } from '@plexus/topics';
import type { GatewayContext } from '../gateway-context.ts';
import { ingest, ingestWithCallback } from '../ingestion.ts';
import { ReasonCode } from '../reason-codes.ts';
import type { MqttSession, OwedAck } from '../session.ts';

/** Closes with a reason for v5; 3.1.1 has no way to refuse a PUBLISH but closing. */
function rejectPublish(session: MqttSession, packet: IPublishPacket, reasonCode: number): void {
  if (session.isV5 && packet.qos > 0 && reasonCode === ReasonCode.notAuthorized) {
    // [MQTT-3.4.2-1] a v5 PUBACK or PUBREC may carry the reason; the connection stays up. It
    // waits its turn behind earlier acknowledgements [MQTT-4.6.0-2].
    if (packet.qos === 1) session.pendingAcks++;
    session.sendInTurn({ cmd: packet.qos === 1 ? 'puback' : 'pubrec', messageId: packet.messageId as number, reasonCode });
    return;
  }
  session.close(reasonCode);
}

/**
 * The PUBLISH's topic, through the connection's topic aliases (v5 §3.3.2.3.4), or null once the
 * connection is being closed for a bad alias.
 */
function topicOf(context: GatewayContext, session: MqttSession, packet: IPublishPacket): string | null {
  const alias = packet.properties?.topicAlias;
  if (alias === undefined) return packet.topic;
  // [MQTT-3.3.2-8] no alias 0; [MQTT-3.3.2-9] none above the Topic Alias Maximum of our CONNACK.
  if (alias === 0 || alias > context.limits.topicAliasMaximum) {
    session.close(ReasonCode.topicAliasInvalid);
    return null;
  }
  if (packet.topic !== '') {
    session.setTopicAlias(alias, packet.topic);
    return packet.topic;
  }
  const topic = session.topicForAlias(alias);
  // An empty topic with an alias this connection never set is a Protocol Error (v5 §3.3.4).
  if (topic === undefined) session.close(ReasonCode.protocolError);
  return topic ?? null;
}

export function handlePublish(context: GatewayContext, session: MqttSession, packet: IPublishPacket): void {
  const topic = topicOf(context, session, packet);
  if (topic === null) return;
  if (!isValidTopicName(topic)) {
    session.close(ReasonCode.topicNameInvalid);
    return;
  }
  const principal = session.principal;
  const parsed = parseDeviceTopic(topic);
  if (!principal || !parsed || !mayPublishParsed(principal.kind === 'device' ? { kind: 'device', deviceId: principal.deviceId } : { kind: 'app' }, parsed)) {
    rejectPublish(session, packet, ReasonCode.notAuthorized);
    return;
  }
  const { qos } = packet;
  const messageId = packet.messageId as number;
  if (qos === 2 && session.isAwaitingRelease(messageId)) {
    // [MQTT-4.3.3-10] a QoS 2 PUBLISH whose packet id awaits PUBREL is a resend: PUBREC again,
    // in its turn, and nothing stored or delivered a second time.
    session.sendInTurn({ cmd: 'pubrec', messageId });
    return;
  }
  if (qos > 0 && session.pendingAcks + session.awaitingReleaseCount >= context.limits.receiveMaximum) {
    // [MQTT-3.3.4-9] more unacknowledged QoS 1 and 2 publishes than our Receive Maximum.
    session.close(ReasonCode.receiveMaximumExceeded);
    return;
  }
  const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
  if (principal.kind === 'device') context.sightings.seen(session.tenantId, principal.deviceId);
  context.usage.published(session.tenantId, payload.length);
  context.observer.publishReceived(qos);
  // The record is put now, in the order publishes arrive (per-device order in the stream), and the
  // next packet is read without waiting for the stream: a device may have many publishes in flight.
  const publication = { topic, payload, qos, retain: packet.retain };
  if (qos === 0) {
    ingest(context, session, session.tenantId, parsed, publication).catch(() => session.close(ReasonCode.serverUnavailable));
    return;
  }
  // QoS 1 counts until its PUBACK, QoS 2 from now until its PUBREL.
  if (qos === 1) session.pendingAcks++;
  else session.awaitRelease(messageId);
  // [MQTT-4.6.0-2] PUBACKs and PUBRECs go out in the order the PUBLISHes came in, and only once the
  // stream has accepted the record ([MQTT-4.3.2-2], [MQTT-4.3.3-8]).
  const owed: StoreAwaited = { context, session, ack: session.oweAck(), qos, messageId, receivedAt: context.now() };
  ingestWithCallback(context, session, session.tenantId, parsed, publication, onStored, owed);
}

/** A QoS 1 or 2 PUBLISH whose record the stream has not accepted yet. */
interface StoreAwaited {
  readonly context: GatewayContext;
  readonly session: MqttSession;
  readonly ack: OwedAck;
  readonly qos: 1 | 2;
  readonly messageId: number;
  readonly receivedAt: number;
}

function onStored(owed: StoreAwaited, error: Error | undefined): void {
  const { context, session, qos, messageId } = owed;
  if (error !== undefined) {
    // Not stored: the client must be free to send it again as new, not as a resend.
    if (qos === 2) session.forgetRelease(messageId);
    session.close(ReasonCode.serverUnavailable);
    return;
  }
  session.ackReady(owed.ack, qos === 1 ? { cmd: 'puback', messageId } : { cmd: 'pubrec', messageId });
  context.observer.acknowledged(context.now() - owed.receivedAt);
}
