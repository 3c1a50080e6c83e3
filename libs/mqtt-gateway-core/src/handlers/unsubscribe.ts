import type { IUnsubscribePacket } from 'mqtt-packet';
import { mountFilter } from '@plexus/topics';
import type { GatewayContext } from '../gateway-context.ts';
import { ReasonCode } from '../reason-codes.ts';
import type { MqttSession } from '../session.ts';

export async function handleUnsubscribe(context: GatewayContext, session: MqttSession, packet: IUnsubscribePacket): Promise<void> {
  const persistence = session.persistence;
  const reasonCodes = packet.unsubscriptions.map((filter) => {
    const mounted = mountFilter(session.tenantId, filter);
    const removed = context.router.unsubscribe(session, mounted);
    if (removed) persistence?.unsubscribed(mounted);
    return removed ? ReasonCode.success : ReasonCode.noSubscriptionExisted;
  });
  if (persistence) await context.sessionStore.save(session.tenantId, session.clientId, persistence.toStored(session.awaitingRelease()));
  // [MQTT-3.10.4-4] always an UNSUBACK, even when nothing matched; the codec writes the per-filter
  // reason codes for v5 only, as 3.1.1 has none.
  session.send({ cmd: 'unsuback', messageId: packet.messageId, granted: reasonCodes });
}
