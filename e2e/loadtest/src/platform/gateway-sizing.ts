// How many MQTT gateway worker processes a fleet needs: each holds at most ~19k connections, under
// the 20k open-file limit of a process on this machine (ARCHITECTURE.md, scale-out).

export const CONNECTIONS_PER_GATEWAY_WORKER = 19_000;
/** The platform runner's bound on MQTT_WORKERS. */
export const MAX_GATEWAY_WORKERS = 256;

export function gatewayWorkersFor(devices: number): number {
  return Math.min(MAX_GATEWAY_WORKERS, Math.max(1, Math.ceil(devices / CONNECTIONS_PER_GATEWAY_WORKER)));
}
