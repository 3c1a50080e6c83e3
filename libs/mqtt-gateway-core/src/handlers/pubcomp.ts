import type { IPubcompPacket } from 'mqtt-packet';
import type { MqttSession } from '../session.ts';

/** The client completes a QoS 2 delivery we released; its packet id is free again [MQTT-4.3.3-5]. */
export function handlePubcomp(session: MqttSession, packet: IPubcompPacket): void {
  session.acknowledge(packet.messageId as number);
}
