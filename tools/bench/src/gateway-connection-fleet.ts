import { connectDevice, type DeviceCredentials, type LeanMqttConnection } from './gateway-mqtt-client.ts';

export interface FleetOptions {
  readonly port: number;
  readonly keepaliveSeconds: number;
  /** Connects in flight at once: a storm of SYNs and CONNECTs would measure the accept queue. */
  readonly concurrency: number;
  readonly connectTimeoutMs: number;
}

/** Opens one connection per device, at most `concurrency` CONNECTs awaiting CONNACK at a time. */
export async function openConnections(devices: readonly DeviceCredentials[], options: FleetOptions): Promise<LeanMqttConnection[]> {
  const connections: LeanMqttConnection[] = new Array(devices.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < devices.length) {
      const index = next++;
      connections[index] = await connectDevice(options.port, devices[index] as DeviceCredentials, options.keepaliveSeconds, options.connectTimeoutMs);
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
