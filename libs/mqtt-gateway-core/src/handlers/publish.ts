import type { IPublishPacket } from 'mqtt-packet';
import type { StreamRecordKind } from '@plexus/stream';
import { isValidTopicName, mayPublishParsed, mountTopic, parseDeviceTopic, unmountTopic, type DeviceTopic } from '@plexus/topics';
import type { GatewayContext } from '../gateway-context.ts';
import { ReasonCode } from '../reason-codes.ts';
import type { MqttSession } from '../session.ts';

/** Topics whose messages are stored (the stream) before they are acknowledged; others are live only. */
function streamKindOf(parsed: DeviceTopic): StreamRecordKind | null {
  if (parsed.kind === 'telemetry') return 'telemetry';
  if (parsed.kind === 'shadow-update') return 'shadow';
  return null;
}

/** Closes with a reason for v5; 3.1.1 has no way to refuse a PUBLISH but closing. */
function rejectPublish(session: MqttSession, packet: IPublishPacket, reasonCode: number): void {
  if (session.isV5 && packet.qos === 1 && reasonCode === ReasonCode.notAuthorized) {
    // [MQTT-3.4.2-1] a v5 PUBACK may carry the reason; the connection stays up. It waits its
    // turn behind earlier PUBACKs [MQTT-4.6.0-2].
    const messageId = packet.messageId as number;
    session.ackChain = session.ackChain.then(() => session.send({ cmd: 'puback', messageId, reasonCode }));
    return;
  }
  session.close(reasonCode);
}

/** Delivers a message to the live subscribers of its (mounted) topic, here and on the other gateway nodes. */
export function route(context: GatewayContext, publisher: MqttSession | undefined, tenantId: string, topic: string, payload: Buffer): void {
  const mounted = mountTopic(tenantId, topic);
  for (const delivery of context.router.match(mounted, publisher)) {
    const subscriberTopic = unmountTopic(delivery.subscriber.tenantId, mounted);
    if (subscriberTopic === null) continue;
    delivery.subscriber.deliver(subscriberTopic, payload, delivery.qos === 0 ? 0 : 1, delivery.subscriptionIdentifiers);
  }
  // Deliveries here take the subscription's QoS; other nodes do the same with QoS 2 as the cap.
  context.cluster.forward({ mountedTopic: mounted, payload, qos: 2, retain: false });
}

/**
 * Appends what must be stored to the stream and routes it to live subscribers. Resolves once
 * the stream has accepted it: "acked means durable".
 */
export async function ingest(context: GatewayContext, publisher: MqttSession | undefined, tenantId: string, parsed: DeviceTopic, topic: string, payload: Buffer): Promise<void> {
  const kind = streamKindOf(parsed);
  if (kind) {
    await context.producer.put({
      tenantId,
      deviceId: parsed.deviceId,
      messageId: context.messageIds.next(),
      receivedAt: context.now(),
      kind,
      topic,
      payload
    });
  }
  route(context, publisher, tenantId, topic, payload);
}

export function handlePublish(context: GatewayContext, session: MqttSession, packet: IPublishPacket): void {
  if (packet.qos === 2) {
    // [MQTT-3.2.2-11] CONNACK said Maximum QoS 1; a QoS 2 PUBLISH is a protocol error.
    session.close(ReasonCode.qosNotSupported);
    return;
  }
  if (packet.retain && session.isV5) {
    // [MQTT-3.3.1-12] CONNACK said Retain Available 0. 3.1.1 clients' retain flags are ignored.
    session.close(ReasonCode.retainNotSupported);
    return;
  }
  if (!isValidTopicName(packet.topic)) {
    session.close(ReasonCode.topicNameInvalid);
    return;
  }
  const principal = session.principal;
  const parsed = parseDeviceTopic(packet.topic);
  if (!principal || !parsed || !mayPublishParsed(principal.kind === 'device' ? { kind: 'device', deviceId: principal.deviceId } : { kind: 'app' }, parsed)) {
    rejectPublish(session, packet, ReasonCode.notAuthorized);
    return;
  }
  if (packet.qos === 1 && session.pendingAcks >= context.limits.receiveMaximum) {
    // [MQTT-3.3.4-9] more unacknowledged QoS 1 publishes than our Receive Maximum.
    session.close(ReasonCode.receiveMaximumExceeded);
    return;
  }

  const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
  if (principal.kind === 'device') context.sightings.seen(session.tenantId, principal.deviceId);
  // The record is put now, in the order publishes arrive (per-device order in the stream), and the
  // next packet is read without waiting for the stream: a device may have many publishes in flight.
  const stored = ingest(context, session, session.tenantId, parsed, packet.topic, payload);
  if (packet.qos === 0) {
    stored.catch(() => session.close(ReasonCode.serverUnavailable));
    return;
  }
  session.pendingAcks++;
  const messageId = packet.messageId as number;
  // [MQTT-4.6.0-2] PUBACKs go out in the order the PUBLISHes came in, and [MQTT-4.3.2-2] only once
  // the stream has accepted the record.
  session.ackChain = session.ackChain
    .then(() => stored)
    .then(
      () => {
        session.pendingAcks--;
        session.send({ cmd: 'puback', messageId });
      },
      () => {
        session.pendingAcks--;
        session.close(ReasonCode.serverUnavailable);
      }
    );
}
