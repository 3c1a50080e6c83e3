import { MergeShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { ensureStream } from '@plexus/stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SHARD_END } from './checkpoint-store.ts';
import { ConsumerFixture, keyOf, recordOf, RecordingSink } from './consumer-fixture.test-support.ts';
import { consumerKeys } from './consumer-keys.ts';

const fixture = new ConsumerFixture();
afterEach(() => fixture.close());
afterAll(() => fixture.client.destroy());

// kinesalite 3.3.3 implements SplitShard and MergeShards (not UpdateShardCount), numbering new
// shards after the existing ones, and ends a closed shard's reads with no next iterator.
const PARENT = 'shardId-000000000000';
const LOW_CHILD = 'shardId-000000000001';
const HIGH_CHILD = 'shardId-000000000002';
const MERGED = 'shardId-000000000003';

function generation(name: string, devices: number): ReturnType<typeof recordOf>[] {
  return Array.from({ length: devices * 3 }, (_, index) => ({ ...recordOf(index % devices, index), messageId: `${name}-${index}` }));
}

describe('StreamConsumer across a reshard (integration: kinesalite + Redis)', () => {
  it('drains a parent before its children after a split, and both children before their merged child', async () => {
    const streamName = await fixture.stream(1);
    const beforeSplit = generation('split', 30);
    await fixture.produce(streamName, beforeSplit);
    await fixture.client.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: PARENT, NewStartingHashKey: (2n ** 127n).toString() }));
    await ensureStream(fixture.client, streamName, 1);
    const beforeMerge = generation('merge', 30);
    await fixture.produce(streamName, beforeMerge);
    await fixture.client.send(new MergeShardsCommand({ StreamName: streamName, ShardToMerge: LOW_CHILD, AdjacentShardToMerge: HIGH_CHILD }));
    await ensureStream(fixture.client, streamName, 1);
    const afterMerge = generation('after', 30);
    await fixture.produce(streamName, afterMerge);

    const sink = new RecordingSink();
    const consumer = fixture.consumer({ streamName, maxBatchRecords: 10, processBatch: sink.processBatch });
    const ended: string[] = [];
    consumer.on('shardEnded', (shardId) => ended.push(shardId));
    await consumer.start();
    const all = [...beforeSplit, ...beforeMerge, ...afterMerge];
    await sink.hasAll(all.map(keyOf), 20_000);
    await consumer.stop();

    expect(sink.seen.size).toBe(all.length);
    expect(sink.duplicates()).toEqual([]);
    const shardsInOrder = sink.batches.map((batch) => batch.shardId);
    const lastOf = (shardId: string): number => shardsInOrder.lastIndexOf(shardId);
    const firstOf = (shardId: string): number => shardsInOrder.indexOf(shardId);
    expect(new Set(shardsInOrder)).toEqual(new Set([PARENT, LOW_CHILD, HIGH_CHILD, MERGED]));
    expect(lastOf(PARENT)).toBeLessThan(Math.min(firstOf(LOW_CHILD), firstOf(HIGH_CHILD)));
    expect(Math.max(lastOf(LOW_CHILD), lastOf(HIGH_CHILD))).toBeLessThan(firstOf(MERGED));
    expect(ended.sort()).toEqual([PARENT, LOW_CHILD, HIGH_CHILD]);
    const checkpoints = await fixture.redis().hgetall(consumerKeys(streamName, 'test').checkpoints);
    expect([checkpoints[PARENT], checkpoints[LOW_CHILD], checkpoints[HIGH_CHILD]]).toEqual([SHARD_END, SHARD_END, SHARD_END]);
    expect(JSON.parse(checkpoints[MERGED] as string)).toMatchObject({ lastInKinesisRecord: true });
  });
});
