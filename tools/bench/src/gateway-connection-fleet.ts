import { connectDevice, type DeviceCredentials, type LeanMqttConnection } from './gateway-mqtt-client.ts';

export interface FleetOptions {
  /** Server ports; device i connects to ports[i mod length], so several server processes share the fleet. */
  readonly ports: readonly number[];
  /** Loopback source addresses, used in turn: each has its own ephemeral ports towards a server port. */
  readonly localAddresses: readonly string[];
  readonly keepaliveSeconds: number;
  /** Connects in flight at once: a storm of SYNs and CONNECTs would measure the accept queue. */
  readonly concurrency: number;
  readonly connectTimeoutMs: number;
}

/**
 * Opens one connection per device, at most `concurrency` CONNECTs awaiting CONNACK at a time.
 * `firstIndex` is the first device's index in the whole fleet, which picks its server port.
 */
export async function openConnections(
  devices: readonly DeviceCredentials[],
  firstIndex: number,
  options: FleetOptions,
  onOpen: (connection: LeanMqttConnection) => void = () => undefined
): Promise<LeanMqttConnection[]> {
  const connections: LeanMqttConnection[] = new Array(devices.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < devices.length) {
      const index = next++;
      const target = {
        port: options.ports[(firstIndex + index) % options.ports.length] as number,
        localAddress: options.localAddresses[index % options.localAddresses.length] as string,
        keepaliveSeconds: options.keepaliveSeconds,
        timeoutMs: options.connectTimeoutMs
      };
      const connection = await connectDevice(target, devices[index] as DeviceCredentials);
      connections[index] = connection;
      onOpen(connection);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, devices.length) }, worker));
  } catch (error) {
    for (const connection of connections) connection?.close();
    throw error;
  }
  return connections;
}

export function closeConnections(connections: readonly LeanMqttConnection[]): void {
  for (const connection of connections) connection.close();
}
