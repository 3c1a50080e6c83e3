// A consumer in its own process, for the crash test: it writes every record into an idempotent
// sink (a Redis hash keyed by tenant/device/message id, counting the writes of each key) and
// reports the sink's size to its parent after each batch. SIGTERM stops it gracefully.
import { setTimeout as delay } from 'node:timers/promises';
import { createKinesisClient } from '@plexus/stream';
import { Redis } from 'ioredis';
import { StreamConsumer } from './stream-consumer.ts';

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

const sinkKey = setting('SINK_KEY');
const sinkLatencyMs = Number(setting('SINK_LATENCY_MS'));
const redis = new Redis(setting('REDIS_URL'));
const client = createKinesisClient({ endpoint: setting('KINESIS_ENDPOINT') });
const report = (message: object): void => {
  process.send?.(message);
};

const consumer = new StreamConsumer({
  client,
  redis,
  streamName: setting('STREAM_NAME'),
  application: 'crash-test',
  workerId: setting('WORKER_ID'),
  leaseDurationMs: 1_500,
  renewIntervalMs: 200,
  rebalanceIntervalMs: 100,
  idlePollMs: 20,
  maxBatchRecords: 25,
  retryBaseMs: 10,
  retryMaxMs: 100,
  processBatch: async (records) => {
    // Written in two halves, so a kill can land between the writes of one batch.
    const half = Math.ceil(records.length / 2);
    for (const part of [records.slice(0, half), records.slice(half)]) {
      const pipeline = redis.pipeline();
      for (const record of part) pipeline.hincrby(sinkKey, `${record.tenantId}/${record.deviceId}/${record.messageId}`, 1);
      await pipeline.exec();
      await delay(sinkLatencyMs);
    }
    report({ stored: await redis.hlen(sinkKey) });
  },
  onUndecodable: async (_raw, reason) => {
    throw new Error(`undecodable record in the crash test: ${reason}`);
  }
});

process.once('SIGTERM', () => {
  void consumer.stop().then(() => {
    redis.disconnect();
    client.destroy();
    process.exit(0);
  });
});

await consumer.start();
report({ started: consumer.workerId });
