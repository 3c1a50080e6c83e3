import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { loadConfigOrExit } from '@plexus/config';
import { isPlexusError } from '@plexus/errors';
import { createLogger, loggerOptions, MetricsRegistry } from '@plexus/observability';
import { ensureBootstrapAdminKey, ensureRegistryIndexes, redisRevocationPublisher, registryCollections } from '@plexus/registry';
import { buildControlPlane } from './app.ts';
import { loadControlPlaneConfig } from './config.ts';

const SHUTDOWN_DEADLINE_MS = 15_000;

async function main(): Promise<void> {
  const config = loadConfigOrExit('control-plane', loadControlPlaneConfig);
  const log = createLogger('control-plane', config.LOG_LEVEL);

  const mongo = await MongoClient.connect(config.MONGODB_URI, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 64 });
  const db = mongo.db(config.MONGODB_DATABASE);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
  await redis.ping();

  const collections = registryCollections(db);
  await ensureRegistryIndexes(db, collections);
  const registry = { collections, revocations: redisRevocationPublisher(redis), now: () => new Date() };
  if (config.PLEXUS_BOOTSTRAP_ADMIN_KEY) {
    const keyId = await ensureBootstrapAdminKey(registry, config.PLEXUS_BOOTSTRAP_ADMIN_KEY);
    log.info({ keyId }, 'bootstrap admin key is live');
  }

  const app = await buildControlPlane({
    registry,
    readiness: {
      mongodb: async () => {
        await db.command({ ping: 1 });
      },
      redis: async () => {
        await redis.ping();
      }
    },
    metricsRegistry: new MetricsRegistry(),
    internalToken: config.PLEXUS_INTERNAL_TOKEN,
    bodyLimit: config.CONTROL_PLANE_BODY_LIMIT_BYTES,
    logger: loggerOptions('control-plane', config.LOG_LEVEL)
  });

  // Drain on SIGTERM/SIGINT: stop accepting, let in-flight requests (a bulk upload too) finish,
  // then close the engines' connections; a deadline guarantees the process ends.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'draining');
    const deadline = setTimeout(() => {
      app.log.error('drain deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    await app.close();
    await mongo.close();
    redis.disconnect();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    await app.listen({ host: config.CONTROL_PLANE_HOST, port: config.CONTROL_PLANE_PORT });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`control-plane: port ${config.CONTROL_PLANE_PORT} is already in use; set CONTROL_PLANE_PORT to another port`);
      process.exit(1);
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  console.error(`control-plane: ${isPlexusError(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
