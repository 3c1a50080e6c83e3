import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePoint } from '../contract/time-series-store-contract.ts';
import { openEmbeddedStores } from './embedded-stores.ts';
import { LmdbTimeSeriesStore } from './lmdb-time-series-store.ts';

const T = Date.UTC(2030, 0, 1, 10);
const HOUR = 3_600_000;
const directories: string[] = [];
function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'lmdb-time-series-'));
  directories.push(directory);
  return directory;
}
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('LmdbTimeSeriesStore retention purge', () => {
  it('deletes the points and rollups of a device-hour once its newest possible point has expired, and only those', async () => {
    let now = T;
    const store = new LmdbTimeSeriesStore({ directory: freshDirectory(), now: () => now });
    try {
      const retention = (tenantId: string): number => (tenantId === 'short' ? 60 : 10 * 86_400);
      await store.writePoints([makePoint('short', 'd1', T + 1_000, 'm1', { v: 1 }), makePoint('long', 'd1', T + 1_000, 'm1', { v: 1 })], retention);
      now = T + HOUR + 59_000;
      expect(await store.purgeExpired()).toBe(0);
      now = T + HOUR + 61_000;
      expect(await store.purgeExpired()).toBe(1);
      expect(await store.purgeExpired()).toBe(0);
      // A longer retention makes anything still stored visible again: the purged hour must not be.
      await store.writePoints([makePoint('short', 'd2', now, 'm2', { v: 2 })], () => 10 * 86_400);
      const range = { from: T, to: T + HOUR };
      expect(await store.countPoints('short', ['d1'], range)).toEqual([0]);
      expect((await store.queryRollups('short', 'd1', '1m', range, { limit: 10 })).items).toEqual([]);
      expect((await store.queryRollups('short', 'd1', '1h', range, { limit: 10 })).items).toEqual([]);
      expect(await store.countPoints('long', ['d1'], range)).toEqual([1]);
    } finally {
      await store.close();
    }
  });

  it('keeps a device-hour past its first expiry when the tenant retention grew meanwhile', async () => {
    let now = T;
    const store = new LmdbTimeSeriesStore({ directory: freshDirectory(), now: () => now });
    try {
      await store.writePoints([makePoint('t', 'd1', T, 'm1', { v: 1 })], () => 60);
      await store.writePoints([makePoint('t', 'd2', T, 'm1', { v: 1 })], () => 86_400);
      now = T + 2 * HOUR;
      expect(await store.purgeExpired()).toBe(0);
      expect(await store.countPoints('t', ['d1', 'd2'], { from: T, to: T + HOUR })).toEqual([1, 1]);
      now = T + HOUR + 86_400_000 + 1;
      expect(await store.purgeExpired()).toBe(2);
    } finally {
      await store.close();
    }
  });
});

describe('LmdbTimeSeriesStore after a failed write', () => {
  it('stores none of the batch and keeps rollups that match the stored points', async () => {
    const store = new LmdbTimeSeriesStore({ directory: freshDirectory() });
    try {
      await store.writePoints([makePoint('good', 'd1', T, 'm1', { v: 1 })], () => 86_400);
      const failing = (tenantId: string): number => {
        if (tenantId === 'bad') throw new Error('no retention for tenant bad');
        return 86_400;
      };
      await expect(store.writePoints([makePoint('good', 'd1', T + 1, 'm2', { v: 5 }), makePoint('bad', 'd1', T, 'm1', { v: 1 })], failing)).rejects.toThrow(
        'no retention for tenant bad'
      );
      const range = { from: T, to: T + HOUR };
      expect(await store.countPoints('good', ['d1'], range)).toEqual([1]);
      expect((await store.queryRollups('good', 'd1', '1m', range, { limit: 10 })).items).toEqual([
        { start: T, points: 1, fields: { v: { min: 1, max: 1, sum: 1, count: 1, avg: 1, last: 1 } } }
      ]);
      await store.writePoints([makePoint('good', 'd1', T + 1, 'm2', { v: 5 })], () => 86_400);
      expect((await store.queryRollups('good', 'd1', '1h', range, { limit: 10 })).items[0]?.fields.v).toEqual({ min: 1, max: 5, sum: 6, count: 2, avg: 3, last: 5 });
    } finally {
      await store.close();
    }
  });
});

describe('embedded stores on disk', () => {
  it('find points, rollups and shadows again after a reopen, and keep maintaining the same rollups', async () => {
    const directory = freshDirectory();
    const first = openEmbeddedStores(directory);
    await first.timeSeries.writePoints([makePoint('t', 'd1', T, 'm1', { v: 1 })], () => 86_400 * 3_650);
    await first.shadows.update('t', 'd1', { desired: { on: true } }, T);
    await first.close();

    const second = openEmbeddedStores(directory);
    try {
      await second.timeSeries.writePoints([makePoint('t', 'd1', T + 1, 'm2', { v: 3 }), makePoint('t', 'd1', T, 'm1', { v: 1 })], () => 86_400 * 3_650);
      const rollups = await second.timeSeries.queryRollups('t', 'd1', '1h', { from: T, to: T + HOUR }, { limit: 10 });
      expect(rollups.items).toEqual([{ start: T, points: 2, fields: { v: { min: 1, max: 3, sum: 4, count: 2, avg: 2, last: 3 } } }]);
      expect((await second.shadows.get('t', 'd1'))?.desired).toEqual({ on: true });
    } finally {
      await second.close();
    }
  });
});
