import Aerospike from 'aerospike';
import type { BatchResult, Client, Key } from 'aerospike';
import {
  aerospikeStatus,
  connectAerospike,
  DEFAULT_AEROSPIKE_NAMESPACE,
  forEachConcurrently,
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
import { addPointsToRollupRecord, ROLLUP_BIN, ROLLUP_SETS, rollupRecordStart, storedRollupBuckets } from './aerospike-rollup-records.ts';
import { decodePointCursor, decodeRollupCursor, encodePointCursor, encodeRollupCursor } from './cursor.ts';
import { checkPageLimit, checkTimeRange } from './query-bounds.ts';
import { isLaterPoint, ROLLUP_INTERVAL_MS, ROLLUP_INTERVALS, toRollupBucket } from './rollup.ts';
import type { Page, PageRequest, RollupBucket, RollupInterval, TelemetryPoint, TimeRange, TimeSeriesStore } from './time-series-store.ts';

const POINTS_SET = 'ts_points';
/** One record per device: a KEY_ORDERED map of the bucket starts it has points in, so queries read only buckets that exist. */
const DEVICES_SET = 'ts_devices';

/** Devices written at once; each has a few commands in flight (points, index, rollups). */
const DEVICE_CONCURRENCY = 64;
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

/**
 * TimeSeriesStore on Aerospike. Raw points: see aerospike-point-layout.ts. A point is inserted
 * with CREATE_ONLY, and the same atomic operate reads which of the written keys were there
 * before, so rollups get exactly the points that are new, however often the stream replays.
 */
export class AerospikeTimeSeriesStore implements TimeSeriesStore {
  readonly #client: Client;
  readonly #namespace: string;

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
    await forEachConcurrently([...devices.values()], DEVICE_CONCURRENCY, (device) => this.#writeDevice(device));
  }

  async #writeDevice(device: DeviceWrite): Promise<void> {
    if (device.buckets.size === 0) return;
    const newPoints: TelemetryPoint[] = [];
    const writes = [...device.buckets].map(async ([bucket, entries]) => {
      newPoints.push(...(await this.#insertPoints(device, bucket, entries)));
    });
    await Promise.all([...writes, this.#indexBuckets(device)]);
    if (newPoints.length > 0) await this.#addToRollups(device, newPoints);
  }

  /** Inserts the bucket's points and answers those that were not stored before. */
  async #insertPoints(device: DeviceWrite, bucket: number, entries: Map<string, TelemetryPoint>): Promise<TelemetryPoint[]> {
    const mapKeys = [...entries.keys()];
    const items: Record<string, StoredPointValue> = {};
    for (const [mapKey, point] of entries) items[mapKey] = storedPointValue(point);
    const key = this.#pointsKey(device.tenantId, device.deviceId, bucket);
    const before = await this.#writeFollowingNewest(key, Math.max(...[...entries.values()].map((point) => point.at)), device.retentionMs, [
      Aerospike.exp.operations.read(
        'seen',
        Aerospike.exp.maps.getByKeyList(Aerospike.exp.binMap(POINTS_BIN), Aerospike.exp.list(mapKeys), Aerospike.maps.returnType.KEY),
        Aerospike.exp.expReadFlags.EVAL_NO_FAIL
      ),
      Aerospike.maps.putItems(POINTS_BIN, items, INSERT_NEW_POINTS)
    ]);
    const seen = new Set((before.seen as string[] | null) ?? []);
    return mapKeys.filter((mapKey) => !seen.has(mapKey)).map((mapKey) => entries.get(mapKey) as TelemetryPoint);
  }

  /** Records which buckets the device has, and forgets those whose every point is past retention. */
  async #indexBuckets(device: DeviceWrite): Promise<void> {
    const buckets = Object.fromEntries([...device.buckets.keys()].map((bucket) => [bucketMapKey(bucket), 1]));
    const newest = Math.max(...[...device.buckets.values()].flatMap((entries) => [...entries.values()].map((point) => point.at)));
    const firstLiveBucket = pointBucketStart(Date.now() - device.retentionMs);
    await this.#writeFollowingNewest(this.#deviceKey(device.tenantId, device.deviceId), newest, device.retentionMs, [
      Aerospike.maps.removeByKeyRange(POINTS_BIN, null, bucketMapKey(firstLiveBucket), Aerospike.maps.returnType.NONE),
      Aerospike.maps.putItems(POINTS_BIN, buckets, KEY_ORDERED)
    ]);
  }

  /**
   * Runs `operations` on a record that must live until `retentionMs` after its newest point. The
   * TTL goes in the operate metadata, computed from the newest point of this write, and the same
   * atomic operate keeps the record's newest `at` in NEWEST_BIN. A write of only older points
   * (a late or replayed one) would have shortened the TTL, so it is put back from the stored newest
   * `at`, unless a newer write has set it meanwhile (the filter).
   */
  async #writeFollowingNewest(
    key: Key,
    newestOfWrite: number,
    retentionMs: number,
    operations: Parameters<Client['operate']>[1]
  ): Promise<Record<string, unknown>> {
    const exp = Aerospike.exp;
    const storedNewest = exp.cond(exp.binExists(NEWEST_BIN), exp.binInt(NEWEST_BIN), exp.int(newestOfWrite));
    const record = await this.#client.operate(
      key,
      [
        exp.operations.read('newestBefore', exp.binInt(NEWEST_BIN), exp.expReadFlags.EVAL_NO_FAIL),
        ...operations,
        exp.operations.write(NEWEST_BIN, exp.max(storedNewest, exp.int(newestOfWrite)), exp.expWriteFlags.DEFAULT)
      ],
      { ttl: ttlUntil(newestOfWrite + retentionMs, Date.now()) }
    );
    const bins = record.bins as Record<string, unknown>;
    const newestBefore = bins.newestBefore as number | null;
    if (typeof newestBefore === 'number' && newestBefore > newestOfWrite) {
      const unchangedSince = new Aerospike.OperatePolicy({ filterExpression: exp.eq(exp.binInt(NEWEST_BIN), exp.int(newestBefore)) });
      try {
        await this.#client.operate(key, [Aerospike.operations.touch(ttlUntil(newestBefore + retentionMs, Date.now()))], null, unchangedSince);
      } catch (error) {
        if (!hasStatus(error, aerospikeStatus.filteredOut)) throw error;
      }
    }
    return bins;
  }

  async #addToRollups(device: DeviceWrite, newPoints: readonly TelemetryPoint[]): Promise<void> {
    const updates: Promise<void>[] = [];
    for (const interval of ROLLUP_INTERVALS) {
      const byRecord = new Map<number, TelemetryPoint[]>();
      for (const point of newPoints) {
        const start = rollupRecordStart(point.at, interval);
        const group = byRecord.get(start);
        if (group) group.push(point);
        else byRecord.set(start, [point]);
      }
      for (const [start, group] of byRecord) {
        const key = this.#rollupKey(interval, device.tenantId, device.deviceId, start);
        updates.push(addPointsToRollupRecord(this.#client, key, interval, group, device.retentionMs));
      }
    }
    await Promise.all(updates);
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

function foundBins(result: BatchResult): Record<string, unknown> | undefined {
  return result.status === Aerospike.status.OK ? (result.record.bins as Record<string, unknown>) : undefined;
}

function byTimeThenMessageId(a: TelemetryPoint, b: TelemetryPoint): number {
  return a.at - b.at || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0);
}
