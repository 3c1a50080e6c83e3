import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlexusError } from '@plexus/errors';
import { freePort, redisPing, startRedis, type EngineHandle } from './index.ts';

describe('startRedis (integration: runs redis-server)', () => {
  const dataRoot = mkdtempSync(join(tmpdir(), 'plexus-engines-redis-'));
  let redis: EngineHandle;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis({ port, dataDir: join(dataRoot, 'redis') });
  });

  afterAll(async () => {
    await redis?.stop();
    rmSync(dataRoot, { recursive: true, force: true });
  });

  it('answers PING on the url it reports', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${port}`);
    expect(redis.pid).toBeGreaterThan(0);
    await expect(redisPing('127.0.0.1', port)).resolves.toBeUndefined();
  });

  it('refuses a port that is already taken, naming the variables that fix it', async () => {
    const error = await startRedis({ port, dataDir: join(dataRoot, 'second') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlexusError);
    expect((error as PlexusError).code).toBe('PLX_ENGINE_PORT_IN_USE');
    expect((error as PlexusError).message).toContain('REDIS_PORT');
    expect((error as PlexusError).message).toContain('REDIS_URL');
  });

  it('stops on request and reports how it ended', async () => {
    const other = await startRedis({ port: await freePort(), dataDir: join(dataRoot, 'third') });
    await other.stop();
    await expect(other.exited).resolves.toMatchObject({ code: 0 });
    await expect(other.stop()).resolves.toBeUndefined();
  });

});
