import { randomUUID } from 'node:crypto';
import { seededRandom } from '@plexus/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRollupCursor } from '../cursor.ts';
import { flattenNumericFields } from '../numeric-fields.ts';
import type { FieldAggregate, Page, RollupBucket, RollupInterval, TelemetryPoint, TimeSeriesStore } from '../time-series-store.ts';

const DAY_SECONDS = 86_400;
const LONG_RETENTION = (): number => 365 * DAY_SECONDS;
const BASE_TIME = Date.UTC(2030, 0, 1, 10, 0, 0);
const INTERVAL_MS: Record<RollupInterval, number> = { '1m': 60_000, '1h': 3_600_000 };

export function makePoint(tenantId: string, deviceId: string, at: number, messageId: string, payload: unknown, stream: string | null = null): TelemetryPoint {
  const bytes = payload instanceof Uint8Array ? payload : Buffer.from(JSON.stringify(payload));
  return { tenantId, deviceId, messageId, at, stream, payload: bytes, fields: flattenNumericFields(bytes) };
}

function newTenant(): string {
  return `tenant-${randomUUID()}`;
}

async function everyPoint(store: TimeSeriesStore, tenantId: string, deviceId: string, from: number, to: number, limit: number): Promise<TelemetryPoint[]> {
  const points: TelemetryPoint[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page: Page<TelemetryPoint> = await store.queryPoints(tenantId, deviceId, { from, to }, cursor === undefined ? { limit } : { limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    points.push(...page.items);
    if (page.cursor === null) return points;
    expect(page.items).toHaveLength(limit);
    cursor = page.cursor;
  }
  throw new Error('paging did not end');
}

async function everyRollup(store: TimeSeriesStore, tenantId: string, deviceId: string, interval: RollupInterval, from: number, to: number, limit: number): Promise<RollupBucket[]> {
  const buckets: RollupBucket[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.queryRollups(tenantId, deviceId, interval, { from, to }, cursor === undefined ? { limit } : { limit, cursor });
    buckets.push(...page.items);
    if (page.cursor === null) return buckets;
    cursor = page.cursor;
  }
  throw new Error('paging did not end');
}

/** The rollups of `points` computed from scratch, the way the contract defines them. */
function referenceRollups(points: readonly TelemetryPoint[], interval: RollupInterval): RollupBucket[] {
  const width = INTERVAL_MS[interval];
  const byStart = new Map<number, TelemetryPoint[]>();
  for (const point of points) {
    const start = Math.floor(point.at / width) * width;
    byStart.set(start, [...(byStart.get(start) ?? []), point]);
  }
  return [...byStart.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, bucketPoints]) => {
      const ordered = [...bucketPoints].sort(compareByTime);
      const fields: Record<string, FieldAggregate> = {};
      for (const name of new Set(ordered.flatMap((point) => Object.keys(point.fields)))) {
        const values = ordered.filter((point) => name in point.fields).map((point) => point.fields[name] as number);
        const sum = values.reduce((total, value) => total + value, 0);
        fields[name] = { min: Math.min(...values), max: Math.max(...values), sum, count: values.length, avg: sum / values.length, last: values[values.length - 1] as number };
      }
      return { start, points: bucketPoints.length, fields };
    });
}

function compareByTime(a: TelemetryPoint, b: TelemetryPoint): number {
  return a.at - b.at || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0);
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Every behaviour of the TimeSeriesStore port. Each test writes under its own tenant, so the
 * suite runs against a store that already holds data (a shared Aerospike namespace).
 */
export function timeSeriesStoreContract(name: string, makeStore: () => Promise<TimeSeriesStore> | TimeSeriesStore): void {
  describe(`TimeSeriesStore contract: ${name}`, () => {
    let store: TimeSeriesStore;
    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('returns a written point as it was written: payload bytes, stream, parsed fields', async () => {
      const tenant = newTenant();
      const json = makePoint(tenant, 'd1', BASE_TIME, 'm1', { temp: 21.5, nested: { level: 3 }, label: 'x' }, 'env');
      const opaque = makePoint(tenant, 'd1', BASE_TIME + 1, 'm2', Uint8Array.from([0, 255, 7]));
      await store.writePoints([json, opaque], LONG_RETENTION);
      const page = await store.queryPoints(tenant, 'd1', { from: BASE_TIME, to: BASE_TIME + 10 }, { limit: 10 });
      expect(page.cursor).toBeNull();
      expect(page.items.map((point) => ({ ...point, payload: Buffer.from(point.payload).toString('hex') }))).toEqual([
        { ...json, payload: Buffer.from(json.payload).toString('hex'), fields: { temp: 21.5, 'nested.level': 3 } },
        { ...opaque, payload: '00ff07', fields: {} }
      ]);
    });

    it('stores a point written twice once, and leaves its rollups unchanged (a replay)', async () => {
      const tenant = newTenant();
      const first = makePoint(tenant, 'd1', BASE_TIME + 5_000, 'm1', { temp: 10 });
      const second = makePoint(tenant, 'd1', BASE_TIME + 6_000, 'm2', { temp: 20 });
      await store.writePoints([first, second, first], LONG_RETENTION);
      const range = { from: BASE_TIME, to: BASE_TIME + 3_600_000 };
      const rollupsBefore = await store.queryRollups(tenant, 'd1', '1m', range, { limit: 10 });
      const hourBefore = await store.queryRollups(tenant, 'd1', '1h', range, { limit: 10 });
      await store.writePoints([second, first], LONG_RETENTION);
      const points = await store.queryPoints(tenant, 'd1', range, { limit: 10 });
      expect(points.items.map((point) => point.messageId)).toEqual(['m1', 'm2']);
      expect(await store.countPoints(tenant, ['d1'], range)).toEqual([2]);
      expect(await store.queryRollups(tenant, 'd1', '1m', range, { limit: 10 })).toEqual(rollupsBefore);
      expect(await store.queryRollups(tenant, 'd1', '1h', range, { limit: 10 })).toEqual(hourBefore);
      expect(rollupsBefore.items).toEqual([{ start: BASE_TIME, points: 2, fields: { temp: { min: 10, max: 20, sum: 30, count: 2, avg: 15, last: 20 } } }]);
    });

    it('treats a range as half-open: from <= at < to', async () => {
      const tenant = newTenant();
      const from = BASE_TIME + 1_000;
      const to = BASE_TIME + 2_000;
      await store.writePoints(
        [from - 1, from, to - 1, to].map((at) => makePoint(tenant, 'd1', at, `m${at}`, { v: 1 })),
        LONG_RETENTION
      );
      const page = await store.queryPoints(tenant, 'd1', { from, to }, { limit: 10 });
      expect(page.items.map((point) => point.at)).toEqual([from, to - 1]);
      expect(await store.countPoints(tenant, ['d1'], { from, to })).toEqual([2]);
      expect(await store.countPoints(tenant, ['d1'], { from, to: from })).toEqual([0]);
    });

    it('pages through a range in (at, messageId) order with no gap and no duplicate, whatever the write order', async () => {
      const tenant = newTenant();
      const random = seededRandom(7);
      const points = Array.from({ length: 53 }, (_unused, index) =>
        makePoint(tenant, 'd1', BASE_TIME + Math.floor(index / 3) * 1_000, `m${String(index % 3)}-${String(index).padStart(3, '0')}`, { v: index })
      );
      for (const batch of [points.slice(0, 20), points.slice(20)]) await store.writePoints(shuffled(batch, random), LONG_RETENTION);
      const expected = [...points].sort(compareByTime).map((point) => point.messageId);
      for (const limit of [1, 7, 53, 100]) {
        const paged = await everyPoint(store, tenant, 'd1', BASE_TIME, BASE_TIME + 3_600_000, limit);
        expect(paged.map((point) => point.messageId)).toEqual(expected);
      }
    });

    it('refuses a limit outside 1..10 000, an inverted range and a cursor it did not make', async () => {
      const tenant = newTenant();
      const range = { from: BASE_TIME, to: BASE_TIME + 1_000 };
      for (const limit of [0, -1, 1.5, 10_001]) {
        await expectCode(store.queryPoints(tenant, 'd1', range, { limit }), 'PLX_TELEMETRY_INVALID_LIMIT');
        await expectCode(store.queryRollups(tenant, 'd1', '1m', range, { limit }), 'PLX_TELEMETRY_INVALID_LIMIT');
      }
      expect((await store.queryPoints(tenant, 'd1', range, { limit: 10_000 })).items).toEqual([]);
      await expectCode(store.queryPoints(tenant, 'd1', { from: 2, to: 1 }, { limit: 1 }), 'PLX_TELEMETRY_INVALID_RANGE');
      await expectCode(store.countPoints(tenant, ['d1'], { from: 2, to: 1 }), 'PLX_TELEMETRY_INVALID_RANGE');
      await expectCode(store.queryRollups(tenant, 'd1', '1h', { from: 2, to: 1 }, { limit: 1 }), 'PLX_TELEMETRY_INVALID_RANGE');
      for (const cursor of ['not a cursor!', Buffer.from('{"at":1}').toString('base64url'), encodeRollupCursor(BASE_TIME)]) {
        await expectCode(store.queryPoints(tenant, 'd1', range, { limit: 1, cursor }), 'PLX_TELEMETRY_INVALID_CURSOR');
      }
      await expectCode(store.queryRollups(tenant, 'd1', '1m', range, { limit: 1, cursor: 'Zm9v' }), 'PLX_TELEMETRY_INVALID_CURSOR');
    });

    it('answers latest with the greatest (at, messageId), and null for a device with no points', async () => {
      const tenant = newTenant();
      await store.writePoints(
        [
          makePoint(tenant, 'd1', BASE_TIME + 2_000, 'b', { v: 2 }),
          makePoint(tenant, 'd1', BASE_TIME + 2_000, 'c', { v: 3 }),
          makePoint(tenant, 'd1', BASE_TIME + 1_000, 'z', { v: 1 }),
          makePoint(tenant, 'd10', BASE_TIME + 9_000, 'a', { v: 9 })
        ],
        LONG_RETENTION
      );
      await store.writePoints([makePoint(tenant, 'd1', BASE_TIME + 500, 'late', { v: 0 })], LONG_RETENTION);
      expect((await store.latest(tenant, 'd1'))?.messageId).toBe('c');
      expect((await store.latest(tenant, 'd10'))?.messageId).toBe('a');
      expect(await store.latest(tenant, 'd')).toBeNull();
      expect(await store.latest(tenant, 'unknown')).toBeNull();
    });

    it('counts points for many devices in the order asked, 0 for devices it never saw', async () => {
      const tenant = newTenant();
      const devices = Array.from({ length: 120 }, (_unused, index) => `dev-${index}`);
      const points = devices.flatMap((deviceId, index) =>
        Array.from({ length: index % 5 }, (_unused, sequence) => makePoint(tenant, deviceId, BASE_TIME + sequence * 1_000, `m${sequence}`, { v: sequence }))
      );
      await store.writePoints(points, LONG_RETENTION);
      const asked = ['never-seen', ...[...devices].reverse(), 'dev-1000'];
      const counts = await store.countPoints(tenant, asked, { from: BASE_TIME, to: BASE_TIME + 60_000 });
      expect(counts).toEqual([0, ...[...devices].reverse().map((_deviceId, index) => (devices.length - 1 - index) % 5), 0]);
      expect(await store.countPoints(tenant, ['dev-4'], { from: BASE_TIME + 1_000, to: BASE_TIME + 3_000 })).toEqual([2]);
      expect(await store.countPoints(tenant, [], { from: BASE_TIME, to: BASE_TIME + 1 })).toEqual([]);
    });

    it('keeps 1 min and 1 h rollups equal to aggregating the raw points, whatever the arrival order (seeded random)', async () => {
      const tenant = newTenant();
      const random = seededRandom(20_301);
      const span = 3 * 3_600_000;
      const points: TelemetryPoint[] = [];
      for (const deviceId of ['d1', 'd2']) {
        for (let index = 0; index < 300; index++) {
          const at = BASE_TIME + Math.floor(random() * span);
          const quarter = (): number => Math.round((random() - 0.5) * 400) / 4;
          const payload =
            random() < 0.1
              ? Uint8Array.from([1, 2, 3])
              : {
                  ...(random() < 0.8 ? { temp: quarter() } : {}),
                  ...(random() < 0.5 ? { power: { watts: quarter() } } : {}),
                  ...(random() < 0.3 ? { state: 'on', ok: true } : {})
                };
          points.push(makePoint(tenant, deviceId, at, `m-${String(Math.floor(random() * 1e9))}-${index}`, payload));
        }
      }
      const arrival = shuffled(points, random);
      for (let offset = 0; offset < arrival.length; ) {
        const size = 1 + Math.floor(random() * 80);
        await store.writePoints(arrival.slice(offset, offset + size), LONG_RETENTION);
        offset += size;
      }
      await store.writePoints(arrival.slice(0, 50), LONG_RETENTION);
      for (const deviceId of ['d1', 'd2']) {
        const raw = points.filter((point) => point.deviceId === deviceId);
        for (const interval of ['1m', '1h'] as const) {
          const stored = await everyRollup(store, tenant, deviceId, interval, BASE_TIME, BASE_TIME + span, 17);
          expect(stored).toEqual(referenceRollups(raw, interval));
        }
      }
    });

    it('keeps tenants apart: the same device id in two tenants', async () => {
      const tenantA = newTenant();
      const tenantB = newTenant();
      await store.writePoints(
        [makePoint(tenantA, 'shared', BASE_TIME, 'a1', { v: 1 }), makePoint(tenantB, 'shared', BASE_TIME, 'b1', { v: 100 }), makePoint(tenantB, 'shared', BASE_TIME + 1, 'b2', { v: 200 })],
        LONG_RETENTION
      );
      const range = { from: BASE_TIME, to: BASE_TIME + 60_000 };
      expect((await store.queryPoints(tenantA, 'shared', range, { limit: 10 })).items.map((point) => point.messageId)).toEqual(['a1']);
      expect(await store.countPoints(tenantA, ['shared'], range)).toEqual([1]);
      expect(await store.countPoints(tenantB, ['shared'], range)).toEqual([2]);
      expect((await store.latest(tenantA, 'shared'))?.messageId).toBe('a1');
      expect((await store.queryRollups(tenantA, 'shared', '1m', range, { limit: 10 })).items[0]?.fields.v?.sum).toBe(1);
    });

    it("expires points and rollups once they are older than their tenant's retention, and stores none already past it", async () => {
      const shortLived = newTenant();
      const longLived = newTenant();
      const retention = (tenantId: string): number => (tenantId === shortLived ? 3 : 3_600);
      const now = Date.now();
      await store.writePoints(
        [
          makePoint(shortLived, 'd1', now, 'fresh', { v: 1 }),
          makePoint(shortLived, 'd2', now - 10_000, 'already-expired', { v: 2 }),
          makePoint(longLived, 'd1', now, 'kept', { v: 3 })
        ],
        retention
      );
      const range = { from: now - 60_000, to: now + 60_000 };
      const hourRange = { from: now - 3_600_000, to: now + 3_600_000 };
      expect(await store.countPoints(shortLived, ['d1', 'd2'], range)).toEqual([1, 0]);
      expect(await store.latest(shortLived, 'd2')).toBeNull();
      await waitUntil(
        'short-retention point expired',
        async () =>
          (await store.countPoints(shortLived, ['d1'], range))[0] === 0 &&
          (await store.latest(shortLived, 'd1')) === null &&
          (await store.queryPoints(shortLived, 'd1', range, { limit: 10 })).items.length === 0 &&
          (await store.queryRollups(shortLived, 'd1', '1m', hourRange, { limit: 10 })).items.length === 0 &&
          (await store.queryRollups(shortLived, 'd1', '1h', hourRange, { limit: 10 })).items.length === 0,
        20_000
      );
      expect(await store.countPoints(longLived, ['d1'], range)).toEqual([1]);
      expect((await store.queryRollups(longLived, 'd1', '1h', hourRange, { limit: 10 })).items).toHaveLength(1);
    });
  });
}
