import type { ISubscribePacket, ISubscription, QoS } from 'mqtt-packet';
import { isValidTopicFilter, maySubscribe, mountFilter, parseSharedSubscription, unmountTopic } from '@plexus/topics';
import type { GatewayContext } from '../gateway-context.ts';
import { ReasonCode } from '../reason-codes.ts';
import type { MqttSession } from '../session.ts';
import type { StoredSubscription } from '../session-store.ts';

const V3_FAILURE = 0x80;
/** v5 Retain Handling (§3.8.3.1): 0 send retained messages, 1 only for a new subscription, 2 never. */
const SEND_IF_NEW = 1;
const NEVER_SEND = 2;

/** A subscription whose retained messages go out after the SUBACK. */
interface RetainedRequest {
  readonly mountedFilter: string;
  readonly qos: QoS;
  readonly subscriptionIdentifier: number | undefined;
}

export async function handleSubscribe(context: GatewayContext, session: MqttSession, packet: ISubscribePacket): Promise<void> {
  const principal = session.principal;
  const who = principal?.kind === 'device' ? ({ kind: 'device', deviceId: principal.deviceId } as const) : ({ kind: 'app' } as const);
  const subscriptionIdentifier = packet.properties?.subscriptionIdentifier;
  const persistence = session.persistence;
  const retainedRequests: RetainedRequest[] = [];
  let protocolError = false;
  const subscribeOne = ({ topic, qos, nl, rap, rh }: ISubscription): number => {
    const shared = parseSharedSubscription(topic);
    const filter = shared ? shared.filter : topic;
    if ((topic.startsWith('$share/') && !shared) || !isValidTopicFilter(filter)) {
      return session.isV5 ? ReasonCode.topicFilterInvalid : V3_FAILURE;
    }
    if (!maySubscribe(who, filter)) return session.isV5 ? ReasonCode.notAuthorized : V3_FAILURE;
    const mounted = mountFilter(session.tenantId, topic);
    const subscription: StoredSubscription = {
      mountedFilter: mounted,
      qos,
      noLocal: nl === true,
      retainAsPublished: rap === true,
      ...(typeof subscriptionIdentifier === 'number' ? { subscriptionIdentifier } : {})
    };
    const outcome = context.router.subscribe(session, mounted, subscription);
    if (outcome === 'invalid-filter') return session.isV5 ? ReasonCode.topicFilterInvalid : V3_FAILURE;
    if (outcome === 'no-local-on-shared-subscription') {
      protocolError = true;
      return V3_FAILURE;
    }
    persistence?.subscribed(subscription);
    // [MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11] Retain Handling; a shared subscription gets no
    // retained messages (MQTT 5.0 §4.8.2).
    const retainHandling = rh ?? 0;
    if (!shared && retainHandling !== NEVER_SEND && (retainHandling !== SEND_IF_NEW || outcome === 'subscribed')) {
      retainedRequests.push({ mountedFilter: mounted, qos, subscriptionIdentifier: subscription.subscriptionIdentifier });
    }
    return qos;
  };
  const granted = packet.subscriptions.map(subscribeOne);
  if (protocolError) {
    // [MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error.
    session.close(ReasonCode.protocolError);
    return;
  }
  if (persistence) await context.sessionStore.save(session.tenantId, session.clientId, persistence.toStored(session.awaitingRelease()));
  // [MQTT-3.8.4-1] a SUBACK with the same packet id; [MQTT-3.8.4-6] one return code per filter, in order.
  session.send({ cmd: 'suback', messageId: packet.messageId, granted });
  for (const request of retainedRequests) await sendRetained(context, session, request);
}

/** The retained messages a new subscription matches, with RETAIN set (MQTT 5.0 §3.3.1.3). */
async function sendRetained(context: GatewayContext, session: MqttSession, request: RetainedRequest): Promise<void> {
  const messages = await context.retained.match(request.mountedFilter);
  const subscriptionIdentifiers = request.subscriptionIdentifier === undefined ? [] : [request.subscriptionIdentifier];
  for (const message of messages) {
    const topic = unmountTopic(session.tenantId, message.mountedTopic);
    if (topic === null) continue;
    session.deliver(
      {
        topic,
        payload: message.payload,
        qos: message.qos < request.qos ? message.qos : request.qos,
        retain: true,
        subscriptionIdentifiers
      },
      context.limits.maxQueuedMessages
    );
  }
}
