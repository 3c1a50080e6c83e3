import type { ISubscribePacket } from 'mqtt-packet';
import { isValidTopicFilter, maySubscribe, mountFilter, parseSharedSubscription } from '@plexus/topics';
import type { GatewayContext } from '../gateway-context.ts';
import { ReasonCode } from '../reason-codes.ts';
import type { MqttSession } from '../session.ts';

const V3_FAILURE = 0x80;

export function handleSubscribe(context: GatewayContext, session: MqttSession, packet: ISubscribePacket): void {
  const principal = session.principal;
  const who = principal?.kind === 'device' ? ({ kind: 'device', deviceId: principal.deviceId } as const) : ({ kind: 'app' } as const);
  const subscriptionIdentifier = packet.properties?.subscriptionIdentifier;
  let protocolError = false;
  const granted = packet.subscriptions.map(({ topic, qos, nl }) => {
    const shared = parseSharedSubscription(topic);
    const filter = shared ? shared.filter : topic;
    if ((topic.startsWith('$share/') && !shared) || !isValidTopicFilter(filter)) {
      return session.isV5 ? ReasonCode.topicFilterInvalid : V3_FAILURE;
    }
    if (!maySubscribe(who, filter)) return session.isV5 ? ReasonCode.notAuthorized : V3_FAILURE;
    const mounted = mountFilter(session.tenantId, topic);
    // [MQTT-3.8.4-8] the granted QoS is at most what the server supports (1 here).
    const grantedQos = qos === 0 ? 0 : 1;
    const outcome = context.router.subscribe(session, mounted, {
      qos: grantedQos,
      noLocal: nl === true,
      ...(typeof subscriptionIdentifier === 'number' ? { subscriptionIdentifier } : {})
    });
    if (outcome === 'invalid-filter') return session.isV5 ? ReasonCode.topicFilterInvalid : V3_FAILURE;
    if (outcome === 'no-local-on-shared-subscription') {
      protocolError = true;
      return V3_FAILURE;
    }
    return grantedQos;
  });
  if (protocolError) {
    // [MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error.
    session.close(ReasonCode.protocolError);
    return;
  }
  // [MQTT-3.8.4-1] a SUBACK with the same packet id; [MQTT-3.8.4-6] one return code per filter, in order.
  session.send({ cmd: 'suback', messageId: packet.messageId, granted });
}
