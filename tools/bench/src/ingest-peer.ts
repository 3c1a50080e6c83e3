import type { StreamRecord } from '@plexus/stream';
import { telemetryPointOf } from '@plexus/telemetry-ingest';
import { openEmbeddedStores, type TelemetryPoint } from '@plexus/telemetry-store';

export interface BareStoreFigures {
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/** Points are made this many at a time, outside the measured spans, so memory stays bounded. */
const POINTS_PER_CHUNK = 50_000;


/**
 * The peer: the same points written straight to a fresh embedded store in this process, one
 * `writePoints` of `batchSize` after the other, with the data plane's retention. Only the writes
 * are measured (wall and this process's CPU, every thread: lmdb-js commits on its own), so the
 * figure is the store's alone, without stream, decoding, lookups or field parsing. As in the data
 * plane, the rollup write-backs that fall due during the writes are counted and the last one, at
 * close, is not.
 */
export async function writeToBareStore(
  directory: string,
  count: number,
  batchSize: number,
  retentionSeconds: number,
  recordOf: (index: number, receivedAt: number) => StreamRecord
): Promise<BareStoreFigures> {
  const stores = openEmbeddedStores(directory);
  const retention = () => retentionSeconds;
  let seconds = 0;
  let cpuMicros = 0;
  try {
    for (let first = 0; first < count; first += POINTS_PER_CHUNK) {
      const batches: TelemetryPoint[][] = [];
      for (let start = first; start < Math.min(first + POINTS_PER_CHUNK, count); start += batchSize) {
        const end = Math.min(start + batchSize, count);
        batches.push(Array.from({ length: end - start }, (_unused, offset) => telemetryPointOf(recordOf(start + offset, Date.now()))));
      }
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      for (const batch of batches) await stores.timeSeries.writePoints(batch, retention);
      seconds += (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      cpuMicros += cpu.user + cpu.system;
    }
  } finally {
    await stores.close();
  }
  return { seconds, cpuSeconds: cpuMicros / 1e6 };
}
