import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launchEngine, type EngineHandle } from './engine-process.ts';
import { kinesisPing } from './kinesis-api.ts';
import { assertPortFree } from './ports.ts';
import { DEFAULT_HOST, defaultLogFile, type EngineStartOptions } from './start-options.ts';

export interface KinesisStartOptions extends EngineStartOptions {
  /** Open shards allowed across all streams; kinesalite's own default (10) is too few for test runs that create a stream per test. */
  shardLimit?: number;
  /** How long a stream stays CREATING/DELETING/UPDATING; short, but long enough that callers must wait for ACTIVE as on AWS. */
  streamStateMs?: number;
}

const DEFAULT_SHARD_LIMIT = 1_000;
const DEFAULT_STREAM_STATE_MS = 50;

/** Starts kinesalite (the Kinesis API on LevelDB in `dataDir`) on loopback; the handle's url is `http://host:port`. */
export async function startKinesis(options: KinesisStartOptions): Promise<EngineHandle> {
  const host = options.host ?? DEFAULT_HOST;
  const dataDir = resolve(options.dataDir);
  await assertPortFree(host, options.port, 'Kinesis (kinesalite)', 'KINESIS_PORT', 'KINESIS_ENDPOINT');
  mkdirSync(dataDir, { recursive: true });
  const url = `http://${host}:${options.port}`;
  return launchEngine({
    name: 'kinesalite',
    command: process.execPath,
    args: [
      join(import.meta.dirname, 'kinesalite-server.ts'),
      '--host', host,
      '--port', String(options.port),
      '--path', dataDir,
      '--stream-state-ms', String(options.streamStateMs ?? DEFAULT_STREAM_STATE_MS),
      '--shard-limit', String(options.shardLimit ?? DEFAULT_SHARD_LIMIT)
    ],
    url,
    logFile: options.logFile ?? defaultLogFile(dataDir),
    startTimeoutMs: options.startTimeoutMs ?? 20_000,
    healthCheck: () => kinesisPing(url)
  });
}
