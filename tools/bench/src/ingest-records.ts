import { randomBytes } from 'node:crypto';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisProducer, type StreamRecord } from '@plexus/stream';
import { deviceIdOf } from './gateway-devices.ts';

export interface TelemetryShape {
  readonly tenantId: string;
  readonly deviceCount: number;
  /** Each payload is padded to this many bytes (it is never cut below its numeric fields). */
  readonly payloadBytes: number;
}

/**
 * What a sensor sends: six numeric fields and two strings, padded with a note to the wanted size.
 * The values move with the index so the rollups see real minima, maxima and sums.
 */
export function telemetryPayload(index: number, payloadBytes: number): Buffer {
  const fields =
    `{"seq":${index},"temperature":${(18 + (index % 1500) / 100).toFixed(2)},"humidity":${(35 + (index % 400) / 10).toFixed(1)},` +
    `"pressure":${(1000 + (index % 300) / 10).toFixed(1)},"battery":${(3.3 + (index % 90) / 100).toFixed(2)},"rssi":${-50 - (index % 40)},` +
    `"status":"ok","fw":"1.4.2"`;
  const padding = payloadBytes - fields.length - ',"note":""}'.length;
  return Buffer.from(padding > 0 ? `${fields},"note":"${'x'.repeat(padding)}"}` : `${fields}}`);
}

/**
 * Message i comes from device i mod deviceCount, with an id shaped like the gateway's
 * (`<random prefix>.<base-36 counter>`), so a device's points spread over the whole run.
 */
export function telemetryRecords(shape: TelemetryShape): (index: number, receivedAt: number) => StreamRecord {
  const messageIdPrefix = randomBytes(6).toString('base64url');
  return (index, receivedAt) => {
    const deviceId = deviceIdOf(index % shape.deviceCount);
    return {
      tenantId: shape.tenantId,
      deviceId,
      messageId: `${messageIdPrefix}.${(index + 1).toString(36)}`,
      receivedAt,
      kind: 'telemetry',
      topic: `devices/${deviceId}/telemetry`,
      payload: telemetryPayload(index, shape.payloadBytes)
    };
  };
}

/** Points each device is sent when `points` messages go round `deviceCount` devices. */
export function expectedPointsOf(deviceIndex: number, points: number, deviceCount: number): number {
  return Math.floor(points / deviceCount) + (deviceIndex < points % deviceCount ? 1 : 0);
}

/**
 * Puts `count` telemetry records on the stream through `KinesisProducer` as the gateway does
 * (partition key per device, KPL aggregation, waiting while the producer is saturated) and
 * resolves once the stream has accepted all of them.
 */
export async function fillStream(client: KinesisClient, streamName: string, count: number, recordOf: (index: number, receivedAt: number) => StreamRecord): Promise<number> {
  const producer = new KinesisProducer({ client, streamName });
  const started = performance.now();
  try {
    let acknowledged = 0;
    let failure: unknown;
    await new Promise<void>((resolve, reject) => {
      const onAck = (): void => {
        if (++acknowledged === count) resolve();
      };
      const onError = (error: unknown): void => {
        failure ??= error;
        reject(error);
      };
      void (async () => {
        for (let index = 0; index < count && failure === undefined; index++) {
          if (producer.saturated) await producer.whenDrained();
          producer.put(recordOf(index, Date.now())).then(onAck, onError);
        }
      })();
    });
  } finally {
    await producer.close();
  }
  return (performance.now() - started) / 1000;
}
