import type { IUnsubscribePacket } from 'mqtt-packet';
import { mountFilter } from '@plexus/topics';
import type { GatewayContext } from '../gateway-context.ts';
import { ReasonCode } from '../reason-codes.ts';
import type { MqttSession } from '../session.ts';

export function handleUnsubscribe(context: GatewayContext, session: MqttSession, packet: IUnsubscribePacket): void {
  const reasonCodes = packet.unsubscriptions.map((filter) => {
    const mounted = mountFilter(session.tenantId, filter);
    return context.router.unsubscribe(session, mounted) ? ReasonCode.success : ReasonCode.noSubscriptionExisted;
  });
  // [MQTT-3.10.4-4] always an UNSUBACK, even when nothing matched; the codec writes the per-filter
  // reason codes for v5 only, as 3.1.1 has none.
  session.send({ cmd: 'unsuback', messageId: packet.messageId, granted: reasonCodes });
}
