import Aerospike from 'aerospike';
import type { Client, Key } from 'aerospike';
import { aerospikeStatus, hasStatus, ttlUntil } from './aerospike-connection.ts';
import { bucketMapKey } from './aerospike-point-layout.ts';
import { addPointToBucket, bucketStart, emptyRollupBucket } from './rollup.ts';
import type { StoredRollupBucket } from './rollup.ts';
import type { RollupInterval, TelemetryPoint } from './time-series-store.ts';

// Rollups live in their own sets, one record per device per span (an hour of 1-minute buckets, a
// day of 1-hour buckets), as a KEY_ORDERED map from bucket start (bucketMapKey) to the stored bucket. A bucket
// needs min, max and the latest point's value, which no map operation computes, so the adapter
// reads the record, merges in JS with the domain's rollup math, and writes back only the buckets
// it changed under a generation check-and-set: a concurrent writer makes the loser re-read, so
// no point is lost or counted twice.

export const ROLLUP_BIN = 'b';

export const ROLLUP_SETS: Readonly<Record<RollupInterval, string>> = { '1m': 'ts_rollup_1m', '1h': 'ts_rollup_1h' };

/** How much time one rollup record covers. */
export const ROLLUP_RECORD_SPAN_MS: Readonly<Record<RollupInterval, number>> = { '1m': 3_600_000, '1h': 86_400_000 };

export function rollupRecordStart(at: number, interval: RollupInterval): number {
  const span = ROLLUP_RECORD_SPAN_MS[interval];
  return Math.floor(at / span) * span;
}

export function storedRollupBuckets(bins: Record<string, unknown> | undefined): StoredRollupBucket[] {
  const map = bins?.[ROLLUP_BIN] as Record<string, StoredRollupBucket> | undefined;
  return map ? Object.values(map) : [];
}

/**
 * Adds points that were new to the raw store to one rollup record. The record lives until its
 * newest point's retention ends; points older than that leave the TTL alone (DONT_UPDATE).
 */
export async function addPointsToRollupRecord(
  client: Client,
  key: Key,
  interval: RollupInterval,
  points: readonly TelemetryPoint[],
  retentionMs: number
): Promise<void> {
  for (;;) {
    const current = await readRollupRecord(client, key);
    const stored = new Map(storedRollupBuckets(current?.bins).map((bucket) => [bucket.start, bucket]));
    const previousNewest = Math.max(-Infinity, ...[...stored.values()].map((bucket) => bucket.newestAt));
    const changed = new Map<string, StoredRollupBucket>();
    for (const point of points) {
      const start = bucketStart(point.at, interval);
      const mapKey = bucketMapKey(start);
      const bucket = changed.get(mapKey) ?? stored.get(start) ?? emptyRollupBucket(start);
      addPointToBucket(bucket, point);
      changed.set(mapKey, bucket);
    }
    const newest = Math.max(previousNewest, ...[...changed.values()].map((bucket) => bucket.newestAt));
    const ttl = newest > previousNewest ? ttlUntil(newest + retentionMs, Date.now()) : Aerospike.ttl.DONT_UPDATE;
    const policy = new Aerospike.OperatePolicy(
      current
        ? { gen: Aerospike.policy.gen.EQ, exists: Aerospike.policy.exists.UPDATE }
        : { exists: Aerospike.policy.exists.CREATE }
    );
    const operations = [Aerospike.maps.putItems(ROLLUP_BIN, changed, { order: Aerospike.maps.order.KEY_ORDERED })];
    try {
      await client.operate(key, operations, { ttl, gen: current?.gen ?? 0 }, policy);
      return;
    } catch (error) {
      if (!hasStatus(error, aerospikeStatus.generationMismatch) && !hasStatus(error, aerospikeStatus.recordExists)) throw error;
    }
  }
}

async function readRollupRecord(client: Client, key: Key): Promise<{ bins: Record<string, unknown>; gen: number } | null> {
  try {
    const record = await client.get(key);
    return { bins: record.bins as Record<string, unknown>, gen: record.gen ?? 0 };
  } catch (error) {
    if (hasStatus(error, aerospikeStatus.recordNotFound)) return null;
    throw error;
  }
}
