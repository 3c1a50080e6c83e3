import { TLSSocket } from 'node:tls';
import type { IConnackPacket, IConnectPacket } from 'mqtt-packet';
import type { AuthResult } from '@plexus/contracts';
import { isPlexusError } from '@plexus/errors';
import type { GatewayContext } from '../gateway-context.ts';
import { connackReturnCodeFor, ReasonCode } from '../reason-codes.ts';
import type { MqttSession, ProtocolVersion } from '../session.ts';

const DENY_REASONS: Record<Extract<AuthResult, { result: 'deny' }>['reason'], number> = {
  'bad-credentials': ReasonCode.badUserNameOrPassword,
  'not-authorized': ReasonCode.notAuthorized,
  'device-disabled': ReasonCode.banned,
  'tenant-suspended': ReasonCode.banned
};

function refuse(session: MqttSession, reasonCode: number): void {
  const connack: IConnackPacket = session.isV5
    ? { cmd: 'connack', sessionPresent: false, reasonCode }
    : { cmd: 'connack', sessionPresent: false, returnCode: connackReturnCodeFor(reasonCode) };
  session.send(connack);
  session.close(); // [MQTT-3.2.2-7] a server that refuses a CONNECT closes the connection.
}

function jwtKeyId(password: string): string | null {
  const [header, , signature] = password.split('.');
  if (!header || signature === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && 'kid' in parsed && typeof parsed.kid === 'string' ? parsed.kid : null;
  } catch {
    return null;
  }
}

export async function handleConnect(context: GatewayContext, session: MqttSession, packet: IConnectPacket): Promise<void> {
  session.protocolVersion = (packet.protocolVersion ?? 4) as ProtocolVersion;
  session.state = 'authenticating';
  if (session.protocolVersion !== 4 && session.protocolVersion !== 5) {
    // [MQTT-3.1.2-2] an unsupported protocol level gets return code 0x01 and the connection closes.
    session.protocolVersion = 4;
    refuse(session, ReasonCode.unsupportedProtocolVersion);
    return;
  }
  if (packet.clientId === '') {
    // Devices are their client id and apps name themselves; an empty id identifies nobody.
    refuse(session, ReasonCode.clientIdentifierNotValid);
    return;
  }
  const password = packet.password?.toString('utf8') ?? '';
  // A client certificate that the TLS listener verified against its CA identifies the device.
  const socket = session.socket;
  const certificateFingerprint = socket instanceof TLSSocket && socket.authorized ? socket.getPeerCertificate().fingerprint256 : undefined;
  let result: AuthResult;
  try {
    result = await context.authenticator.authenticate({
      clientId: packet.clientId,
      password,
      ...(certificateFingerprint ? { certificateFingerprint } : {}),
      ...(packet.username === undefined ? {} : { username: packet.username })
    });
  } catch (error) {
    if (!isPlexusError(error)) throw error;
    refuse(session, ReasonCode.serverUnavailable);
    return;
  }
  if (session.closed) return; // the client went away while we asked
  if (result.result === 'deny') {
    refuse(session, DENY_REASONS[result.reason]);
    return;
  }

  session.principal = result.principal;
  session.tenantId = result.principal.tenantId;
  session.clientId = packet.clientId;
  session.signingKeyId = jwtKeyId(password);
  const properties = packet.properties;
  if (properties?.receiveMaximum) session.clientReceiveMaximum = properties.receiveMaximum;
  if (properties?.maximumPacketSize) session.clientMaximumPacketSize = properties.maximumPacketSize;
  if (packet.will) {
    session.will = {
      topic: packet.will.topic,
      payload: Buffer.isBuffer(packet.will.payload) ? packet.will.payload : Buffer.from(packet.will.payload),
      qos: packet.will.qos ?? 0
    };
  }

  // [MQTT-3.1.2-24] keepalive: the server imposes its maximum when the client asks for more or none.
  const requested = packet.keepalive ?? 0;
  const keepaliveSeconds = requested === 0 || requested > context.limits.maxKeepaliveSeconds ? context.limits.maxKeepaliveSeconds : requested;
  session.keepaliveMs = keepaliveSeconds * 1000;

  // [MQTT-3.1.4-3] a second connection with the same client id takes the session over.
  const previous = context.sessions.claim(session);
  previous?.close(ReasonCode.sessionTakenOver);

  session.state = 'connected';
  const connack: IConnackPacket = session.isV5
    ? {
        cmd: 'connack',
        sessionPresent: false, // sessions end with their connection ([MQTT-3.2.2-2] when Clean Start is set)
        reasonCode: ReasonCode.success,
        properties: {
          sessionExpiryInterval: 0,
          receiveMaximum: context.limits.receiveMaximum,
          maximumQoS: 1,
          retainAvailable: false,
          maximumPacketSize: context.limits.maxPacketBytes,
          topicAliasMaximum: 0,
          wildcardSubscriptionAvailable: true,
          subscriptionIdentifiersAvailable: true,
          sharedSubscriptionAvailable: true,
          ...(keepaliveSeconds === requested ? {} : { serverKeepAlive: keepaliveSeconds })
        }
      }
    : { cmd: 'connack', sessionPresent: false, returnCode: 0 };
  session.send(connack);
  context.keepalive.touch(session, context.now() + session.keepaliveMs * 1.5);
  if (result.principal.kind === 'device') context.sightings.seen(result.principal.tenantId, result.principal.deviceId);
}
