import type { LeanMqttConnection } from './gateway-mqtt-client.ts';

export interface Qos1LoadResult {
  readonly acknowledged: number;
  readonly seconds: number;
}

// About 100 bytes, shaped like telemetry a sensor would send.
function telemetryPayload(sequence: number): Buffer {
  return Buffer.from(
    JSON.stringify({ seq: sequence, ts: 1_796_000_000_000 + sequence, temperature: 21.5, humidity: 48.2, pressure: 1013.2, battery: 3.71, rssi: -67 })
  );
}

/**
 * Sends `messages` QoS 1 PUBLISHes to `devices/{id}/telemetry`, spread over the publishers, each
 * keeping at most `window` unacknowledged (as a device with a small outbound queue would).
 * Resolves when every PUBACK has arrived; rejects if any publisher's connection fails.
 */
export async function runQos1Load(publishers: readonly LeanMqttConnection[], messages: number, window: number): Promise<Qos1LoadResult> {
  const started = performance.now();
  let sent = 0;
  let acknowledged = 0;
  const completed = new Promise<void>((resolve) => {
    const publishNext = (connection: LeanMqttConnection, topic: string): void => {
      if (sent >= messages) return;
      const sequence = sent++;
      connection.publishQos1(topic, telemetryPayload(sequence), () => {
        if (++acknowledged === messages) resolve();
        else publishNext(connection, topic);
      });
    };
    for (const connection of publishers) {
      const topic = `devices/${connection.clientId}/telemetry`;
      for (let slot = 0; slot < window; slot++) publishNext(connection, topic);
    }
  });
  await Promise.race([completed, ...publishers.map((connection) => connection.failed)]);
  return { acknowledged, seconds: (performance.now() - started) / 1000 };
}
