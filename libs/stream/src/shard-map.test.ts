import type { Shard } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { hashKeyOf, ShardMap } from './shard-map.ts';

const TOP = 2n ** 128n;

function evenShards(count: number): Shard[] {
  const step = TOP / BigInt(count);
  return Array.from({ length: count }, (_, index) => ({
    ShardId: `shardId-${index}`,
    HashKeyRange: {
      StartingHashKey: (step * BigInt(index)).toString(),
      EndingHashKey: (index === count - 1 ? TOP - 1n : step * BigInt(index + 1) - 1n).toString()
    },
    SequenceNumberRange: { StartingSequenceNumber: '1' }
  }));
}

describe('hashKeyOf', () => {
  it('is the MD5 of the key as an unsigned 128-bit integer, as Kinesis computes it', () => {
    expect(hashKeyOf('')).toBe(0xd41d8cd98f00b204e9800998ecf8427en);
    expect(hashKeyOf('acme/meter-1')).toBeLessThan(TOP);
  });
});

describe('ShardMap', () => {
  it('places a key on the shard whose range holds its hash', () => {
    const map = new ShardMap(evenShards(4));
    for (let i = 0; i < 200; i++) {
      const key = `acme/device-${i}`;
      const expected = Number((hashKeyOf(key) * 4n) / TOP);
      expect(map.shardFor(key)).toBe(`shardId-${expected}`);
    }
  });

  it('gives the same answer for a key asked again, also after more keys than it remembers', () => {
    const map = new ShardMap(evenShards(4));
    const expectedFor = (key: string) => `shardId-${Number((hashKeyOf(key) * 4n) / TOP)}`;
    expect(map.shardFor('acme/device-1')).toBe(expectedFor('acme/device-1'));
    for (let i = 0; i < 40_000; i++) map.shardFor(`other/device-${i}`);
    for (const key of ['acme/device-1', 'other/device-3', 'other/device-39999']) expect(map.shardFor(key)).toBe(expectedFor(key));
  });

  it('ignores closed parent shards after a split', () => {
    const [parent] = evenShards(1) as [Shard];
    const children = evenShards(2).map((shard, index) => ({ ...shard, ShardId: `child-${index}` }));
    const map = new ShardMap([{ ...parent, SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '9' } }, ...children]);
    expect(map.shardIds).toEqual(['child-0', 'child-1']);
    expect(map.shardFor('')).toBe(hashKeyOf('') < TOP / 2n ? 'child-0' : 'child-1');
  });
});
