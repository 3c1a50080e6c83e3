import { makePoint } from '../contract/time-series-store-contract.ts';
import { LmdbTimeSeriesStore } from './lmdb-time-series-store.ts';

// Run as a child process by the durability test: writes batch after batch into the store in
// argv[2] and prints `written <batch>` once each writePoints has resolved, until it is killed.

export const WRITER_BASE_TIME = Date.UTC(2030, 0, 1);
export const WRITER_BATCH_SIZE = 100;
export const WRITER_DEVICES = 7;

export function writerBatch(batch: number): ReturnType<typeof makePoint>[] {
  return Array.from({ length: WRITER_BATCH_SIZE }, (_unused, index) =>
    makePoint('tenant-kill', `dev-${batch % WRITER_DEVICES}`, WRITER_BASE_TIME + batch * 1_000 + index, `b${batch}-${index}`, { v: index, batch })
  );
}

if (process.argv[1]?.endsWith('lmdb-writer-process.test-support.ts')) {
  const store = new LmdbTimeSeriesStore({ directory: process.argv[2] as string });
  for (let batch = 0; ; batch++) {
    await store.writePoints(writerBatch(batch), () => 3_650 * 86_400);
    process.stdout.write(`written ${batch}\n`);
  }
}
