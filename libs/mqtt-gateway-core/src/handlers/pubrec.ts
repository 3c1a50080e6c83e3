import type { IPubrecPacket } from 'mqtt-packet';
import type { MqttSession } from '../session.ts';

const FAILURE = 0x80;

/**
 * The client received a QoS 2 PUBLISH we sent: we release it with PUBREL [MQTT-4.3.3-4]. A v5
 * PUBREC with a failure reason ends the exchange instead, and its packet id is free again.
 */
export function handlePubrec(session: MqttSession, packet: IPubrecPacket): void {
  const messageId = packet.messageId as number;
  const failed = (packet.reasonCode ?? 0) >= FAILURE;
  if (session.received(messageId, failed)) session.send({ cmd: 'pubrel', messageId });
}
