import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LmdbTimeSeriesStore } from './lmdb-time-series-store.ts';
import { WRITER_BASE_TIME, WRITER_BATCH_SIZE, WRITER_DEVICES, writerBatch } from './lmdb-writer-process.test-support.ts';

const directory = mkdtempSync(join(tmpdir(), 'lmdb-durability-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('embedded LMDB time series under SIGKILL', () => {
  it('keeps every batch whose writePoints resolved, with rollups that match the points, and a replay adds nothing', async () => {
    const writer = spawn(process.execPath, [fileURLToPath(new URL('./lmdb-writer-process.test-support.ts', import.meta.url)), directory], {
      stdio: ['ignore', 'pipe', 'inherit']
    });
    const exited = once(writer, 'exit');
    let acknowledged = -1;
    const killedAfterAcks = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('writer acknowledged no 30 batches within 20 s')), 20_000);
      createInterface({ input: writer.stdout }).on('line', (line) => {
        acknowledged = Number(line.split(' ')[1]);
        if (acknowledged === 30) {
          writer.kill('SIGKILL');
          clearTimeout(timer);
          resolve();
        }
      });
    });
    try {
      await killedAfterAcks;
    } finally {
      // Never leave the endless writer behind, whatever failed.
      writer.kill('SIGKILL');
    }
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');

    const store = new LmdbTimeSeriesStore({ directory });
    try {
      for (let batch = 0; batch <= acknowledged; batch++) {
        const from = WRITER_BASE_TIME + batch * 1_000;
        expect(await store.countPoints('tenant-kill', [`dev-${batch % WRITER_DEVICES}`], { from, to: from + 1_000 })).toEqual([WRITER_BATCH_SIZE]);
      }
      const everything = { from: WRITER_BASE_TIME, to: WRITER_BASE_TIME + 86_400_000 };
      const devices = Array.from({ length: WRITER_DEVICES }, (_unused, index) => `dev-${index}`);
      const countsAfterKill = await store.countPoints('tenant-kill', devices, everything);
      for (const [index, deviceId] of devices.entries()) {
        const rollups = await store.queryRollups('tenant-kill', deviceId, '1m', everything, { limit: 10_000 });
        expect(rollups.items.reduce((sum, bucket) => sum + bucket.points, 0)).toBe(countsAfterKill[index]);
        expect((countsAfterKill[index] as number) % WRITER_BATCH_SIZE).toBe(0);
      }
      for (let batch = 0; batch <= acknowledged; batch++) await store.writePoints(writerBatch(batch), () => 3_650 * 86_400);
      expect(await store.countPoints('tenant-kill', devices, everything)).toEqual(countsAfterKill);
    } finally {
      await store.close();
    }
  });
});
