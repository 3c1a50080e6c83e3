import type { IPubackPacket } from 'mqtt-packet';
import type { MqttSession } from '../session.ts';

/** The client acknowledges a QoS 1 PUBLISH we sent; its packet id is free again [MQTT-4.3.2-3]. */
export function handlePuback(session: MqttSession, packet: IPubackPacket): void {
  session.acknowledge(packet.messageId as number);
}
