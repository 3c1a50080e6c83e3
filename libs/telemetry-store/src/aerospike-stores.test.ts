import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AerospikeShadowStore } from './aerospike-shadow-store.ts';
import { AerospikeTimeSeriesStore } from './aerospike-time-series-store.ts';
import { makePoint, shadowStoreContract, timeSeriesStoreContract } from './test-support.ts';

// The contract suites against a real Aerospike server, when AEROSPIKE_HOSTS names one (see
// AEROSPIKE.md for building and running one locally). CI has none, so there they are skipped.
const hosts = process.env.AEROSPIKE_HOSTS;
const namespace = process.env.AEROSPIKE_NAMESPACE;

if (!hosts) console.info('aerospike-stores.test.ts: AEROSPIKE_HOSTS is unset, so the Aerospike contract suites are skipped');

describe.skipIf(!hosts)(`Aerospike adapters at ${hosts ?? '(AEROSPIKE_HOSTS unset)'}`, () => {
  const options = { hosts: hosts ?? '', ...(namespace ? { namespace } : {}) };
  timeSeriesStoreContract('aerospike', () => AerospikeTimeSeriesStore.connect(options));
  shadowStoreContract('aerospike', () => AerospikeShadowStore.connect(options));

  describe('rollup records written by several processes at once', () => {
    let writers: AerospikeTimeSeriesStore[] = [];
    beforeAll(async () => {
      writers = await Promise.all([1, 2, 3, 4].map(() => AerospikeTimeSeriesStore.connect(options)));
    });
    afterAll(async () => {
      await Promise.all(writers.map((writer) => writer.close()));
    });

    it('loses no point when concurrent batches of one device race for its rollup records', async () => {
      const tenant = `race-${Date.now()}`;
      const start = Date.now() - 60_000;
      const batches = writers.flatMap((writer, writerIndex) =>
        Array.from({ length: 10 }, (_unused, batch) =>
          writer.writePoints(
            Array.from({ length: 20 }, (_unused2, index) => makePoint(tenant, 'd1', start + index * 100, `w${writerIndex}-b${batch}-${index}`, { v: 1 })),
            () => 3_600
          )
        )
      );
      await Promise.all(batches);
      const range = { from: start - 3_600_000, to: start + 3_600_000 };
      const hours = await (writers[0] as AerospikeTimeSeriesStore).queryRollups(tenant, 'd1', '1h', range, { limit: 10 });
      const minutes = await (writers[0] as AerospikeTimeSeriesStore).queryRollups(tenant, 'd1', '1m', range, { limit: 10 });
      expect(await (writers[0] as AerospikeTimeSeriesStore).countPoints(tenant, ['d1'], range)).toEqual([800]);
      expect(hours.items.reduce((total, bucket) => total + bucket.points, 0)).toBe(800);
      expect(minutes.items.reduce((total, bucket) => total + (bucket.fields.v?.sum ?? 0), 0)).toBe(800);
    });
  });
});
