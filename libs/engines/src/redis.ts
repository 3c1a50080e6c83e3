import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchEngine, type EngineHandle } from './engine-process.ts';
import { engineErrors } from './errors.ts';
import { findOnPath } from './find-executable.ts';
import { assertPortFree } from './ports.ts';
import { redisPing } from './redis-ping.ts';
import { DEFAULT_HOST, defaultLogFile, type EngineStartOptions } from './start-options.ts';

/** Starts `redis-server` from PATH; the handle's url is `redis://host:port`. */
export async function startRedis(options: EngineStartOptions): Promise<EngineHandle> {
  const host = options.host ?? DEFAULT_HOST;
  const dataDir = resolve(options.dataDir);
  const binary = findOnPath('redis-server');
  if (binary === undefined) {
    throw engineErrors.binaryMissing('redis-server', 'run ./plexus setup (apt-get install -y redis-server) or set REDIS_URL');
  }
  await assertPortFree(host, options.port, 'Redis', 'REDIS_PORT', 'REDIS_URL');
  mkdirSync(dataDir, { recursive: true });
  return launchEngine({
    name: 'redis',
    command: binary,
    args: [
      '--port', String(options.port),
      '--bind', host,
      '--dir', dataDir,
      // Durability comes from the append-only file (fsync every second); RDB snapshots would
      // only add fork pauses. The default `noeviction` policy is what BullMQ requires.
      '--save', '',
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--protected-mode', 'yes',
      '--daemonize', 'no',
      // An empty logfile means stdout, which launchEngine captures.
      '--logfile', ''
    ],
    url: `redis://${host}:${options.port}`,
    logFile: options.logFile ?? defaultLogFile(dataDir),
    startTimeoutMs: options.startTimeoutMs ?? 20_000,
    healthCheck: () => redisPing(host, options.port)
  });
}
