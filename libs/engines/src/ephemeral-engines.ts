import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineHandle } from './engine-process.ts';
import { startMongoWire } from './mongo-wire.ts';
import { startKinesis } from './kinesis.ts';
import { freePort } from './ports.ts';
import { startRedis } from './redis.ts';
import type { EngineStartOptions } from './start-options.ts';

export interface EphemeralEngines {
  readonly mongoUri: string;
  readonly redisUrl: string;
  /** The Kinesis API endpoint (kinesalite unless KINESIS_ENDPOINT names one), e.g. `http://127.0.0.1:4567`. */
  readonly kinesisEndpoint: string;
  /** The engines this call started; empty when the environment named every server. */
  readonly started: readonly EngineHandle[];
  /** Holds the started engines' data and logs until stop(); undefined when nothing started. */
  readonly scratchDir: string | undefined;
  /** Stops what was started and deletes its scratch directory. */
  stop(): Promise<void>;
}

/**
 * Test runs use engines of their own: a scratch directory and ports the OS picked, so a run
 * never collides with `./plexus start` or another run. `MONGODB_URI` / `REDIS_URL` /
 * `KINESIS_ENDPOINT` in `env` point at existing servers instead, and then nothing is started for
 * that engine.
 */
export async function ensureEphemeralEngines(env: NodeJS.ProcessEnv = process.env): Promise<EphemeralEngines> {
  const givenMongo = nonEmpty(env['MONGODB_URI']);
  const givenRedis = nonEmpty(env['REDIS_URL']);
  const givenKinesis = nonEmpty(env['KINESIS_ENDPOINT']);
  const needsScratch = givenMongo === undefined || givenRedis === undefined || givenKinesis === undefined;
  const scratch = needsScratch ? mkdtempSync(join(tmpdir(), 'plexus-engines-')) : undefined;
  const started: EngineHandle[] = [];
  const stop = async (): Promise<void> => {
    for (const engine of [...started].reverse()) await engine.stop();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const redisUrl = givenRedis ?? (await startInto(started, startRedis, join(scratch as string, 'redis')));
    const mongoUri = givenMongo ?? (await startInto(started, startMongoWire, join(scratch as string, 'mongo')));
    const kinesisEndpoint = givenKinesis ?? (await startInto(started, startKinesis, join(scratch as string, 'kinesis')));
    return { mongoUri, redisUrl, kinesisEndpoint, started, scratchDir: scratch, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startInto(
  started: EngineHandle[],
  start: (options: EngineStartOptions) => Promise<EngineHandle>,
  dataDir: string
): Promise<string> {
  const engine = await start({ port: await freePort(), dataDir });
  started.push(engine);
  return engine.url;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
