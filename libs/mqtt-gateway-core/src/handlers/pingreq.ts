import type { MqttSession } from '../session.ts';

/** [MQTT-3.12.4-1] a PINGREQ is answered with a PINGRESP (the keepalive was touched on receipt). */
export function handlePingreq(session: MqttSession): void {
  session.send({ cmd: 'pingresp' });
}
