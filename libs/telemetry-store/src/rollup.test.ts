import { describe, expect, it } from 'vitest';
import { addPointToBucket, bucketStart, emptyRollupBucket, isLaterPoint, mergeIntoAggregate, toRollupBucket } from './rollup.ts';

describe('bucketStart', () => {
  it('aligns to UTC minutes and hours, start inclusive', () => {
    const at = Date.UTC(2030, 0, 1, 10, 37, 42, 123);
    expect(bucketStart(at, '1m')).toBe(Date.UTC(2030, 0, 1, 10, 37));
    expect(bucketStart(at, '1h')).toBe(Date.UTC(2030, 0, 1, 10));
    expect(bucketStart(Date.UTC(2030, 0, 1, 10), '1h')).toBe(Date.UTC(2030, 0, 1, 10));
    expect(bucketStart(Date.UTC(2030, 0, 1, 10) - 1, '1h')).toBe(Date.UTC(2030, 0, 1, 9));
  });
});

describe('mergeIntoAggregate', () => {
  it('tracks min, max, sum and count, and last by (at, messageId) whatever the order of arrival', () => {
    let aggregate = mergeIntoAggregate(undefined, 5, 2_000, 'b');
    aggregate = mergeIntoAggregate(aggregate, -1, 1_000, 'z');
    aggregate = mergeIntoAggregate(aggregate, 9, 2_000, 'a');
    expect(aggregate).toEqual({ min: -1, max: 9, sum: 13, count: 3, last: 5, lastAt: 2_000, lastMessageId: 'b' });
    aggregate = mergeIntoAggregate(aggregate, 7, 2_000, 'c');
    expect(aggregate.last).toBe(7);
  });

  it('orders points by at, then by messageId', () => {
    expect(isLaterPoint(2, 'a', 1, 'z')).toBe(true);
    expect(isLaterPoint(1, 'b', 1, 'a')).toBe(true);
    expect(isLaterPoint(1, 'a', 1, 'a')).toBe(false);
    expect(isLaterPoint(1, 'z', 2, 'a')).toBe(false);
  });
});

describe('rollup buckets', () => {
  it('counts every point, numeric or not, and aggregates each field on its own', () => {
    const bucket = emptyRollupBucket(60_000);
    addPointToBucket(bucket, { at: 60_500, messageId: 'm1', fields: { t: 1, h: 10 } });
    addPointToBucket(bucket, { at: 61_000, messageId: 'm2', fields: {} });
    addPointToBucket(bucket, { at: 60_100, messageId: 'm3', fields: { t: 3 } });
    expect(bucket.newestAt).toBe(61_000);
    expect(toRollupBucket(bucket)).toEqual({
      start: 60_000,
      points: 3,
      fields: { t: { min: 1, max: 3, sum: 4, count: 2, avg: 2, last: 1 }, h: { min: 10, max: 10, sum: 10, count: 1, avg: 10, last: 10 } }
    });
  });
});
