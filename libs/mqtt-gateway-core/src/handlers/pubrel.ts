import type { IPubrelPacket } from 'mqtt-packet';
import { ReasonCode } from '../reason-codes.ts';
import type { MqttSession } from '../session.ts';

/**
 * The client releases a QoS 2 PUBLISH it sent us: its packet id is free again and a PUBCOMP
 * answers [MQTT-4.3.3-11], in turn behind the PUBRECs still waiting for the stream. v5 says 0x92
 * when the packet id was not awaiting release (a resend after we already completed it).
 */
export function handlePubrel(session: MqttSession, packet: IPubrelPacket): void {
  const messageId = packet.messageId as number;
  const known = session.release(messageId);
  const pubcomp = session.isV5 && !known ? { cmd: 'pubcomp' as const, messageId, reasonCode: ReasonCode.packetIdentifierNotFound } : { cmd: 'pubcomp' as const, messageId };
  session.sendInTurn(pubcomp);
}
