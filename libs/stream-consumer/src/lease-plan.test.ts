import type { Shard } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { SHARD_END, type Checkpoint } from './checkpoint-store.ts';
import { leasableShards, planLeases } from './lease-plan.ts';

const position = { sequenceNumber: '1', subSequenceNumber: 0, lastInKinesisRecord: true };

function shard(id: string, parent?: string, adjacentParent?: string): Shard {
  return { ShardId: id, ParentShardId: parent, AdjacentParentShardId: adjacentParent, HashKeyRange: undefined, SequenceNumberRange: undefined };
}

describe('leasableShards', () => {
  const split = [shard('p'), shard('a', 'p'), shard('b', 'p')];

  it('leases the children of a split only once the parent is checkpointed at its end', () => {
    expect(leasableShards(split, new Map<string, Checkpoint>([['p', position]]))).toEqual(['p']);
    expect(leasableShards(split, new Map<string, Checkpoint>([['p', SHARD_END]]))).toEqual(['a', 'b']);
  });

  it('leases the child of a merge only once both parents are at their end', () => {
    const merge = [shard('x'), shard('y'), shard('m', 'x', 'y')];
    expect(leasableShards(merge, new Map<string, Checkpoint>([['x', SHARD_END]]))).toEqual(['y']);
    expect(leasableShards(merge, new Map<string, Checkpoint>([['x', SHARD_END], ['y', SHARD_END]]))).toEqual(['m']);
  });

  it('treats a parent that aged out of the stream as drained', () => {
    expect(leasableShards([shard('a', 'gone'), shard('b', 'gone')], new Map())).toEqual(['a', 'b']);
  });
});

describe('planLeases', () => {
  const first = (): number => 0;
  const live = (...workers: string[]): Set<string> => new Set(workers);

  it('takes free shards up to its fair share', () => {
    const leasable = ['s0', 's1', 's2', 's3'];
    const owners = new Map<string, string | null>([['s0', 'w2'], ['s1', null], ['s2', null], ['s3', null]]);
    const plan = planLeases({ workerId: 'w1', leasable, owners, liveWorkers: live('w1', 'w2') }, first);
    expect(plan.take).toHaveLength(2);
    expect(plan.steal).toEqual([]);
  });

  it("steals a dead worker's shards before their leases expire", () => {
    const owners = new Map<string, string | null>([['s0', 'dead'], ['s1', 'dead']]);
    const plan = planLeases({ workerId: 'w1', leasable: ['s0', 's1'], owners, liveWorkers: live('w1') }, first);
    expect(plan.steal.map((steal) => steal.from)).toEqual(['dead', 'dead']);
  });

  it('steals one shard from a worker holding at least two more', () => {
    const owners = new Map<string, string | null>([['s0', 'w2'], ['s1', 'w2'], ['s2', 'w2'], ['s3', 'w2']]);
    const plan = planLeases({ workerId: 'w1', leasable: [...owners.keys()], owners, liveWorkers: live('w1', 'w2') }, first);
    expect(plan.steal).toHaveLength(1);
    expect(plan.steal[0]?.from).toBe('w2');
  });

  it('leaves a balance of one shard difference alone, so shards never bounce between workers', () => {
    const owners = new Map<string, string | null>([['s0', 'w2'], ['s1', 'w2'], ['s2', 'w1']]);
    const plan = planLeases({ workerId: 'w1', leasable: [...owners.keys()], owners, liveWorkers: live('w1', 'w2') }, first);
    expect(plan).toEqual({ take: [], steal: [] });
  });
});
