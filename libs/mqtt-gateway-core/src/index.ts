export { localOnly, type ClusterLink, type ForwardedMessage } from './cluster-link.ts';
export { attachConnection } from './connection.ts';
export type { ConnectAuthentication, DeviceSightings, GatewayContext, GatewayLimits } from './gateway-context.ts';
export { MessageIds } from './message-ids.ts';
export { PacketSizeGuard } from './packet-size-guard.ts';
export { ReasonCode } from './reason-codes.ts';
export { disconnectRevoked } from './revocations.ts';
export { MqttSession } from './session.ts';
export { SessionRegistry } from './session-registry.ts';
