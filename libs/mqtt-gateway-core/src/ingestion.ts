import type { QoS } from 'mqtt-packet';
import type { Delivery } from '@plexus/mqtt-routing';
import type { PutSettled, StreamRecordKind } from '@plexus/stream';
import { mountTopic, unmountTopic, type DeviceTopic } from '@plexus/topics';
import type { ForwardedMessage } from './cluster-link.ts';
import type { GatewayContext, Subscriber } from './gateway-context.ts';
import type { MqttSession } from './session.ts';

/** An application message as a client published it (topic in the publisher's tenant view). */
export interface Publication {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
}

/** Topics whose messages are stored (the stream) before they are acknowledged; others are live only. */
function streamKindOf(parsed: DeviceTopic): StreamRecordKind | null {
  if (parsed.kind === 'telemetry') return 'telemetry';
  // Shadow gets are stored too: the data plane reads them from the stream and answers on `…/get/accepted`.
  if (parsed.kind === 'shadow-update' || parsed.kind === 'shadow-get') return 'shadow';
  return null;
}

/**
 * Sends one routed copy to its subscriber, live or detached, at the lower of the message's QoS and
 * the subscription's [MQTT-3.8.4-8]. The RETAIN flag goes out as 0 unless the subscription asked
 * for Retain As Published [MQTT-3.3.1-12] [MQTT-3.3.1-13].
 */
export function deliverMatched(context: GatewayContext, delivery: Delivery<Subscriber>, message: ForwardedMessage): void {
  const subscriber = delivery.subscriber;
  const topic = unmountTopic(subscriber.tenantId, message.mountedTopic);
  if (topic === null) return;
  context.usage.delivered(subscriber.tenantId, message.payload.length);
  subscriber.deliver(
    {
      topic,
      payload: message.payload,
      qos: delivery.qos < message.qos ? delivery.qos : message.qos,
      retain: message.retain && delivery.retainAsPublished,
      subscriptionIdentifiers: delivery.subscriptionIdentifiers
    },
    context.limits.maxQueuedMessages
  );
}

/** Delivers a message to this node's subscribers of its mounted topic. */
export function deliverHere(context: GatewayContext, publisher: MqttSession | undefined, message: ForwardedMessage): void {
  for (const delivery of context.router.match(message.mountedTopic, publisher)) deliverMatched(context, delivery, message);
}

/** Delivers a message to its subscribers here and on the other gateway nodes. */
export function route(context: GatewayContext, publisher: MqttSession | undefined, tenantId: string, publication: Publication): void {
  const message: ForwardedMessage = { mountedTopic: mountTopic(tenantId, publication.topic), payload: publication.payload, qos: publication.qos, retain: publication.retain };
  deliverHere(context, publisher, message);
  context.cluster.forward(message);
}

/** Keeps or clears the topic's retained message; a zero-length payload clears it [MQTT-3.3.1-6] [MQTT-3.3.1-7]. */
function retain(context: GatewayContext, tenantId: string, publication: Publication): Promise<void> {
  const mountedTopic = mountTopic(tenantId, publication.topic);
  if (publication.payload.length === 0) return context.retained.delete(mountedTopic);
  // [MQTT-3.3.1-5] the new message replaces the topic's retained message.
  return context.retained.set({ mountedTopic, payload: publication.payload, qos: publication.qos });
}

function recordOf(context: GatewayContext, tenantId: string, deviceId: string, kind: StreamRecordKind, publication: Publication) {
  return { tenantId, deviceId, messageId: context.messageIds.next(), receivedAt: context.now(), kind, topic: publication.topic, payload: publication.payload };
}

/**
 * Appends what must be stored to the stream, keeps retained messages, and routes to subscribers.
 * Resolves once the stream (and the retained store) accepted it: "acked means durable".
 */
export function ingest(context: GatewayContext, publisher: MqttSession | undefined, tenantId: string, parsed: DeviceTopic, publication: Publication): Promise<void> {
  const kind = streamKindOf(parsed);
  const stored = kind ? context.producer.put(recordOf(context, tenantId, parsed.deviceId, kind, publication)) : Promise.resolve();
  const retained = publication.retain ? retain(context, tenantId, publication) : null;
  route(context, publisher, tenantId, publication);
  return retained === null ? stored : Promise.all([stored, retained]).then(() => undefined);
}

/**
 * `ingest` for the hot path: `settled(settledContext, error?)` instead of a promise, so a telemetry
 * PUBLISH costs no promise at all. Retained messages take the promise path.
 */
export function ingestWithCallback<Context>(
  context: GatewayContext,
  publisher: MqttSession | undefined,
  tenantId: string,
  parsed: DeviceTopic,
  publication: Publication,
  settled: PutSettled<Context>,
  settledContext: Context
): void {
  if (publication.retain) {
    ingest(context, publisher, tenantId, parsed, publication).then(
      () => settled(settledContext, undefined),
      (error: unknown) => settled(settledContext, error instanceof Error ? error : new Error(String(error)))
    );
    return;
  }
  const kind = streamKindOf(parsed);
  if (kind) context.producer.putWithCallback(recordOf(context, tenantId, parsed.deviceId, kind, publication), settled, settledContext);
  route(context, publisher, tenantId, publication);
  if (!kind) settled(settledContext, undefined);
}
