import type { TelemetryPoint } from './time-series-store.ts';

// Raw points live in one record per (tenant, device, 10-minute bucket), in a KEY_ORDERED map
// whose keys sort like the port's order: the offset of `at` in the bucket, zero-padded so string
// order is time order, then the message id. The ':' keeps a key from ever looking like an array
// index to JavaScript, which would reorder it when the client hands the map back as an object.
// Ten minutes keeps a record small (a device publishing every second fills 600 entries), so each
// write rewrites little, while a day of queries is 144 records in one batch read.

export const POINT_BUCKET_MS = 600_000;
const OFFSET_DIGITS = 6;

/** The bin holding the map of points; the device index uses the same name for its map of buckets. */
export const POINTS_BIN = 'p';
/**
 * Epoch ms of the newest point a record holds, as the one key (bucketMapKey form) of a
 * KEY_ORDERED map: put the write's newest, keep the greatest. Plain map operations where `max`
 * would take an expression, which costs the client several times more to send. The record's
 * TTL follows that point.
 */
export const NEWEST_BIN = 'newest';

/** What a map entry holds; `at` and `messageId` are in its key. */
export type StoredPointValue = [payload: Buffer, stream: string | null, fields: Record<string, number>];

/**
 * Epoch ms as map keys (bucket starts in the device index and rollup records, NEWEST_BIN):
 * zero-padded so string order is time order from 1970 on, since the client's typings take only
 * string map keys.
 */
export function bucketMapKey(start: number): string {
  return String(start).padStart(15, '0');
}

export function pointBucketStart(at: number): number {
  return Math.floor(at / POINT_BUCKET_MS) * POINT_BUCKET_MS;
}

export function pointMapKey(at: number, messageId: string): string {
  return `${offsetKeyPrefix(at - pointBucketStart(at))}${messageId}`;
}

/** The smallest map key at or after `at` within the bucket starting at `bucket`. */
export function pointMapKeyFloor(bucket: number, at: number): string {
  return offsetKeyPrefix(at - bucket);
}

function offsetKeyPrefix(offset: number): string {
  return `${String(offset).padStart(OFFSET_DIGITS, '0')}:`;
}

export function storedPointValue(point: TelemetryPoint): StoredPointValue {
  const payload = Buffer.from(point.payload.buffer, point.payload.byteOffset, point.payload.byteLength);
  return [payload, point.stream, { ...point.fields }];
}

export function pointFromEntry(tenantId: string, deviceId: string, bucket: number, mapKey: string, value: StoredPointValue): TelemetryPoint {
  const separator = OFFSET_DIGITS;
  const [payload, stream, fields] = value;
  return {
    tenantId,
    deviceId,
    messageId: mapKey.slice(separator + 1),
    at: bucket + Number(mapKey.slice(0, separator)),
    stream,
    payload: new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength),
    fields
  };
}

/**
 * A map range read answers KEY_VALUE either as an object or as a flat [k, v, k, v] list
 * depending on the map's order flags; both come out here as entries.
 */
export function mapEntries<V>(result: unknown): [string, V][] {
  if (result === null || result === undefined) return [];
  if (Array.isArray(result)) {
    const entries: [string, V][] = [];
    for (let index = 0; index + 1 < result.length; index += 2) entries.push([String(result[index]), result[index + 1] as V]);
    return entries;
  }
  return Object.entries(result as Record<string, V>);
}
