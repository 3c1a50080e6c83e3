import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { loadConfigOrExit } from '@plexus/config';
import { ControlPlaneLookups, subscribeToRevocations } from '@plexus/device-auth-client';
import { isPlexusError } from '@plexus/errors';
import { PlatformPublisher } from '@plexus/mqtt-cluster';
import { createLogger, loggerOptions, MetricsRegistry } from '@plexus/observability';
import { createKinesisClient } from '@plexus/stream';
import { StreamConsumer } from '@plexus/stream-consumer';
import { MongoDeadLetterStore, ShadowService, TelemetryIngestor } from '@plexus/telemetry-ingest';
import { buildDataPlane } from './app.ts';
import { loadDataPlaneConfig } from './config.ts';
import { registerDataPlaneMetrics } from './data-plane-metrics.ts';
import { RulesRuntime } from './rules-runtime.ts';
import { openDataStores } from './stores.ts';

const SHUTDOWN_DEADLINE_MS = 20_000;
/** Leases and checkpoints of this plane's consumers; the ops plane reads the same stream under its own name. */
const CONSUMER_APPLICATION = 'data-plane';

async function main(): Promise<void> {
  const config = loadConfigOrExit('data-plane', loadDataPlaneConfig);
  const log = createLogger('data-plane', config.LOG_LEVEL);

  const mongo = await MongoClient.connect(config.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 });
  const db = mongo.db(config.MONGODB_DATABASE);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const subscriber = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const stores = await openDataStores(config);
  log.info({ store: stores.kind }, 'stores open');

  const lookups = new ControlPlaneLookups({ controlPlaneUrl: config.CONTROL_PLANE_URL, internalToken: config.PLEXUS_INTERNAL_TOKEN });
  const stopRevocations = await subscribeToRevocations(subscriber, lookups, (message) => log.warn({ message }, 'malformed revocation event'));
  const platformPublisher = new PlatformPublisher(redis, config.CLUSTER_NAMESPACE);
  const shadows = new ShadowService(stores.shadows, platformPublisher, (error) =>
    log.warn({ err: error }, 'a shadow answer could not be published to the device')
  );
  const deadLetters = new MongoDeadLetterStore(db);
  const kinesis = createKinesisClient(config.KINESIS_ENDPOINT === undefined ? {} : { endpoint: config.KINESIS_ENDPOINT });
  const ruleChanges = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  // Assigned below: the rules read the consumer's shard leases, and the consumer feeds the rules.
  let rules: RulesRuntime | null = null;
  const ingestor = new TelemetryIngestor({
    timeSeries: stores.timeSeries,
    shadows,
    deadLetters,
    devices: lookups,
    maxPayloadBytes: config.TELEMETRY_MAX_PAYLOAD_BYTES,
    defaultRetentionSeconds: config.TELEMETRY_RETENTION_DAYS * 24 * 3600,
    onPointsStored: async (points) => rules?.onPointsStored(points)
  });
  const consumer = config.STREAM_CONSUMER
    ? new StreamConsumer({
        client: kinesis,
        streamName: config.KINESIS_STREAM,
        application: CONSUMER_APPLICATION,
        redis,
        processBatch: (records) => ingestor.processBatch(records),
        onUndecodable: (raw, reason, origin) => ingestor.deadLetterUndecodable(raw, reason, origin),
        logger: log
      })
    : null;
  consumer?.on('failure', (error, context) => log.warn({ err: error, ...context }, 'stream consumer failure; retrying'));
  rules = new RulesRuntime({
    db,
    redis,
    subscriber: ruleChanges,
    redisUrl: config.REDIS_URL,
    publisher: platformPublisher,
    consumer,
    kinesis,
    streamName: config.KINESIS_STREAM,
    absenceCheckMs: config.RULES_ABSENCE_CHECK_MS,
    log
  });
  await rules.start();

  const metricsRegistry = new MetricsRegistry();
  registerDataPlaneMetrics(metricsRegistry, { consumer, ingestor, shadows, lookups });
  const app = await buildDataPlane({
    timeSeries: stores.timeSeries,
    shadows,
    deadLetters,
    rules: rules.rules,
    alerts: rules.alerts,
    now: Date.now,
    keys: lookups,
    readiness: {
      mongodb: async () => {
        await db.command({ ping: 1 });
      },
      redis: async () => {
        await redis.ping();
      }
    },
    metricsRegistry,
    bodyLimit: config.DATA_PLANE_BODY_LIMIT_BYTES,
    logger: loggerOptions('data-plane', config.LOG_LEVEL)
  });

  // SIGTERM drains: stop taking requests, let the batch in flight be written and checkpointed,
  // hand the shard leases back so another worker goes on at once, then close the stores.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    setTimeout(() => {
      log.error('drain deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    await app.close();
    await consumer?.stop();
    await rules?.stop();
    await stopRevocations();
    await stores.close();
    await mongo.close();
    subscriber.disconnect();
    ruleChanges.disconnect();
    await redis.quit();
    kinesis.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    await app.listen({ host: config.DATA_PLANE_HOST, port: config.DATA_PLANE_PORT });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`data-plane: port ${config.DATA_PLANE_PORT} is already in use; set DATA_PLANE_PORT to another port`);
      process.exit(1);
    }
    throw error;
  }
  await consumer?.start();
}

main().catch((error: unknown) => {
  console.error(`data-plane: ${isPlexusError(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
