import type { Packet } from 'mqtt-packet';
import type { GatewayContext } from '../gateway-context.ts';
import { ReasonCode } from '../reason-codes.ts';
import type { MqttSession } from '../session.ts';
import { handleConnect } from './connect.ts';
import { handleDisconnect } from './disconnect.ts';
import { handlePingreq } from './pingreq.ts';
import { handlePuback } from './puback.ts';
import { handlePubcomp } from './pubcomp.ts';
import { handlePublish } from './publish.ts';
import { handlePubrec } from './pubrec.ts';
import { handlePubrel } from './pubrel.ts';
import { handleSubscribe } from './subscribe.ts';
import { handleUnsubscribe } from './unsubscribe.ts';

/** Dispatches one packet after the protocol's ordering rules. */
export async function handlePacket(context: GatewayContext, session: MqttSession, packet: Packet): Promise<void> {
  if (session.closed) return;
  if (session.state === 'awaiting-connect') {
    // [MQTT-3.1.0-1] the first packet from the client must be CONNECT.
    if (packet.cmd !== 'connect') session.close();
    else await handleConnect(context, session, packet);
    return;
  }
  if (session.state === 'authenticating') {
    // Nothing but the CONNECT may be in progress; a client that does not wait is misbehaving.
    session.close();
    return;
  }
  context.keepalive.touch(session, context.now() + session.keepaliveMs * 1.5);
  switch (packet.cmd) {
    case 'connect':
      // [MQTT-3.1.0-2] a second CONNECT is a protocol violation.
      session.close(ReasonCode.protocolError);
      return;
    case 'publish':
      return handlePublish(context, session, packet);
    case 'puback':
      return handlePuback(session, packet);
    case 'pubrec':
      return handlePubrec(session, packet);
    case 'pubrel':
      return handlePubrel(session, packet);
    case 'pubcomp':
      return handlePubcomp(session, packet);
    case 'subscribe':
      return handleSubscribe(context, session, packet);
    case 'unsubscribe':
      return handleUnsubscribe(context, session, packet);
    case 'pingreq':
      return handlePingreq(session);
    case 'disconnect':
      return handleDisconnect(context, session, packet);
    default:
      // Packets only a server sends, and AUTH (no enhanced authentication).
      session.close(ReasonCode.protocolError);
  }
}
