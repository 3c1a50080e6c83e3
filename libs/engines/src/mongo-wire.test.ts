import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlexusError } from '@plexus/errors';
import { freePort, mongoWirePing, startMongoWire, type EngineHandle } from './index.ts';

describe('startMongoWire (integration: runs mongod or ferretdb-embedded)', () => {
  const dataRoot = mkdtempSync(join(tmpdir(), 'plexus-engines-mongo-'));
  let mongo: EngineHandle;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    mongo = await startMongoWire({ port, dataDir: join(dataRoot, 'mongo') });
  });

  afterAll(async () => {
    await mongo?.stop();
    rmSync(dataRoot, { recursive: true, force: true });
  });

  it('answers an OP_MSG ping on the url it reports', async () => {
    expect(mongo.url).toBe(`mongodb://127.0.0.1:${port}/`);
    await expect(mongoWirePing('127.0.0.1', port)).resolves.toBeUndefined();
  });

  it('refuses a port that is already taken, naming the variables that fix it', async () => {
    const error = await startMongoWire({ port, dataDir: join(dataRoot, 'second') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlexusError);
    expect((error as PlexusError).code).toBe('PLX_ENGINE_PORT_IN_USE');
    expect((error as PlexusError).message).toBe(
      `port ${port} for the MongoDB wire engine is already in use; set MONGO_PORT to another port or MONGODB_URI to use that server`
    );
  });

  it('stops cleanly on SIGTERM', async () => {
    const other = await startMongoWire({ port: await freePort(), dataDir: join(dataRoot, 'third') });
    await other.stop();
    const exit = await other.exited;
    expect(exit.signal === 'SIGKILL').toBe(false);
  });
});
