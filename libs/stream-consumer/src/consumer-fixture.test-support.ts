import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient, ensureStream, KinesisProducer, type StreamRecord } from '@plexus/stream';
import { testEngines, uniqueDatabaseName, within } from '@plexus/test-harness';
import { Redis } from 'ioredis';
import type { ConsumedRecord, LeasedShard } from './consumed-record.ts';
import { StreamConsumer, type StreamConsumerOptions } from './stream-consumer.ts';

export function recordOf(device: number, sequence: number): StreamRecord {
  return {
    tenantId: 'acme',
    deviceId: `dev-${device}`,
    messageId: `m-${sequence}`,
    receivedAt: 1_795_000_000_000 + sequence,
    kind: 'telemetry',
    topic: `devices/dev-${device}/telemetry`,
    payload: Buffer.from(JSON.stringify({ t: sequence }))
  };
}

export function keyOf(record: Pick<StreamRecord, 'tenantId' | 'deviceId' | 'messageId'>): string {
  return `${record.tenantId}/${record.deviceId}/${record.messageId}`;
}

/** Records processed by one or more consumers, with a promise for the moment a set of keys is complete. */
export class RecordingSink {
  readonly batches: Array<{ shardId: string; keys: string[] }> = [];
  readonly seen = new Map<string, number>();
  #waiters: Array<{ expected: ReadonlySet<string>; resolve: () => void }> = [];

  readonly processBatch = async (records: ConsumedRecord[], shard: LeasedShard): Promise<void> => {
    const keys = records.map(keyOf);
    this.batches.push({ shardId: shard.shardId, keys });
    for (const key of keys) this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
    this.#waiters = this.#waiters.filter((waiter) => {
      const complete = [...waiter.expected].every((key) => this.seen.has(key));
      if (complete) waiter.resolve();
      return !complete;
    });
  };

  /** Resolves once every key has been processed at least once. */
  hasAll(expected: Iterable<string>, ms: number): Promise<void> {
    const keys = new Set(expected);
    if ([...keys].every((key) => this.seen.has(key))) return Promise.resolve();
    return within(new Promise<void>((resolve) => this.#waiters.push({ expected: keys, resolve })), ms, `all ${keys.size} records processed`);
  }

  duplicates(): string[] {
    return [...this.seen].filter(([, count]) => count > 1).map(([key]) => key);
  }
}

/** A test's engines, streams and consumers; `close()` stops and closes all of them. */
export class ConsumerFixture {
  readonly client: KinesisClient;
  readonly redisUrl: string;
  readonly kinesisEndpoint: string;
  readonly #redis: Redis[] = [];
  readonly #consumers: StreamConsumer[] = [];

  constructor() {
    const engines = testEngines();
    this.redisUrl = engines.redisUrl;
    this.kinesisEndpoint = engines.kinesisEndpoint;
    this.client = createKinesisClient({ endpoint: engines.kinesisEndpoint });
  }

  redis(): Redis {
    const redis = new Redis(this.redisUrl);
    this.#redis.push(redis);
    return redis;
  }

  async stream(shards: number): Promise<string> {
    const name = uniqueDatabaseName('consumer');
    await ensureStream(this.client, name, shards);
    return name;
  }

  /** Writes the records through the gateway's producer (KPL-aggregated, partitioned by device). */
  async produce(streamName: string, records: readonly StreamRecord[]): Promise<void> {
    const producer = new KinesisProducer({ client: this.client, streamName });
    try {
      await Promise.all(records.map((record) => producer.put(record)));
    } finally {
      await producer.close();
    }
  }

  consumer(options: Pick<StreamConsumerOptions, 'streamName' | 'processBatch'> & Partial<StreamConsumerOptions>): StreamConsumer {
    const consumer = new StreamConsumer({
      client: this.client,
      application: 'test',
      redis: this.redis(),
      leaseDurationMs: 3_000,
      renewIntervalMs: 200,
      rebalanceIntervalMs: 100,
      idlePollMs: 20,
      retryBaseMs: 10,
      retryMaxMs: 100,
      onUndecodable: async () => undefined,
      ...options
    });
    this.#consumers.push(consumer);
    return consumer;
  }

  async close(): Promise<void> {
    for (const consumer of this.#consumers.splice(0)) await consumer.stop();
    for (const redis of this.#redis.splice(0)) redis.disconnect();
  }
}
