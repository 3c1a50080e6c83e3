import type { QoS } from 'mqtt-packet';

/**
 * What the protocol layer reports for monitoring (the app turns it into Prometheus metrics).
 * Called on the hot path: implementations only count.
 */
export interface GatewayObserver {
  connectAccepted(): void;
  /** A CONNECT refused, with the v5 reason code it was refused with (0x86 bad credentials, 0x87 not authorized, …). */
  connectRefused(reasonCode: number): void;
  publishReceived(qos: QoS): void;
  /** A PUBACK or PUBREC sent, `latencyMs` after its PUBLISH arrived (the stream's acceptance included). */
  acknowledged(latencyMs: number): void;
}

export const unobserved: GatewayObserver = {
  connectAccepted: () => undefined,
  connectRefused: () => undefined,
  publishReceived: () => undefined,
  acknowledged: () => undefined
};
