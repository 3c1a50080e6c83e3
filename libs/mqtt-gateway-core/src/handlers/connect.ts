import { TLSSocket } from 'node:tls';
import type { IConnackPacket, IConnectPacket } from 'mqtt-packet';
import type { AuthResult } from '@plexus/contracts';
import { isPlexusError } from '@plexus/errors';
import type { GatewayContext } from '../gateway-context.ts';
import { connackReturnCodeFor, ReasonCode } from '../reason-codes.ts';
import { endSession } from '../session-end.ts';
import { deliverQueued, restoreSession } from '../session-resume.ts';
import type { MqttSession, ProtocolVersion, WillMessage } from '../session.ts';

const DENY_REASONS: Record<Extract<AuthResult, { result: 'deny' }>['reason'], number> = {
  'bad-credentials': ReasonCode.badUserNameOrPassword,
  'not-authorized': ReasonCode.notAuthorized,
  'device-disabled': ReasonCode.banned,
  'tenant-suspended': ReasonCode.banned
};

function refuse(context: GatewayContext, session: MqttSession, reasonCode: number): void {
  context.observer.connectRefused(reasonCode);
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
    refuse(context, session, ReasonCode.unsupportedProtocolVersion);
    return;
  }
  if (packet.clientId === '') {
    // Devices are their client id and apps name themselves; an empty id identifies nobody.
    refuse(context, session, ReasonCode.clientIdentifierNotValid);
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
    refuse(context, session, ReasonCode.serverUnavailable);
    return;
  }
  if (session.closed) return; // the client went away while we asked
  if (result.result === 'deny') {
    refuse(context, session, DENY_REASONS[result.reason]);
    return;
  }

  session.principal = result.principal;
  // Counted from here, since every session with a principal is counted out once when it ends.
  context.usage.connected(result.principal.tenantId);
  session.tenantId = result.principal.tenantId;
  session.clientId = packet.clientId;
  session.signingKeyId = jwtKeyId(password);
  const properties = packet.properties;
  if (properties?.receiveMaximum) session.clientReceiveMaximum = properties.receiveMaximum;
  if (properties?.maximumPacketSize) session.clientMaximumPacketSize = properties.maximumPacketSize;
  // [MQTT-3.1.2-24] keepalive: the server imposes its maximum when the client asks for more or none.
  const requested = packet.keepalive ?? 0;
  const keepaliveSeconds = requested === 0 || requested > context.limits.maxKeepaliveSeconds ? context.limits.maxKeepaliveSeconds : requested;
  session.keepaliveMs = keepaliveSeconds * 1000;

  // One session per client id across the cluster, then in this process [MQTT-3.1.4-3].
  await context.cluster.claimClientId(session.tenantId, session.clientId);
  if (session.closed) {
    if (context.sessions.find(session.tenantId, session.clientId) === undefined) context.cluster.releaseClientId(session.tenantId, session.clientId);
    return;
  }
  const previous = context.sessions.claim(session);
  if (previous) {
    previous.close(ReasonCode.sessionTakenOver);
    endSession(context, previous);
  }

  const cleanStart = packet.clean !== false;
  const requestedExpiry = session.isV5 ? (properties?.sessionExpiryInterval ?? 0) : cleanStart ? 0 : Number.POSITIVE_INFINITY;
  const expirySeconds = Math.min(requestedExpiry, context.limits.maxSessionExpirySeconds);
  const restored = await restoreSession(context, session, cleanStart, expirySeconds);
  if (restored === null) return;
  if (packet.will) session.will = willOf(packet.will);

  session.state = 'connected';
  const connack: IConnackPacket = session.isV5
    ? {
        cmd: 'connack',
        sessionPresent: restored.sessionPresent,
        reasonCode: ReasonCode.success,
        properties: {
          // The granted interval, so a capped request is visible to the client.
          sessionExpiryInterval: expirySeconds,
          receiveMaximum: context.limits.receiveMaximum,
          retainAvailable: true,
          maximumPacketSize: context.limits.maxPacketBytes,
          topicAliasMaximum: context.limits.topicAliasMaximum,
          wildcardSubscriptionAvailable: true,
          subscriptionIdentifiersAvailable: true,
          sharedSubscriptionAvailable: true,
          ...(keepaliveSeconds === requested ? {} : { serverKeepAlive: keepaliveSeconds })
        }
      }
    : { cmd: 'connack', sessionPresent: restored.sessionPresent, returnCode: 0 };
  session.send(connack);
  context.observer.connectAccepted();
  context.keepalive.touch(session, context.now() + session.keepaliveMs * 1.5);
  if (result.principal.kind === 'device') context.sightings.seen(result.principal.tenantId, result.principal.deviceId);
  if (restored.sessionPresent) await deliverQueued(context, session, restored);
}

function willOf(will: NonNullable<IConnectPacket['will']>): WillMessage {
  return {
    topic: will.topic,
    payload: Buffer.isBuffer(will.payload) ? will.payload : Buffer.from(will.payload),
    qos: will.qos ?? 0,
    retain: will.retain === true,
    delaySeconds: will.properties?.willDelayInterval ?? 0
  };
}
