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
// it changed under a check-and-set on a change counter (a filter expression, which batched
// writes take where they cannot take a generation): a concurrent writer makes the loser re-read,
// so no point is lost or counted twice.

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

/** Counts the record's writes: batched writes check it in a filter, where a single write could check the generation. */
export const ROLLUP_CHANGES_BIN = 'g';

export interface RollupRecordState {
  /** Null when the record does not exist yet. */
  readonly changes: number | null;
  readonly buckets: readonly StoredRollupBucket[];
}

export interface RollupRecordWrite {
  readonly operations: Parameters<Client['operate']>[1];
  readonly ttl: number;
}

export function rollupRecordState(bins: Record<string, unknown> | undefined): RollupRecordState {
  if (!bins) return { changes: null, buckets: [] };
  return { changes: (bins[ROLLUP_CHANGES_BIN] as number | undefined) ?? 0, buckets: storedRollupBuckets(bins) };
}

/**
 * The write that adds `points` (new to the raw store) to a rollup record in `state`: only the
 * buckets they change, and a TTL that keeps the record until its newest point's retention ends;
 * points older than that leave the TTL alone (DONT_UPDATE).
 */
export function planRollupWrite(state: RollupRecordState, interval: RollupInterval, points: readonly TelemetryPoint[], retentionMs: number): RollupRecordWrite {
  const stored = new Map(state.buckets.map((bucket) => [bucket.start, bucket]));
  const previousNewest = Math.max(-Infinity, ...state.buckets.map((bucket) => bucket.newestAt));
  const changed = new Map<string, StoredRollupBucket>();
  for (const point of points) {
    const start = bucketStart(point.at, interval);
    const mapKey = bucketMapKey(start);
    const bucket = changed.get(mapKey) ?? stored.get(start) ?? emptyRollupBucket(start);
    addPointToBucket(bucket, point);
    changed.set(mapKey, bucket);
  }
  const newest = Math.max(previousNewest, ...[...changed.values()].map((bucket) => bucket.newestAt));
  return {
    operations: [
      Aerospike.maps.putItems(ROLLUP_BIN, changed, { order: Aerospike.maps.order.KEY_ORDERED }),
      Aerospike.operations.incr(ROLLUP_CHANGES_BIN, 1)
    ],
    ttl: newest > previousNewest ? ttlUntil(newest + retentionMs, Date.now()) : Aerospike.ttl.DONT_UPDATE
  };
}

/** The policy that makes a write of `state`'s plan fail if the record changed since `state` was read. */
export function unchangedSince(state: RollupRecordState): { exists: number; filterExpression?: ReturnType<typeof Aerospike.exp.eq> } {
  if (state.changes === null) return { exists: Aerospike.policy.exists.CREATE };
  const exp = Aerospike.exp;
  return { exists: Aerospike.policy.exists.UPDATE, filterExpression: exp.eq(exp.binInt(ROLLUP_CHANGES_BIN), exp.int(state.changes)) };
}

/** A write that lost a race to another writer of the record: re-read and merge again. */
export function lostRace(status: number): boolean {
  return status === aerospikeStatus.filteredOut || status === aerospikeStatus.recordExists;
}

/** Adds points to one rollup record on its own, re-reading until its write wins. */
export async function addPointsToRollupRecord(
  client: Client,
  key: Key,
  interval: RollupInterval,
  points: readonly TelemetryPoint[],
  retentionMs: number
): Promise<void> {
  for (;;) {
    const state = rollupRecordState(await readRollupRecord(client, key));
    const write = planRollupWrite(state, interval, points, retentionMs);
    try {
      await client.operate(key, write.operations, { ttl: write.ttl }, new Aerospike.OperatePolicy(unchangedSince(state)));
      return;
    } catch (error) {
      if (!lostRace((error as { code?: number }).code ?? 0)) throw error;
    }
  }
}

async function readRollupRecord(client: Client, key: Key): Promise<Record<string, unknown> | undefined> {
  try {
    return (await client.get(key)).bins as Record<string, unknown>;
  } catch (error) {
    if (hasStatus(error, aerospikeStatus.recordNotFound)) return undefined;
    throw error;
  }
}
