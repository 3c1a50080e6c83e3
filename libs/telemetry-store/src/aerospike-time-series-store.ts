import Aerospike from 'aerospike';
import type { BatchResult, Client, Key } from 'aerospike';
import {
  aerospikeStatus,
  connectAerospike,
  DEFAULT_AEROSPIKE_NAMESPACE,
  hasStatus,
  recordKey,
  ttlUntil
} from './aerospike-connection.ts';
import type { AerospikeStoreOptions } from './aerospike-connection.ts';
import {
  bucketMapKey,
  mapEntries,
  NEWEST_BIN,
  POINT_BUCKET_MS,
  pointBucketStart,
  pointFromEntry,
  pointMapKey,
  pointMapKeyFloor,
  POINTS_BIN,
  storedPointValue
} from './aerospike-point-layout.ts';
import type { StoredPointValue } from './aerospike-point-layout.ts';
import {
  addPointsToRollupRecord,
  lostRace,
  planRollupWrite,
  ROLLUP_BIN,
  ROLLUP_CHANGES_BIN,
  ROLLUP_SETS,
  rollupRecordStart,
  rollupRecordState,
  storedRollupBuckets,
  unchangedSince
} from './aerospike-rollup-records.ts';
import type { RollupRecordState, RollupRecordWrite } from './aerospike-rollup-records.ts';
import { decodePointCursor, decodeRollupCursor, encodePointCursor, encodeRollupCursor } from './cursor.ts';
import { checkPageLimit, checkTimeRange } from './query-bounds.ts';
import { isLaterPoint, ROLLUP_INTERVAL_MS, ROLLUP_INTERVALS, toRollupBucket } from './rollup.ts';
import type { Page, PageRequest, RollupBucket, RollupInterval, TelemetryPoint, TimeRange, TimeSeriesStore } from './time-series-store.ts';

const POINTS_SET = 'ts_points';
/** One record per device: a KEY_ORDERED map of the bucket starts it has points in, so queries read only buckets that exist. */
const DEVICES_SET = 'ts_devices';

/** Records per batched write: a stream batch of 500 points is one round trip per step. */
const BATCH_WRITE_SIZE = 1_000;
/** Buckets this process remembers having indexed (about 100 bytes each); forgotten all at once past this. */
const INDEXED_BUCKETS_REMEMBERED = 500_000;
/** Records per batch read: large enough to amortise the round trip, small enough to keep one answer in memory. */
const BATCH_READ_SIZE = 5_000;
/** Buckets per batch read while paging, where a page usually ends within a few. */
const QUERY_BATCH_BUCKETS = 36;
/** Newest buckets looked at by latest(); only more expired ones than this in a row would miss a live point. */
const LATEST_LOOKBACK_BUCKETS = 16;

const KEY_ORDERED = { order: Aerospike.maps.order.KEY_ORDERED };
/** A point already in the map is left as it is, and the rest of the write goes on: a replay changes nothing. */
const INSERT_NEW_POINTS = {
  order: Aerospike.maps.order.KEY_ORDERED,
  writeFlags: Aerospike.maps.writeFlags.CREATE_ONLY | Aerospike.maps.writeFlags.NO_FAIL | Aerospike.maps.writeFlags.PARTIAL
};

interface DeviceWrite {
  tenantId: string;
  deviceId: string;
  retentionMs: number;
  buckets: Map<number, Map<string, TelemetryPoint>>;
}

interface BucketWrite {
  device: DeviceWrite;
  bucket: number;
  entries: Map<string, TelemetryPoint>;
}

interface FollowingNewestWrite {
  key: Key;
  newestOfWrite: number;
  retentionMs: number;
  operations: Parameters<Client['operate']>[1];
}

interface RollupUpdate {
  key: Key;
  interval: RollupInterval;
  points: TelemetryPoint[];
  retentionMs: number;
}

function indexedBucketKey(device: DeviceWrite, bucket: number): string {
  return JSON.stringify([device.tenantId, device.deviceId, bucket]);
}

/**
 * TimeSeriesStore on Aerospike. Raw points: see aerospike-point-layout.ts. A point is inserted
 * with CREATE_ONLY, and the same atomic operate reads which of the written keys were there
 * before, so rollups get exactly the points that are new, however often the stream replays.
 */
export class AerospikeTimeSeriesStore implements TimeSeriesStore {
  readonly #client: Client;
  readonly #namespace: string;
  readonly #indexedBuckets = new Set<string>();

  private constructor(client: Client, namespace: string) {
    this.#client = client;
    this.#namespace = namespace;
  }

  static async connect(options: AerospikeStoreOptions): Promise<AerospikeTimeSeriesStore> {
    return new AerospikeTimeSeriesStore(await connectAerospike(options), options.namespace ?? DEFAULT_AEROSPIKE_NAMESPACE);
  }

  async writePoints(points: readonly TelemetryPoint[], retentionSeconds: (tenantId: string) => number): Promise<void> {
    const now = Date.now();
    const devices = new Map<string, DeviceWrite>();
    for (const point of points) {
      const deviceKey = JSON.stringify([point.tenantId, point.deviceId]);
      let device = devices.get(deviceKey);
      if (!device) {
        device = { tenantId: point.tenantId, deviceId: point.deviceId, retentionMs: retentionSeconds(point.tenantId) * 1000, buckets: new Map() };
        devices.set(deviceKey, device);
      }
      // Past its retention the point would be expired already; storing it would only resurrect it.
      if (point.at + device.retentionMs <= now) continue;
      const bucket = pointBucketStart(point.at);
      let entries = device.buckets.get(bucket);
      if (!entries) device.buckets.set(bucket, (entries = new Map()));
      const mapKey = pointMapKey(point.at, point.messageId);
      if (!entries.has(mapKey)) entries.set(mapKey, point);
    }
    const groups = [...devices.values()].flatMap((device) => [...device.buckets].map(([bucket, entries]) => ({ device, bucket, entries })));
    if (groups.length === 0) return;
    const [newPoints] = await Promise.all([this.#insertPoints(groups), this.#indexBuckets(groups)]);
    await this.#addToRollups(newPoints);
  }

  /** Inserts every bucket's points in batched writes, and answers per device the points that were not stored before. */
  async #insertPoints(groups: readonly BucketWrite[]): Promise<Map<DeviceWrite, TelemetryPoint[]>> {
    const results = await this.#writeFollowingNewest(
      groups.map(({ device, bucket, entries }) => {
        const items: Record<string, StoredPointValue> = {};
        for (const [mapKey, point] of entries) items[mapKey] = storedPointValue(point);
        return {
          key: this.#pointsKey(device.tenantId, device.deviceId, bucket),
          newestOfWrite: Math.max(...[...entries.values()].map((point) => point.at)),
          retentionMs: device.retentionMs,
          operations: [
            Aerospike.exp.operations.read(
              'seen',
              Aerospike.exp.maps.getByKeyList(Aerospike.exp.binMap(POINTS_BIN), Aerospike.exp.list([...entries.keys()]), Aerospike.maps.returnType.KEY),
              Aerospike.exp.expReadFlags.EVAL_NO_FAIL
            ),
            Aerospike.maps.putItems(POINTS_BIN, items, INSERT_NEW_POINTS)
          ]
        };
      })
    );
    const newPoints = new Map<DeviceWrite, TelemetryPoint[]>();
    groups.forEach(({ device, entries }, index) => {
      const seen = new Set(((results[index] as Record<string, unknown>).seen as string[] | null) ?? []);
      const added = [...entries].filter(([mapKey]) => !seen.has(mapKey)).map(([, point]) => point);
      if (added.length > 0) newPoints.set(device, [...(newPoints.get(device) ?? []), ...added]);
    });
    return newPoints;
  }

  /**
   * Records which buckets each device has, and forgets those whose every point is past retention.
   * The index lives as long as its newest bucket can, so a bucket this process has indexed once
   * needs no second write: most batches skip the index altogether.
   */
  async #indexBuckets(groups: readonly BucketWrite[]): Promise<void> {
    const unindexed = new Map<DeviceWrite, number[]>();
    for (const { device, bucket } of groups) {
      if (this.#indexedBuckets.has(indexedBucketKey(device, bucket))) continue;
      unindexed.set(device, [...(unindexed.get(device) ?? []), bucket]);
    }
    if (unindexed.size === 0) return;
    const devices = [...unindexed];
    await this.#writeFollowingNewest(
      devices.map(([device, buckets]) => ({
        key: this.#deviceKey(device.tenantId, device.deviceId),
        newestOfWrite: Math.max(...buckets) + POINT_BUCKET_MS - 1,
        retentionMs: device.retentionMs,
        operations: [
          Aerospike.maps.removeByKeyRange(POINTS_BIN, null, bucketMapKey(pointBucketStart(Date.now() - device.retentionMs)), Aerospike.maps.returnType.NONE),
          Aerospike.maps.putItems(POINTS_BIN, Object.fromEntries(buckets.map((bucket) => [bucketMapKey(bucket), 1])), KEY_ORDERED)
        ]
      }))
    );
    if (this.#indexedBuckets.size > INDEXED_BUCKETS_REMEMBERED) this.#indexedBuckets.clear();
    for (const [device, buckets] of devices) for (const bucket of buckets) this.#indexedBuckets.add(indexedBucketKey(device, bucket));
  }

  /**
   * Runs each write's operations in batched writes, on records that must live until `retentionMs`
   * after their newest point. The TTL goes in each record's write policy, computed from the newest
   * point of this write, and the same atomic operations keep the record's newest `at` in
   * NEWEST_BIN and answer it. When that is newer than this write's (a late or replayed write, which
   * just shortened the TTL), the TTL is put back from it, unless a newer write has moved it
   * meanwhile (the filter). Answers each record's bins, in order.
   */
  async #writeFollowingNewest(writes: readonly FollowingNewestWrite[]): Promise<Record<string, unknown>[]> {
    const maps = Aerospike.maps;
    const bins: Record<string, unknown>[] = [];
    for (let index = 0; index < writes.length; index += BATCH_WRITE_SIZE) {
      const chunk = writes.slice(index, index + BATCH_WRITE_SIZE);
      const results = await this.#client.batchWrite(
        chunk.map(({ key, newestOfWrite, retentionMs, operations }) => ({
          type: Aerospike.batchType.BATCH_WRITE,
          key,
          ops: [
            ...operations,
            maps.put(NEWEST_BIN, bucketMapKey(newestOfWrite), 1, KEY_ORDERED),
            maps.removeByIndexRange(NEWEST_BIN, -1, 1, maps.returnType.INVERTED),
            maps.getByIndex(NEWEST_BIN, -1, maps.returnType.KEY)
          ],
          policy: { ttl: ttlUntil(newestOfWrite + retentionMs, Date.now()) }
        }))
      );
      for (const result of results) bins.push(writtenBins(result));
    }
    await Promise.all(
      writes.map(async ({ key, newestOfWrite, retentionMs }, index) => {
        const newest = Number((bins[index] as Record<string, unknown>)[NEWEST_BIN]);
        if (!(newest > newestOfWrite)) return;
        const exp = Aerospike.exp;
        const storedNewest = exp.maps.getByIndex(exp.binMap(NEWEST_BIN), exp.int(-1), exp.type.STR, maps.returnType.KEY);
        const unchanged = new Aerospike.OperatePolicy({ filterExpression: exp.eq(storedNewest, exp.str(bucketMapKey(newest))) });
        try {
          await this.#client.operate(key, [Aerospike.operations.touch(ttlUntil(newest + retentionMs, Date.now()))], null, unchanged);
        } catch (error) {
          if (!hasStatus(error, aerospikeStatus.filteredOut)) throw error;
        }
      })
    );
    return bins;
  }

  /** One batch read of the rollup records the new points fall in, one batched write of what changed; a record another writer changed meanwhile is redone on its own. */
  async #addToRollups(newPoints: Map<DeviceWrite, TelemetryPoint[]>): Promise<void> {
    const updates: RollupUpdate[] = [];
    for (const [device, points] of newPoints) {
      for (const interval of ROLLUP_INTERVALS) {
        const byRecord = new Map<number, TelemetryPoint[]>();
        for (const point of points) {
          const start = rollupRecordStart(point.at, interval);
          const group = byRecord.get(start);
          if (group) group.push(point);
          else byRecord.set(start, [point]);
        }
        for (const [start, group] of byRecord) {
          updates.push({ key: this.#rollupKey(interval, device.tenantId, device.deviceId, start), interval, points: group, retentionMs: device.retentionMs });
        }
      }
    }
    const retries: Promise<void>[] = [];
    for (let index = 0; index < updates.length; index += BATCH_WRITE_SIZE) {
      const chunk = updates.slice(index, index + BATCH_WRITE_SIZE);
      const read = await this.#client.batchRead(chunk.map(({ key }) => ({ key, bins: [ROLLUP_BIN, ROLLUP_CHANGES_BIN] })));
      const states = read.map((result) => rollupRecordState(foundBins(result)));
      const plans = chunk.map((update, position) => planRollupWrite(states[position] as RollupRecordState, update.interval, update.points, update.retentionMs));
      const written = await this.#client.batchWrite(
        chunk.map(({ key }, position) => ({
          type: Aerospike.batchType.BATCH_WRITE,
          key,
          ops: (plans[position] as RollupRecordWrite).operations,
          policy: { ttl: (plans[position] as RollupRecordWrite).ttl, ...unchangedSince(states[position] as RollupRecordState) }
        }))
      );
      written.forEach((result, position) => {
        if (result.status === Aerospike.status.OK) return;
        if (!lostRace(result.status as number)) writtenBins(result);
        const { key, interval, points, retentionMs } = chunk[position] as RollupUpdate;
        retries.push(addPointsToRollupRecord(this.#client, key, interval, points, retentionMs));
      });
    }
    await Promise.all(retries);
  }

  async queryPoints(tenantId: string, deviceId: string, range: TimeRange, page: PageRequest): Promise<Page<TelemetryPoint>> {
    checkTimeRange(range);
    checkPageLimit(page.limit);
    const after = page.cursor === undefined ? null : decodePointCursor(page.cursor);
    const from = after ? Math.max(range.from, after.at) : range.from;
    if (from >= range.to) return { items: [], cursor: null };
    const buckets = (await this.#bucketsOf(tenantId, [deviceId], from, range.to))[0] as number[];
    const items: TelemetryPoint[] = [];
    for (let index = 0; index < buckets.length && items.length <= page.limit; index += QUERY_BATCH_BUCKETS) {
      const chunk = buckets.slice(index, index + QUERY_BATCH_BUCKETS);
      const results = await this.#client.batchRead(
        chunk.map((bucket) => ({
          key: this.#pointsKey(tenantId, deviceId, bucket),
          ops: [pointRangeRead(bucket, from, range.to, Aerospike.maps.returnType.KEY_VALUE)]
        }))
      );
      results.forEach((result, position) => {
        const bucket = chunk[position] as number;
        const points = mapEntries<StoredPointValue>(foundBins(result)?.[POINTS_BIN])
          .map(([mapKey, value]) => pointFromEntry(tenantId, deviceId, bucket, mapKey, value))
          .filter((point) => point.at >= from && point.at < range.to && (!after || isLaterPoint(point.at, point.messageId, after.at, after.messageId)))
          .sort(byTimeThenMessageId);
        items.push(...points);
      });
    }
    if (items.length <= page.limit) return { items, cursor: null };
    const pageItems = items.slice(0, page.limit);
    const last = pageItems[pageItems.length - 1] as TelemetryPoint;
    return { items: pageItems, cursor: encodePointCursor({ at: last.at, messageId: last.messageId }) };
  }

  async latest(tenantId: string, deviceId: string): Promise<TelemetryPoint | null> {
    let index: Record<string, unknown>;
    try {
      const record = await this.#client.operate(this.#deviceKey(tenantId, deviceId), [
        Aerospike.maps.getByIndexRange(POINTS_BIN, -LATEST_LOOKBACK_BUCKETS, LATEST_LOOKBACK_BUCKETS, Aerospike.maps.returnType.KEY)
      ]);
      index = record.bins as Record<string, unknown>;
    } catch (error) {
      if (hasStatus(error, aerospikeStatus.recordNotFound)) return null;
      throw error;
    }
    const newestFirst = ((index[POINTS_BIN] as unknown[] | null) ?? []).map(Number).sort((a, b) => b - a);
    const results = await this.#client.batchRead(
      newestFirst.map((bucket) => ({
        key: this.#pointsKey(tenantId, deviceId, bucket),
        ops: [Aerospike.maps.getByIndex(POINTS_BIN, -1, Aerospike.maps.returnType.KEY_VALUE)]
      }))
    );
    for (const [position, result] of results.entries()) {
      const entry = mapEntries<StoredPointValue>(foundBins(result)?.[POINTS_BIN])[0];
      if (entry) return pointFromEntry(tenantId, deviceId, newestFirst[position] as number, entry[0], entry[1]);
    }
    return null;
  }

  async countPoints(tenantId: string, deviceIds: readonly string[], range: TimeRange): Promise<number[]> {
    checkTimeRange(range);
    const counts = deviceIds.map(() => 0);
    if (range.from >= range.to || deviceIds.length === 0) return counts;
    const bucketsByDevice = await this.#bucketsOf(tenantId, deviceIds, range.from, range.to);
    const reads = bucketsByDevice.flatMap((buckets, device) => buckets.map((bucket) => ({ device, bucket })));
    for (let index = 0; index < reads.length; index += BATCH_READ_SIZE) {
      const chunk = reads.slice(index, index + BATCH_READ_SIZE);
      const results = await this.#client.batchRead(
        chunk.map(({ device, bucket }) => ({
          key: this.#pointsKey(tenantId, deviceIds[device] as string, bucket),
          ops: [pointRangeRead(bucket, range.from, range.to, Aerospike.maps.returnType.COUNT)]
        }))
      );
      results.forEach((result, position) => {
        const { device } = chunk[position] as { device: number };
        counts[device] = (counts[device] as number) + ((foundBins(result)?.[POINTS_BIN] as number | undefined) ?? 0);
      });
    }
    return counts;
  }

  async queryRollups(
    tenantId: string,
    deviceId: string,
    interval: RollupInterval,
    range: TimeRange,
    page: PageRequest
  ): Promise<Page<RollupBucket>> {
    checkTimeRange(range);
    checkPageLimit(page.limit);
    const after = page.cursor === undefined ? null : decodeRollupCursor(page.cursor);
    const from = after === null ? range.from : Math.max(range.from, after + 1);
    if (from >= range.to) return { items: [], cursor: null };
    // A rollup record exists only where raw points were stored; a bucket starting before `to` holds points up to one interval later.
    const pointBuckets = (await this.#bucketsOf(tenantId, [deviceId], from, range.to + ROLLUP_INTERVAL_MS[interval]))[0] as number[];
    const recordStarts = [...new Set(pointBuckets.map((bucket) => rollupRecordStart(bucket, interval)))].sort((a, b) => a - b);
    const items: RollupBucket[] = [];
    for (let index = 0; index < recordStarts.length && items.length <= page.limit; index += QUERY_BATCH_BUCKETS) {
      const chunk = recordStarts.slice(index, index + QUERY_BATCH_BUCKETS);
      const results = await this.#client.batchRead(
        chunk.map((start) => ({ key: this.#rollupKey(interval, tenantId, deviceId, start), bins: [ROLLUP_BIN] }))
      );
      for (const result of results) {
        const buckets = storedRollupBuckets(foundBins(result))
          .filter((bucket) => bucket.start >= from && bucket.start < range.to)
          .sort((a, b) => a.start - b.start);
        items.push(...buckets.map(toRollupBucket));
      }
    }
    if (items.length <= page.limit) return { items, cursor: null };
    const pageItems = items.slice(0, page.limit);
    return { items: pageItems, cursor: encodeRollupCursor((pageItems[pageItems.length - 1] as RollupBucket).start) };
  }

  async close(): Promise<void> {
    this.#client.close();
  }

  /** Per device, in order, the starts of its point buckets that overlap [from, to). */
  async #bucketsOf(tenantId: string, deviceIds: readonly string[], from: number, to: number): Promise<number[][]> {
    const buckets: number[][] = [];
    for (let index = 0; index < deviceIds.length; index += BATCH_READ_SIZE) {
      const chunk = deviceIds.slice(index, index + BATCH_READ_SIZE);
      const results = await this.#client.batchRead(
        chunk.map((deviceId) => ({
          key: this.#deviceKey(tenantId, deviceId),
          ops: [
            Aerospike.maps.getByKeyRange(
              POINTS_BIN,
              bucketMapKey(pointBucketStart(from)),
              bucketMapKey(pointBucketStart(to - 1) + POINT_BUCKET_MS),
              Aerospike.maps.returnType.KEY
            )
          ]
        }))
      );
      for (const result of results) buckets.push(((foundBins(result)?.[POINTS_BIN] as unknown[] | undefined) ?? []).map(Number));
    }
    return buckets;
  }

  #pointsKey(tenantId: string, deviceId: string, bucket: number): Key {
    return recordKey(this.#namespace, POINTS_SET, [tenantId, deviceId, bucket]);
  }

  #deviceKey(tenantId: string, deviceId: string): Key {
    return recordKey(this.#namespace, DEVICES_SET, [tenantId, deviceId]);
  }

  #rollupKey(interval: RollupInterval, tenantId: string, deviceId: string, start: number): Key {
    return recordKey(this.#namespace, ROLLUP_SETS[interval], [tenantId, deviceId, start]);
  }
}

/** The bucket's points with `from` ≤ at < `to`, as a map range read (end exclusive, null = to the end). */
function pointRangeRead(bucket: number, from: number, to: number, returnType: number) {
  const begin = pointMapKeyFloor(bucket, Math.max(from, bucket));
  const end = to < bucket + POINT_BUCKET_MS ? pointMapKeyFloor(bucket, to) : null;
  return Aerospike.maps.getByKeyRange(POINTS_BIN, begin, end, returnType);
}

/** The bins a batched write answered; any failure but a lost race is the caller's to see. */
function writtenBins(result: BatchResult): Record<string, unknown> {
  if (result.status !== Aerospike.status.OK) {
    throw new Aerospike.AerospikeError(`batched write of ${String(result.record.key.key)} failed with status ${String(result.status)}`);
  }
  return (result.record.bins as Record<string, unknown> | undefined) ?? {};
}

function foundBins(result: BatchResult): Record<string, unknown> | undefined {
  return result.status === Aerospike.status.OK ? (result.record.bins as Record<string, unknown>) : undefined;
}

function byTimeThenMessageId(a: TelemetryPoint, b: TelemetryPoint): number {
  return a.at - b.at || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0);
}
