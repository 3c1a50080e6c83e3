import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launchEngine, type EngineHandle } from './engine-process.ts';
import { engineErrors } from './errors.ts';
import { findOnPath, isExecutable } from './find-executable.ts';
import { mongoWirePing } from './mongo-wire-ping.ts';
import { assertPortFree } from './ports.ts';
import { repoRoot } from './repo-root.ts';
import { DEFAULT_HOST, defaultLogFile, type EngineStartOptions } from './start-options.ts';

export type MongoWireEngine =
  | { readonly kind: 'mongod'; readonly binary: string }
  | { readonly kind: 'ferretdb-embedded'; readonly binary: string };

/**
 * Which engine startMongoWire would run: a real `mongod` on PATH wins; otherwise FerretDB
 * through the launcher `./plexus setup` builds into `.tools/bin`.
 */
export function detectMongoWireEngine(): MongoWireEngine {
  const mongod = findOnPath('mongod');
  if (mongod !== undefined) return { kind: 'mongod', binary: mongod };
  const ferretdb = join(repoRoot(), '.tools', 'bin', 'ferretdb-embedded');
  if (isExecutable(ferretdb)) return { kind: 'ferretdb-embedded', binary: ferretdb };
  throw engineErrors.binaryMissing(
    'a MongoDB wire engine (mongod on PATH or .tools/bin/ferretdb-embedded)',
    'run ./plexus setup to build FerretDB (needs Go) or set MONGODB_URI'
  );
}

/**
 * FerretDB's SQLite runs in WAL mode; with `synchronous(normal)` a commit no longer waits for an
 * fsync of the WAL, which doubles insert throughput here (3.5k → 7.4k device documents/s).
 * WAL stays consistent after a crash of FerretDB or Plexus; only an OS crash or power loss can
 * roll back the last commits. Production runs MongoDB, whose journal settles this instead.
 */
const FERRETDB_SQLITE_PARAMETERS = '?_pragma=synchronous(normal)';

/** Starts mongod or FerretDB; the handle's url is `mongodb://host:port/`. */
export async function startMongoWire(options: EngineStartOptions): Promise<EngineHandle> {
  const host = options.host ?? DEFAULT_HOST;
  const dataDir = resolve(options.dataDir);
  const engine = detectMongoWireEngine();
  await assertPortFree(host, options.port, 'the MongoDB wire engine', 'MONGO_PORT', 'MONGODB_URI');
  mkdirSync(dataDir, { recursive: true });
  const args =
    engine.kind === 'mongod'
      ? ['--dbpath', dataDir, '--bind_ip', host, '--port', String(options.port)]
      : ['-listen-addr', `${host}:${options.port}`, '-sqlite-url', `file:${dataDir}/${FERRETDB_SQLITE_PARAMETERS}`, '-log-level', 'warn'];
  return launchEngine({
    name: engine.kind,
    command: engine.binary,
    args,
    url: `mongodb://${host}:${options.port}/`,
    logFile: options.logFile ?? defaultLogFile(dataDir),
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
    healthCheck: () => mongoWirePing(host, options.port)
  });
}
