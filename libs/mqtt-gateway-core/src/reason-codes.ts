// MQTT 5.0 reason codes (§2.4) the gateway sends, and their MQTT 3.1.1 counterparts where 3.1.1
// has one (CONNACK return codes, §3.2.2.3; SUBACK failure 0x80, §3.9.3). Where 3.1.1 has no
// code, the gateway closes the connection, which is what 3.1.1 prescribes for servers.

export const ReasonCode = {
  success: 0x00,
  grantedQos1: 0x01,
  grantedQos2: 0x02,
  noSubscriptionExisted: 0x11,
  unspecifiedError: 0x80,
  malformedPacket: 0x81,
  protocolError: 0x82,
  unsupportedProtocolVersion: 0x84,
  clientIdentifierNotValid: 0x85,
  badUserNameOrPassword: 0x86,
  notAuthorized: 0x87,
  serverUnavailable: 0x88,
  serverShuttingDown: 0x8b,
  banned: 0x8a,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  topicFilterInvalid: 0x8f,
  topicNameInvalid: 0x90,
  packetIdentifierNotFound: 0x92,
  receiveMaximumExceeded: 0x93,
  topicAliasInvalid: 0x94,
  packetTooLarge: 0x95,
  administrativeAction: 0x98,
  retainNotSupported: 0x9a,
  qosNotSupported: 0x9b,
  sharedSubscriptionsNotSupported: 0x9e
} as const;

/** MQTT 3.1.1 CONNACK return codes. */
export const ConnackReturnCode = {
  accepted: 0,
  unacceptableProtocolVersion: 1,
  identifierRejected: 2,
  serverUnavailable: 3,
  badUserNameOrPassword: 4,
  notAuthorized: 5
} as const;

/** The 3.1.1 CONNACK return code closest to a 5.0 CONNACK reason code. */
export function connackReturnCodeFor(reasonCode: number): number {
  switch (reasonCode) {
    case ReasonCode.success:
      return ConnackReturnCode.accepted;
    case ReasonCode.unsupportedProtocolVersion:
      return ConnackReturnCode.unacceptableProtocolVersion;
    case ReasonCode.clientIdentifierNotValid:
      return ConnackReturnCode.identifierRejected;
    case ReasonCode.badUserNameOrPassword:
      return ConnackReturnCode.badUserNameOrPassword;
    case ReasonCode.serverUnavailable:
    case ReasonCode.serverShuttingDown:
      return ConnackReturnCode.serverUnavailable;
    default:
      return ConnackReturnCode.notAuthorized;
  }
}
