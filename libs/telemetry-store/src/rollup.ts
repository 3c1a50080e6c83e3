import type { FieldAggregate, RollupBucket, RollupInterval, TelemetryPoint } from './time-series-store.ts';

export const ROLLUP_INTERVALS: readonly RollupInterval[] = ['1m', '1h'];

export const ROLLUP_INTERVAL_MS: Readonly<Record<RollupInterval, number>> = { '1m': 60_000, '1h': 3_600_000 };

/** A field's aggregate as stored: `last` needs the (at, messageId) of the point it came from to be replay- and order-proof. */
export interface StoredFieldAggregate {
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
  lastAt: number;
  lastMessageId: string;
}

/** A rollup bucket as stored. `newestAt` is the latest point's `at`: the bucket lives as long as that point. */
export interface StoredRollupBucket {
  start: number;
  points: number;
  newestAt: number;
  fields: Record<string, StoredFieldAggregate>;
}

/** Start of the UTC-aligned bucket that holds `at`. */
export function bucketStart(at: number, interval: RollupInterval): number {
  const width = ROLLUP_INTERVAL_MS[interval];
  return Math.floor(at / width) * width;
}

/** Points are ordered by `at`, then by messageId (so two points of the same millisecond still have one order). */
export function isLaterPoint(at: number, messageId: string, thanAt: number, thanMessageId: string): boolean {
  return at > thanAt || (at === thanAt && messageId > thanMessageId);
}

/**
 * Adds one value to a field's aggregate, in place (it runs for every field of every point, twice,
 * so it allocates only for a field's first value); returns the aggregate.
 */
export function mergeIntoAggregate(
  aggregate: StoredFieldAggregate | undefined,
  value: number,
  at: number,
  messageId: string
): StoredFieldAggregate {
  if (aggregate === undefined) return { min: value, max: value, sum: value, count: 1, last: value, lastAt: at, lastMessageId: messageId };
  if (value < aggregate.min) aggregate.min = value;
  if (value > aggregate.max) aggregate.max = value;
  aggregate.sum += value;
  aggregate.count++;
  if (isLaterPoint(at, messageId, aggregate.lastAt, aggregate.lastMessageId)) {
    aggregate.last = value;
    aggregate.lastAt = at;
    aggregate.lastMessageId = messageId;
  }
  return aggregate;
}

export function emptyRollupBucket(start: number): StoredRollupBucket {
  return { start, points: 0, newestAt: start, fields: {} };
}

/** Adds one point, which the caller knows is new to this bucket, to `bucket` in place. */
export function addPointToBucket(bucket: StoredRollupBucket, point: Pick<TelemetryPoint, 'at' | 'messageId' | 'fields'>): void {
  bucket.points++;
  if (point.at > bucket.newestAt) bucket.newestAt = point.at;
  for (const name in point.fields) {
    bucket.fields[name] = mergeIntoAggregate(bucket.fields[name], point.fields[name] as number, point.at, point.messageId);
  }
}

export function toFieldAggregate(stored: StoredFieldAggregate): FieldAggregate {
  return { min: stored.min, max: stored.max, sum: stored.sum, count: stored.count, avg: stored.sum / stored.count, last: stored.last };
}

export function toRollupBucket(stored: StoredRollupBucket): RollupBucket {
  const fields: Record<string, FieldAggregate> = {};
  for (const name in stored.fields) fields[name] = toFieldAggregate(stored.fields[name] as StoredFieldAggregate);
  return { start: stored.start, points: stored.points, fields };
}
