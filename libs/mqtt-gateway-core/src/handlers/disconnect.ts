import type { IDisconnectPacket } from 'mqtt-packet';
import type { GatewayContext } from '../gateway-context.ts';
import { ReasonCode } from '../reason-codes.ts';
import type { MqttSession } from '../session.ts';

/** Reason code 0x04 asks for the will to be published (v5 §3.14.2.1); anything else discards it. */
const DISCONNECT_WITH_WILL = 0x04;

export function handleDisconnect(context: GatewayContext, session: MqttSession, packet: IDisconnectPacket): void {
  const expirySeconds = session.isV5 ? packet.properties?.sessionExpiryInterval : undefined;
  if (expirySeconds !== undefined) {
    const persistence = session.persistence;
    if (persistence === null) {
      // [MQTT-3.14.2-2] a session that was to end with its connection cannot be made to outlive it.
      if (expirySeconds > 0) {
        session.close(ReasonCode.protocolError);
        return;
      }
    } else {
      persistence.expirySeconds = Math.min(expirySeconds, context.limits.maxSessionExpirySeconds);
    }
  }
  if (session.isV5 && packet.reasonCode === DISCONNECT_WITH_WILL) session.close();
  else session.closeGracefully();
}
