import { join } from 'node:path';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import { decodePointCursor, decodeRollupCursor, encodePointCursor, encodeRollupCursor } from '../cursor.ts';
import { checkPageLimit, checkTimeRange } from '../query-bounds.ts';
import {
  addPointToBucket,
  bucketStart,
  emptyRollupBucket,
  ROLLUP_INTERVAL_MS,
  ROLLUP_INTERVALS,
  toRollupBucket,
  type StoredRollupBucket
} from '../rollup.ts';
import type { Page, PageRequest, RollupBucket, RollupInterval, TelemetryPoint, TimeRange, TimeSeriesStore } from '../time-series-store.ts';
import { RollupBucketCache } from './rollup-bucket-cache.ts';

// Data layout (one LMDB environment, `time-series.mdb` in the store's directory; keys are
// ordered-binary arrays, so each device's entries are contiguous and sorted by time):
//   points     [tenant, device, at, messageId]       → { stream, payload, fields }
//   rollups    [tenant, device, interval, start]     → StoredRollupBucket
//   expiry     [expiresAt, tenant, device, hourStart] → null   one entry per device-hour
//   retention  tenant                                → retention seconds last written
//   pending-rollups [tenant, device, hourStart]      → null   an hour whose buckets changed, not yet written back
// Rollup buckets are written back behind the points (every 10 s, and before any rollup
// query): a device publishing every 5 s changes its 1 min bucket 12 times and its 1 h bucket 720
// times, and writing each change costs more than the point itself. The hour's marker is written in
// the point's own transaction, so after a crash that hour's buckets are rebuilt from its points.
// A point's identity is (tenant, device, messageId); `at` is stamped once by the gateway and a
// replay carries the same one, so keying by (at, messageId) is that identity in time order.

const HOUR_MS = ROLLUP_INTERVAL_MS['1h'];
/** Greater than any valid `at`, so [tenant, device, AFTER_ANY_TIME] ends a device's points. */
const AFTER_ANY_TIME = Number.MAX_SAFE_INTEGER;
/** Device-hours deleted per purge transaction, so a purge never holds the writer for long. */
const PURGE_BATCH = 1_000;

interface StoredPoint {
  stream: string | null;
  payload: Uint8Array;
  fields: Record<string, number>;
}

export interface LmdbTimeSeriesStoreOptions {
  /** Directory the store's files live in (created if missing). */
  readonly directory: string;
  /** How often expired device-hours are deleted; reads hide expired data in between. Default 60 s. */
  readonly purgeIntervalMs?: number;
  /** Epoch ms; injectable so retention can be tested without waiting. */
  readonly now?: () => number;
  /** Rollup buckets kept decoded in memory (this process is the only writer). Default 100 000. */
  readonly cachedRollupBuckets?: number;
  /** How often changed rollup buckets are written back. Default 10 s. */
  readonly rollupFlushIntervalMs?: number;
  /** A write that leaves more changed buckets than this waits for them to be written back. Default 50 000. */
  readonly maxUnflushedRollupBuckets?: number;
}

/**
 * The embedded TimeSeriesStore, on LMDB. Each `writePoints` call is one write transaction: the
 * new points, their expiry entries and the markers of the rollup buckets they change commit
 * together or not at all, so a killed process comes back with rollups rebuilt to match its
 * points, and a replay after restart finds its points present and changes nothing. Commits skip fsync (`noSync`): a resolved write survives
 * the process being killed, since the OS holds the written pages, but not a power cut.
 */
export class LmdbTimeSeriesStore implements TimeSeriesStore {
  readonly #root: RootDatabase;
  readonly #points: Database<StoredPoint, Key>;
  readonly #rollups: Database<StoredRollupBucket, Key>;
  readonly #expiry: Database<null, Key>;
  readonly #retention: Database<number, string>;
  readonly #retentionSeconds = new Map<string, number>();
  readonly #pendingRollups: Database<null, Key>;
  readonly #cache: RollupBucketCache;
  /** Buckets changed since the last flush, by cache key; their hours have markers in `pending-rollups`. */
  readonly #dirty = new Map<string, { key: Key; bucket: StoredRollupBucket }>();
  /** The `pending-rollups` markers written since the last flush. */
  readonly #markedHours = new Map<string, Key>();
  readonly #maxDirtyBuckets: number;
  readonly #now: () => number;
  readonly #purgeTimer: NodeJS.Timeout;
  readonly #flushTimer: NodeJS.Timeout;

  constructor(options: LmdbTimeSeriesStoreOptions) {
    this.#root = open({ path: join(options.directory, 'time-series.mdb'), noSync: true });
    this.#points = this.#root.openDB({ name: 'points' });
    this.#rollups = this.#root.openDB({ name: 'rollups' });
    this.#expiry = this.#root.openDB({ name: 'expiry' });
    this.#retention = this.#root.openDB({ name: 'retention' });
    this.#pendingRollups = this.#root.openDB({ name: 'pending-rollups' });
    for (const { key, value } of this.#retention.getRange()) this.#retentionSeconds.set(key, value);
    this.#rebuildPendingRollups();
    this.#cache = new RollupBucketCache(options.cachedRollupBuckets ?? 100_000);
    this.#maxDirtyBuckets = options.maxUnflushedRollupBuckets ?? 50_000;
    // A failed timed write-back or purge leaves its markers or expiry entries for the next one.
    this.#flushTimer = setInterval(() => void this.flushRollups().catch(() => undefined), options.rollupFlushIntervalMs ?? 10_000);
    this.#flushTimer.unref();
    this.#now = options.now ?? Date.now;
    this.#purgeTimer = setInterval(() => void this.purgeExpired().catch(() => undefined), options.purgeIntervalMs ?? 60_000);
    this.#purgeTimer.unref();
  }

  async writePoints(points: readonly TelemetryPoint[], retentionSeconds: (tenantId: string) => number): Promise<void> {
    if (points.length === 0) return;
    const now = this.#now();
    await this.#inTransaction(() => this.#applyWrite(points, retentionSeconds, now));
    if (this.#dirty.size >= this.#maxDirtyBuckets) await this.flushRollups();
  }

  #applyWrite(points: readonly TelemetryPoint[], retentionSeconds: (tenantId: string) => number, now: number): void {
    const retentionMs = new Map<string, number>();
    for (const point of points) {
      let tenantRetentionMs = retentionMs.get(point.tenantId);
      if (tenantRetentionMs === undefined) {
        const seconds = retentionSeconds(point.tenantId);
        this.#recordRetention(point.tenantId, seconds);
        tenantRetentionMs = seconds * 1000;
        retentionMs.set(point.tenantId, tenantRetentionMs);
      }
      if (point.at + tenantRetentionMs <= now) continue;
      const pointKey = [point.tenantId, point.deviceId, point.at, point.messageId];
      if (this.#points.doesExist(pointKey)) continue;
      this.#points.put(pointKey, { stream: point.stream, payload: point.payload, fields: point.fields });
      const hourStart = bucketStart(point.at, '1h');
      const hourKey = `${point.tenantId}\u0000${point.deviceId}\u0000${hourStart}`;
      if (!this.#markedHours.has(hourKey)) {
        const markerKey = [point.tenantId, point.deviceId, hourStart];
        this.#pendingRollups.put(markerKey, null);
        this.#markedHours.set(hourKey, markerKey);
      }
      for (const interval of ROLLUP_INTERVALS) {
        const start = bucketStart(point.at, interval);
        const cacheKey = `${point.tenantId}\u0000${point.deviceId}\u0000${interval}\u0000${start}`;
        let entry = this.#dirty.get(cacheKey);
        if (entry === undefined) {
          const key = [point.tenantId, point.deviceId, interval, start];
          let bucket = this.#cache.get(cacheKey) ?? this.#rollups.get(key);
          if (bucket === undefined) {
            bucket = emptyRollupBucket(start);
            if (interval === '1h') this.#expiry.put([start + HOUR_MS + tenantRetentionMs, point.tenantId, point.deviceId, start], null);
          }
          entry = { key, bucket };
          this.#dirty.set(cacheKey, entry);
          this.#cache.set(cacheKey, bucket);
        }
        addPointToBucket(entry.bucket, point);
      }
    }
  }

  /** Writes the buckets changed since the last flush and drops their markers; inside a write transaction. */
  #writeDirtyBuckets(): void {
    for (const { key, bucket } of this.#dirty.values()) this.#rollups.put(key, bucket);
    for (const markerKey of this.#markedHours.values()) this.#pendingRollups.remove(markerKey);
    this.#dirty.clear();
    this.#markedHours.clear();
  }

  /** Stores every rollup bucket changed so far. Queries call it first, so they read current rollups. */
  async flushRollups(): Promise<void> {
    if (this.#dirty.size === 0) return;
    await this.#inTransaction(() => this.#writeDirtyBuckets());
  }

  /**
   * Runs `work` in a write transaction of its own. lmdb-js commits the callbacks of concurrent
   * `transaction()` calls together and keeps the writes of one that throws; a child transaction
   * is rolled back alone when its callback throws. If it fails, the buckets in memory may hold
   * changes that were not committed: they are all dropped, and the hours still marked pending are
   * rebuilt from the points, as after a crash.
   */
  async #inTransaction(work: () => void): Promise<void> {
    try {
      await this.#root.childTransaction(work);
    } catch (error) {
      this.#cache.clear();
      this.#dirty.clear();
      this.#markedHours.clear();
      this.#rebuildPendingRollups();
      throw error;
    }
  }

  /**
   * Rebuilds, from the stored points, the buckets of each hour whose marker says it had changes
   * not yet written back (the process stopped between a write and the next flush).
   */
  #rebuildPendingRollups(): void {
    this.#root.transactionSync(() => {
      for (const markerKey of Array.from(this.#pendingRollups.getKeys())) {
        const [tenantId, deviceId, hourStart] = markerKey as [string, string, number];
        const rebuilt = new Map<number, StoredRollupBucket>();
        const hour = emptyRollupBucket(hourStart);
        for (const { key, value } of this.#points.getRange({ start: [tenantId, deviceId, hourStart], end: [tenantId, deviceId, hourStart + HOUR_MS] })) {
          const [, , at, messageId] = key as [string, string, number, string];
          const minuteStart = bucketStart(at, '1m');
          let minute = rebuilt.get(minuteStart);
          if (minute === undefined) rebuilt.set(minuteStart, (minute = emptyRollupBucket(minuteStart)));
          addPointToBucket(minute, { at, messageId, fields: value.fields });
          addPointToBucket(hour, { at, messageId, fields: value.fields });
        }
        this.#removeRange(this.#rollups, [tenantId, deviceId, '1m', hourStart], [tenantId, deviceId, '1m', hourStart + HOUR_MS]);
        for (const minute of rebuilt.values()) this.#rollups.put([tenantId, deviceId, '1m', minute.start], minute);
        if (hour.points > 0) this.#rollups.put([tenantId, deviceId, '1h', hourStart], hour);
        else this.#rollups.remove([tenantId, deviceId, '1h', hourStart]);
        this.#pendingRollups.remove(markerKey);
      }
    });
  }

  #recordRetention(tenantId: string, seconds: number): void {
    if (this.#retentionSeconds.get(tenantId) === seconds) return;
    this.#retentionSeconds.set(tenantId, seconds);
    this.#retention.put(tenantId, seconds);
  }

  /** The earliest `at` still visible for the tenant: older points have outlived its retention. */
  #visibleFrom(tenantId: string): number {
    const seconds = this.#retentionSeconds.get(tenantId);
    return seconds === undefined ? -AFTER_ANY_TIME : this.#now() - seconds * 1000 + 1;
  }

  async queryPoints(tenantId: string, deviceId: string, range: TimeRange, page: PageRequest): Promise<Page<TelemetryPoint>> {
    checkTimeRange(range);
    checkPageLimit(page.limit);
    const from = Math.max(range.from, this.#visibleFrom(tenantId));
    const after = page.cursor === undefined ? undefined : decodePointCursor(page.cursor);
    const startsAfterCursor = after !== undefined && after.at >= from;
    const entries = this.#points.getRange({
      start: startsAfterCursor ? [tenantId, deviceId, after.at, after.messageId] : [tenantId, deviceId, from],
      exclusiveStart: startsAfterCursor,
      end: [tenantId, deviceId, range.to],
      limit: page.limit + 1
    });
    const items: TelemetryPoint[] = [];
    for (const { key, value } of entries) items.push(toTelemetryPoint(key as [string, string, number, string], value));
    const hasMore = items.length > page.limit;
    if (hasMore) items.length = page.limit;
    const last = items[items.length - 1];
    return { items, cursor: hasMore && last ? encodePointCursor(last) : null };
  }

  async latest(tenantId: string, deviceId: string): Promise<TelemetryPoint | null> {
    const from = this.#visibleFrom(tenantId);
    for (const { key, value } of this.#points.getRange({
      start: [tenantId, deviceId, AFTER_ANY_TIME],
      end: [tenantId, deviceId, from],
      reverse: true,
      limit: 1
    })) {
      return toTelemetryPoint(key as [string, string, number, string], value);
    }
    return null;
  }

  async countPoints(tenantId: string, deviceIds: readonly string[], range: TimeRange): Promise<number[]> {
    checkTimeRange(range);
    const from = Math.max(range.from, this.#visibleFrom(tenantId));
    if (from >= range.to) return deviceIds.map(() => 0);
    return deviceIds.map((deviceId) => this.#points.getKeysCount({ start: [tenantId, deviceId, from], end: [tenantId, deviceId, range.to] }));
  }

  async queryRollups(tenantId: string, deviceId: string, interval: RollupInterval, range: TimeRange, page: PageRequest): Promise<Page<RollupBucket>> {
    checkTimeRange(range);
    checkPageLimit(page.limit);
    await this.flushRollups();
    const visibleFrom = this.#visibleFrom(tenantId);
    const after = page.cursor === undefined ? undefined : decodeRollupCursor(page.cursor);
    const startsAfterCursor = after !== undefined && after >= range.from;
    const items: RollupBucket[] = [];
    let hasMore = false;
    for (const { value } of this.#rollups.getRange({
      start: [tenantId, deviceId, interval, startsAfterCursor ? after : range.from],
      exclusiveStart: startsAfterCursor,
      end: [tenantId, deviceId, interval, range.to]
    })) {
      if (value.newestAt < visibleFrom) continue;
      if (items.length === page.limit) {
        hasMore = true;
        break;
      }
      items.push(toRollupBucket(value));
    }
    const last = items[items.length - 1];
    return { items, cursor: hasMore && last ? encodeRollupCursor(last.start) : null };
  }

  /**
   * Deletes the device-hours whose newest possible point has outlived its tenant's retention:
   * their points and their 1 min and 1 h rollups. Runs on a timer; returns how many it deleted.
   */
  async purgeExpired(): Promise<number> {
    let purged = 0;
    for (;;) {
      const now = this.#now();
      const due = Array.from(this.#expiry.getKeys({ end: [now + 1], limit: PURGE_BATCH })) as [number, string, string, number][];
      if (due.length === 0) return purged;
      await this.#inTransaction(() => {
        // Inside the transaction, before any later write can read a bucket being deleted.
        this.#writeDirtyBuckets();
        this.#cache.clear();
        for (const expiryKey of due) {
          const [, tenantId, deviceId, hourStart] = expiryKey;
          this.#expiry.remove(expiryKey);
          const retentionMs = (this.#retentionSeconds.get(tenantId) ?? 0) * 1000;
          if (hourStart + HOUR_MS + retentionMs > now) {
            // The tenant's retention grew since this entry was written: keep the hour longer.
            this.#expiry.put([hourStart + HOUR_MS + retentionMs, tenantId, deviceId, hourStart], null);
            continue;
          }
          this.#removeRange(this.#points, [tenantId, deviceId, hourStart], [tenantId, deviceId, hourStart + HOUR_MS]);
          this.#removeRange(this.#rollups, [tenantId, deviceId, '1m', hourStart], [tenantId, deviceId, '1m', hourStart + HOUR_MS]);
          this.#rollups.remove([tenantId, deviceId, '1h', hourStart]);
          purged++;
        }
      });
    }
  }

  #removeRange(database: Database<unknown, Key>, start: Key, end: Key): void {
    for (const key of Array.from(database.getKeys({ start, end }))) database.remove(key);
  }

  async close(): Promise<void> {
    clearInterval(this.#purgeTimer);
    clearInterval(this.#flushTimer);
    await this.flushRollups();
    await this.#root.close();
  }
}

function toTelemetryPoint([tenantId, deviceId, at, messageId]: [string, string, number, string], stored: StoredPoint): TelemetryPoint {
  return { tenantId, deviceId, messageId, at, stream: stored.stream, payload: stored.payload, fields: stored.fields };
}
