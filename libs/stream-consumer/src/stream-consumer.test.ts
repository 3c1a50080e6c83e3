import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { createKinesisClient, encodeRecord } from '@plexus/stream';
import { nextEvent, within } from '@plexus/test-harness';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SHARD_END, type Checkpoint } from './checkpoint-store.ts';
import type { ConsumedRecord, LeasedShard } from './consumed-record.ts';
import { ConsumerFixture, keyOf, recordOf, RecordingSink } from './consumer-fixture.test-support.ts';
import { consumerKeys } from './consumer-keys.ts';
import { KinesisReadFaults } from './kinesis-read-faults.test-support.ts';

const fixture = new ConsumerFixture();
afterEach(() => fixture.close());
afterAll(() => fixture.client.destroy());

function recordsFor(devices: number, perDevice: number): ReturnType<typeof recordOf>[] {
  return Array.from({ length: devices * perDevice }, (_, index) => recordOf(index % devices, index));
}

describe('StreamConsumer (integration: kinesalite + Redis)', () => {
  it('processes every record of every shard once, de-aggregated, each device in order', async () => {
    const streamName = await fixture.stream(4);
    const records = recordsFor(40, 10);
    await fixture.produce(streamName, records);
    const sink = new RecordingSink();
    const order = new Map<string, string[]>();
    const consumer = fixture.consumer({
      streamName,
      // Batches smaller than an aggregate, so checkpoints also fall inside aggregates.
      maxBatchRecords: 7,
      processBatch: async (batch, shard) => {
        for (const record of batch) order.set(record.deviceId, [...(order.get(record.deviceId) ?? []), record.messageId]);
        await sink.processBatch(batch, shard);
      }
    });
    await consumer.start();
    await sink.hasAll(records.map(keyOf), 15_000);
    expect(sink.seen.size).toBe(records.length);
    expect(sink.duplicates()).toEqual([]);
    expect(new Set(sink.batches.map((batch) => batch.shardId)).size).toBe(4);
    for (const [device, messageIds] of order) {
      const expected = records.filter((record) => record.deviceId === device).map((record) => record.messageId);
      expect(messageIds).toEqual(expected);
    }
    await consumer.stop();
    expect(consumer.stats().counters).toMatchObject({ records: records.length, leaseTakes: 4, undecodable: 0 });
  });

  it('checkpoints a batch only after processBatch resolved, and retries a rejected batch instead of skipping it', async () => {
    const streamName = await fixture.stream(1);
    const records = recordsFor(5, 4);
    await fixture.produce(streamName, records);
    const sink = new RecordingSink();
    const events: string[] = [];
    let rejections = 2;
    const consumer = fixture.consumer({
      streamName,
      maxBatchRecords: 5,
      processBatch: async (batch, shard) => {
        if (rejections-- > 0) {
          events.push(`rejected ${keyOf(batch[0] as ConsumedRecord)}`);
          throw new Error('store unavailable');
        }
        events.push(`written ${keyOf(batch[0] as ConsumedRecord)}`);
        await sink.processBatch(batch, shard);
      }
    });
    consumer.on('checkpointed', (_shardId, checkpoint: Checkpoint) => events.push(`checkpoint ${checkpoint === SHARD_END ? 'end' : checkpoint.subSequenceNumber}`));
    await consumer.start();
    await sink.hasAll(records.map(keyOf), 10_000);
    const first = keyOf(records[0] as ConsumedRecord);
    expect(events.slice(0, 4)).toEqual([`rejected ${first}`, `rejected ${first}`, `written ${first}`, 'checkpoint 4']);
    expect(consumer.stats().counters.batchFailures).toBe(2);
    expect(sink.duplicates()).toEqual([]);
  });

  it('resumes after a graceful stop exactly after the checkpoint, even inside an aggregate', async () => {
    const streamName = await fixture.stream(1);
    const records = recordsFor(3, 10);
    await fixture.produce(streamName, records);
    const sink = new RecordingSink();
    const first = fixture.consumer({ streamName, maxBatchRecords: 4, processBatch: sink.processBatch });
    const checkpointed = nextEvent(first, 'checkpointed', 10_000);
    await first.start();
    const [, checkpoint] = (await checkpointed) as [string, Checkpoint];
    await first.stop();
    expect(checkpoint).toMatchObject({ subSequenceNumber: 3, lastInKinesisRecord: false });
    expect(sink.seen.size).toBeLessThan(records.length);
    const second = fixture.consumer({ streamName, maxBatchRecords: 4, processBatch: sink.processBatch });
    await second.start();
    await sink.hasAll(records.map(keyOf), 10_000);
    expect(sink.duplicates()).toEqual([]);
  });

  it('splits the shards between two consumers, which together see every record exactly once', async () => {
    const streamName = await fixture.stream(4);
    const records = recordsFor(40, 5);
    const sink = new RecordingSink();
    const one = fixture.consumer({ streamName, processBatch: sink.processBatch });
    const two = fixture.consumer({ streamName, processBatch: sink.processBatch });
    const balanced = within(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (one.heldShards.length === 2 && two.heldShards.length === 2) resolve();
        };
        for (const consumer of [one, two]) for (const event of ['leaseTaken', 'leaseLost'] as const) consumer.on(event, check);
      }),
      10_000,
      'two shards each'
    );
    await Promise.all([one.start(), two.start()]);
    await balanced;
    await fixture.produce(streamName, records);
    await sink.hasAll(records.map(keyOf), 15_000);
    expect(sink.seen.size).toBe(records.length);
    expect(sink.duplicates()).toEqual([]);
    await Promise.all([one.stop(), two.stop()]);
    expect(one.stats().counters.records).toBeGreaterThan(0);
    expect(two.stats().counters.records).toBeGreaterThan(0);
    expect(one.stats().counters.records + two.stats().counters.records).toBe(records.length);
  });

  it('moves shards to a worker that joins until both hold their share', async () => {
    const streamName = await fixture.stream(4);
    const sink = new RecordingSink();
    const first = fixture.consumer({ streamName, processBatch: sink.processBatch });
    await first.start();
    expect(first.heldShards).toHaveLength(4);
    const joiner = fixture.consumer({ streamName, processBatch: sink.processBatch });
    const lostTwo = within(
      new Promise<void>((resolve) => first.on('leaseLost', () => first.heldShards.length === 2 && resolve())),
      10_000,
      'two leases moved to the joiner'
    );
    await joiner.start();
    await lostTwo;
    expect(joiner.stats().counters.leaseSteals).toBe(2);
    expect(joiner.heldShards).toHaveLength(2);
  });

  it('releases its lease when it stops, and another consumer takes it at once and goes on from the checkpoint', async () => {
    const streamName = await fixture.stream(1);
    const before = recordsFor(10, 3);
    await fixture.produce(streamName, before);
    const sink = new RecordingSink();
    // Leases that outlive the test: only a release lets the other worker take the shard in time.
    const leaving = fixture.consumer({ streamName, leaseDurationMs: 60_000, processBatch: sink.processBatch });
    await leaving.start();
    await sink.hasAll(before.map(keyOf), 10_000);
    const staying = fixture.consumer({ streamName, leaseDurationMs: 60_000, processBatch: sink.processBatch });
    await staying.start();
    expect(staying.heldShards).toEqual([]);
    const taken = nextEvent(staying, 'leaseTaken', 5_000);
    await leaving.stop();
    expect(await taken).toEqual(['shardId-000000000000', null]);
    const after = recordsFor(10, 2).map((record) => ({ ...record, messageId: `after-${record.messageId}` }));
    await fixture.produce(streamName, after);
    await sink.hasAll(after.map(keyOf), 10_000);
    expect(sink.duplicates()).toEqual([]);
  });

  it('takes the shard of a live worker that stopped renewing once its lease expires', async () => {
    const streamName = await fixture.stream(1);
    const redis = fixture.redis();
    const keys = consumerKeys(streamName, 'test');
    const stalledAt = Date.now();
    await redis.zadd(keys.workers, Date.now() + 600_000, 'stalled');
    await redis.set(keys.lease('shardId-000000000000'), 'stalled', 'PX', 1_500);
    const consumer = fixture.consumer({ streamName, processBatch: new RecordingSink().processBatch });
    const taken = nextEvent(consumer, 'leaseTaken', 10_000);
    await consumer.start();
    expect(await taken).toEqual(['shardId-000000000000', null]);
    expect(Date.now() - stalledAt).toBeGreaterThanOrEqual(1_500);
    await redis.zrem(keys.workers, 'stalled');
  });

  it('steals at once the lease of a worker gone from the registry', async () => {
    const streamName = await fixture.stream(1);
    const redis = fixture.redis();
    const keys = consumerKeys(streamName, 'test');
    await redis.set(keys.lease('shardId-000000000000'), 'gone', 'PX', 60_000);
    const consumer = fixture.consumer({ streamName, processBatch: new RecordingSink().processBatch });
    const taken = nextEvent(consumer, 'leaseTaken', 2_000);
    await consumer.start();
    expect(await taken).toEqual(['shardId-000000000000', 'gone']);
    expect(consumer.stats().counters).toMatchObject({ leaseSteals: 1, leaseTakes: 0 });
  });

  it('hands undecodable records to onUndecodable with the reason, checkpoints past them and goes on', async () => {
    const streamName = await fixture.stream(1);
    const send = (data: Uint8Array) => fixture.client.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: 'acme/dev-0', Data: data }));
    const good = [recordOf(0, 1), recordOf(0, 2)];
    // A KPL magic number followed by bytes that are no aggregate (its checksum cannot match).
    const badAggregate = Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), Buffer.alloc(40, 7)]);
    await send(encodeRecord(good[0] as ConsumedRecord));
    await send(Buffer.from('not a plexus record'));
    await send(badAggregate);
    await send(encodeRecord(good[1] as ConsumedRecord));
    const deadLetters: Array<{ raw: string; reason: string }> = [];
    const sink = new RecordingSink();
    const consumer = fixture.consumer({
      streamName,
      processBatch: sink.processBatch,
      onUndecodable: async (raw, reason) => {
        deadLetters.push({ raw: Buffer.from(raw).toString('hex'), reason });
      }
    });
    await consumer.start();
    await sink.hasAll(good.map(keyOf), 10_000);
    await consumer.stop();
    expect(deadLetters).toEqual([
      { raw: Buffer.from('not a plexus record').toString('hex'), reason: expect.stringContaining('PLX_STREAM_MALFORMED_RECORD') },
      { raw: badAggregate.toString('hex'), reason: expect.stringContaining('not a valid KPL aggregate') }
    ]);
    expect(consumer.stats().counters).toMatchObject({ undecodable: 2, records: 2 });
  });

  it('passes processBatch a signal that aborts when the lease is lost, and never checkpoints after the loss', async () => {
    const streamName = await fixture.stream(1);
    await fixture.produce(streamName, recordsFor(2, 2));
    const redis = fixture.redis();
    const keys = consumerKeys(streamName, 'test');
    let finishBatch: () => void = () => undefined;
    let checkpoints = 0;
    let reachBatch: (shard: LeasedShard) => void = () => undefined;
    const inBatch = new Promise<LeasedShard>((resolve) => (reachBatch = resolve));
    const consumer = fixture.consumer({
      streamName,
      processBatch: (_batch, shard) =>
        new Promise<void>((done) => {
          finishBatch = done;
          reachBatch(shard);
        })
    });
    consumer.on('checkpointed', () => checkpoints++);
    await consumer.start();
    try {
      const shard = await within(inBatch, 10_000, 'a batch in flight');
      // A live worker takes the lease over, as a steal by a joining worker would.
      await redis.zadd(keys.workers, Date.now() + 600_000, 'thief');
      await redis.set(keys.lease(shard.shardId), 'thief', 'PX', 60_000);
      await within(new Promise((resolve) => shard.signal.addEventListener('abort', resolve)), 5_000, 'the batch signal aborted');
    } finally {
      finishBatch();
    }
    // Stopping waits for the batch that was in flight when the lease went.
    await consumer.stop();
    await redis.zrem(keys.workers, 'thief');
    expect(checkpoints).toBe(0);
    expect(consumer.stats().counters.leaseLosses).toBe(1);
    expect(await redis.hget(keys.checkpoints, 'shardId-000000000000')).toBeNull();
  });

  it('stops reading a shard once Redis has been unreachable for a lease duration, since another worker may hold it by then', async () => {
    const streamName = await fixture.stream(1);
    await fixture.produce(streamName, recordsFor(2, 2));
    const redis = fixture.redis();
    let finishBatch: () => void = () => undefined;
    let reachBatch: (shard: LeasedShard) => void = () => undefined;
    const inBatch = new Promise<LeasedShard>((resolve) => (reachBatch = resolve));
    const consumer = fixture.consumer({
      streamName,
      redis,
      leaseDurationMs: 1_000,
      processBatch: (_batch, shard) =>
        new Promise<void>((done) => {
          finishBatch = done;
          reachBatch(shard);
        })
    });
    consumer.on('failure', () => undefined);
    await consumer.start();
    try {
      const shard = await within(inBatch, 10_000, 'a batch in flight');
      const cutAt = Date.now();
      redis.disconnect();
      await within(new Promise((resolve) => shard.signal.addEventListener('abort', resolve)), 5_000, 'the batch signal aborted');
      expect(Date.now() - cutAt).toBeLessThan(3_000);
      expect(consumer.stats().counters.leaseLosses).toBe(1);
    } finally {
      finishBatch();
    }
  });

  it('keeps a shard it took back while the reader of its lost lease was still finishing a batch', async () => {
    const streamName = await fixture.stream(1);
    const first = recordsFor(2, 2);
    await fixture.produce(streamName, first);
    const redis = fixture.redis();
    const keys = consumerKeys(streamName, 'test');
    const sink = new RecordingSink();
    let finishStaleBatch: () => void = () => undefined;
    let reachBatch: (shard: LeasedShard) => void = () => undefined;
    const inBatch = new Promise<LeasedShard>((resolve) => (reachBatch = resolve));
    let calls = 0;
    const consumer = fixture.consumer({
      streamName,
      processBatch: (batch, shard) => {
        if (calls++ > 0) return sink.processBatch(batch, shard);
        return new Promise<void>((done) => {
          finishStaleBatch = done;
          reachBatch(shard);
        });
      }
    });
    await consumer.start();
    try {
      const shard = await within(inBatch, 10_000, 'a batch in flight');
      await redis.zadd(keys.workers, Date.now() + 600_000, 'thief');
      await redis.set(keys.lease(shard.shardId), 'thief', 'PX', 60_000);
      await within(new Promise((resolve) => shard.signal.addEventListener('abort', resolve)), 5_000, 'the batch signal aborted');
      const retaken = nextEvent(consumer, 'leaseTaken', 5_000);
      await redis.multi().del(keys.lease(shard.shardId)).zrem(keys.workers, 'thief').exec();
      await retaken;
    } finally {
      finishStaleBatch();
    }
    await sink.hasAll(first.map(keyOf), 10_000);
    expect(consumer.heldShards).toEqual(['shardId-000000000000']);
    const later = recordsFor(2, 1).map((record) => ({ ...record, messageId: `later-${record.messageId}` }));
    await fixture.produce(streamName, later);
    await sink.hasAll(later.map(keyOf), 10_000);
    expect(consumer.stats().counters.leaseLosses).toBe(1);
  });

  it('starts again from the checkpoint when a read fails with an expired iterator, and keeps its iterator when throttled', async () => {
    const streamName = await fixture.stream(1);
    const records = recordsFor(4, 5);
    // One Kinesis record each, so reads of five records take several pages.
    for (const record of records) {
      await fixture.client.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: `${record.tenantId}/${record.deviceId}`, Data: encodeRecord(record) }));
    }
    const faults = new KinesisReadFaults(fixture.kinesisEndpoint);
    await faults.listen();
    faults.failGetRecords(2, 'ExpiredIteratorException');
    faults.failGetRecords(3, 'ExpiredIteratorException');
    faults.failGetRecords(4, 'ProvisionedThroughputExceededException');
    const client = createKinesisClient({ endpoint: faults.url });
    try {
      const sink = new RecordingSink();
      const consumer = fixture.consumer({ streamName, client, maxRecordsPerRead: 5, processBatch: sink.processBatch });
      consumer.on('failure', () => undefined);
      await consumer.start();
      await sink.hasAll(records.map(keyOf), 10_000);
      await consumer.stop();
      expect(sink.duplicates()).toEqual([]);
      expect(sink.batches.map((batch) => batch.keys.length)).toEqual([5, 5, 5, 5]);
      expect(consumer.stats().counters.readFailures).toBe(3);
      // The first iterator and one after each expired one; throttling kept its iterator.
      expect(faults.getShardIteratorCalls).toBe(3);
    } finally {
      client.destroy();
      await faults.close();
    }
  });
});
