/** One stored telemetry message. (tenantId, deviceId, messageId) is its identity: writes are idempotent on it. */
export interface TelemetryPoint {
  readonly tenantId: string;
  readonly deviceId: string;
  /** Unique per device (the gateway's message id). */
  readonly messageId: string;
  /**
   * Epoch ms the gateway received it; the time axis of every query. Stamped once by the gateway,
   * so a replay of a message carries the same `at` (adapters may key points by (at, messageId)).
   */
  readonly at: number;
  /** `devices/{id}/telemetry[/{stream}]`: the stream name, or null for the main one. */
  readonly stream: string | null;
  /** The payload exactly as received (JSON or opaque bytes). */
  readonly payload: Uint8Array;
  /** Numeric fields of a JSON payload, flattened with dots (`{"a":{"b":1}}` → `a.b`); empty for opaque payloads. */
  readonly fields: Readonly<Record<string, number>>;
}

/** Half-open: `from` ≤ at < `to`, epoch ms (integers, from ≤ to, else PLX_TELEMETRY_INVALID_RANGE). */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export interface PageRequest {
  /** 1..10 000, else PLX_TELEMETRY_INVALID_LIMIT. */
  readonly limit: number;
  /** From the previous page; opaque to callers; one the store did not make is PLX_TELEMETRY_INVALID_CURSOR. */
  readonly cursor?: string;
}

export interface Page<T> {
  /** Oldest first. */
  readonly items: T[];
  /** Null when there is nothing after this page. */
  readonly cursor: string | null;
}

export type RollupInterval = '1m' | '1h';

export interface FieldAggregate {
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly count: number;
  /** sum / count. */
  readonly avg: number;
  /** The value of the latest point (by `at`, then messageId) in the bucket. */
  readonly last: number;
}

export interface RollupBucket {
  /** Start of the bucket, epoch ms, aligned to the interval (UTC). */
  readonly start: number;
  /** Points in the bucket, numeric or not. */
  readonly points: number;
  readonly fields: Readonly<Record<string, FieldAggregate>>;
}

/**
 * Telemetry by device and time. Rollups are maintained as points are written, and a point
 * written again (a stream replay) changes nothing: not the raw points, not the rollups.
 */
export interface TimeSeriesStore {
  /**
   * Stores points (any tenants and devices, any order). `retentionSeconds(tenantId)` says how long
   * the tenant's points and rollups live: a point is gone once `at` + retention has passed (one
   * already past it is not stored), a rollup bucket once its newest point is. Adapters expire
   * them (TTL) without a scan by the caller. Resolves once everything is durable: a resolved
   * write survives the writing process being killed.
   */
  writePoints(points: readonly TelemetryPoint[], retentionSeconds: (tenantId: string) => number): Promise<void>;
  queryPoints(tenantId: string, deviceId: string, range: TimeRange, page: PageRequest): Promise<Page<TelemetryPoint>>;
  /** The point with the greatest `at` (then messageId), or null. */
  latest(tenantId: string, deviceId: string): Promise<TelemetryPoint | null>;
  /** Stored points per device in the range, in the order of `deviceIds` (0 for a device with none). */
  countPoints(tenantId: string, deviceIds: readonly string[], range: TimeRange): Promise<number[]>;
  /** The buckets whose `start` is in the range, oldest first. */
  queryRollups(tenantId: string, deviceId: string, interval: RollupInterval, range: TimeRange, page: PageRequest): Promise<Page<RollupBucket>>;
  close(): Promise<void>;
}
