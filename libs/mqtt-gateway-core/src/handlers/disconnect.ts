import type { IDisconnectPacket } from 'mqtt-packet';
import type { MqttSession } from '../session.ts';

/** Reason code 0x04 asks for the will to be published (v5 §3.14.2.1); anything else discards it. */
const DISCONNECT_WITH_WILL = 0x04;

export function handleDisconnect(session: MqttSession, packet: IDisconnectPacket): void {
  if (session.isV5 && packet.reasonCode === DISCONNECT_WITH_WILL) session.close();
  else session.closeGracefully();
}
