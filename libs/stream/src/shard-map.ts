import { createHash } from 'node:crypto';
import { ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';

interface HashRange {
  readonly shardId: string;
  readonly start: bigint;
  readonly end: bigint;
}

/** Kinesis places a record by the MD5 of its partition key, read as an unsigned 128-bit big-endian integer. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

const MAX_CACHED_KEYS = 32_768;

/**
 * The open shards of a stream and their hash-key ranges, so the producer can tell which user
 * records land on the same shard (only those may share an aggregated record) the way the KPL
 * does. A stale map is harmless for correctness (Kinesis routes by the aggregate's own key) and
 * is noticed when PutRecords answers with a shard other than the predicted one.
 */
export class ShardMap {
  readonly #ranges: readonly HashRange[];
  /**
   * Shard by partition key. A device's key comes back with each of its records, and the MD5 and
   * the 128-bit compare were the producer's largest cost per record. Bounded: a gateway worker
   * holds fewer devices than this, and when a larger population passes through it starts over.
   */
  readonly #shardByKey = new Map<string, string>();

  constructor(shards: readonly Shard[]) {
    this.#ranges = shards
      .filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined)
      .map((shard) => ({
        shardId: shard.ShardId as string,
        start: BigInt(shard.HashKeyRange?.StartingHashKey as string),
        end: BigInt(shard.HashKeyRange?.EndingHashKey as string)
      }))
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    if (this.#ranges.length === 0) throw new Error('the stream has no open shard');
  }

  get shardIds(): readonly string[] {
    return this.#ranges.map((range) => range.shardId);
  }

  shardFor(partitionKey: string): string {
    let shardId = this.#shardByKey.get(partitionKey);
    if (shardId === undefined) {
      if (this.#shardByKey.size >= MAX_CACHED_KEYS) this.#shardByKey.clear();
      shardId = this.#lookUp(hashKeyOf(partitionKey));
      this.#shardByKey.set(partitionKey, shardId);
    }
    return shardId;
  }

  #lookUp(hash: bigint): string {
    let low = 0;
    let high = this.#ranges.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.#ranges[middle] as HashRange).start <= hash) low = middle;
      else high = middle - 1;
    }
    return (this.#ranges[low] as HashRange).shardId;
  }
}

/** Every shard of the stream (open and closed), following ListShards pages. */
export async function listAllShards(client: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    // The API refuses StreamName together with NextToken.
    const page = await client.send(new ListShardsCommand(nextToken === undefined ? { StreamName: streamName } : { NextToken: nextToken }));
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return shards;
}

export async function loadShardMap(client: KinesisClient, streamName: string): Promise<ShardMap> {
  return new ShardMap(await listAllShards(client, streamName));
}
