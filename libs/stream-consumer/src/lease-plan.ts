import type { Shard } from '@aws-sdk/client-kinesis';
import { SHARD_END, type Checkpoint } from './checkpoint-store.ts';

/**
 * The shards a worker may lease now: every shard not yet processed to its end whose parents are
 * (after a split or merge, a child's records come after its parents' for the same keys, so
 * reading a child before its parents are drained would break per-device order). A parent that
 * is no longer listed has aged out of the stream and holds nothing left to read.
 */
export function leasableShards(shards: readonly Shard[], checkpoints: ReadonlyMap<string, Checkpoint>): string[] {
  const listed = new Set(shards.map((shard) => shard.ShardId as string));
  const drained = (shardId: string | undefined): boolean => shardId === undefined || !listed.has(shardId) || checkpoints.get(shardId) === SHARD_END;
  return shards
    .filter((shard) => !drained(shard.ShardId) && drained(shard.ParentShardId) && drained(shard.AdjacentParentShardId))
    .map((shard) => shard.ShardId as string);
}

export interface LeaseSituation {
  readonly workerId: string;
  readonly leasable: readonly string[];
  /** The holder of each leasable shard's lease, null where nobody holds it. */
  readonly owners: ReadonlyMap<string, string | null>;
  readonly liveWorkers: ReadonlySet<string>;
}

export interface LeasePlan {
  /** Free shards to take. */
  readonly take: string[];
  /** Shards to take from their holder: dead workers' first, then at most one from an over-loaded live worker. */
  readonly steal: Array<{ shardId: string; from: string }>;
}

/**
 * What this worker should lease to reach its fair share, ceil(leasable / live workers). It steals
 * from a live worker only one shard per round, and only from one holding at least two more than
 * this worker, so shards move towards balance when workers join without ever bouncing back.
 */
export function planLeases(situation: LeaseSituation, random: () => number = Math.random): LeasePlan {
  const { workerId, leasable, owners, liveWorkers } = situation;
  const share = Math.ceil(leasable.length / Math.max(1, liveWorkers.size));
  const free: string[] = [];
  const orphaned: Array<{ shardId: string; from: string }> = [];
  const heldBy = new Map<string, string[]>();
  for (const shardId of leasable) {
    const owner = owners.get(shardId) ?? null;
    if (owner === null) free.push(shardId);
    else if (!liveWorkers.has(owner) && owner !== workerId) orphaned.push({ shardId, from: owner });
    else heldBy.set(owner, [...(heldBy.get(owner) ?? []), shardId]);
  }
  const held = heldBy.get(workerId)?.length ?? 0;
  let wanted = share - held;
  // Shuffled, so workers starting together reach for different shards instead of racing for one.
  const take = shuffle(free, random).slice(0, Math.max(0, wanted));
  wanted -= take.length;
  const steal = shuffle(orphaned, random).slice(0, Math.max(0, wanted));
  wanted -= steal.length;
  if (wanted > 0 && take.length === 0 && steal.length === 0) {
    const [victim, victimShards] = [...heldBy].filter(([owner]) => owner !== workerId).sort((a, b) => b[1].length - a[1].length)[0] ?? [];
    if (victim !== undefined && victimShards !== undefined && victimShards.length >= held + 2) {
      steal.push({ shardId: victimShards[Math.floor(random() * victimShards.length)] as string, from: victim });
    }
  }
  return { take, steal };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const shuffled = [...items];
  for (let index = shuffled.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [shuffled[index], shuffled[other]] = [shuffled[other] as T, shuffled[index] as T];
  }
  return shuffled;
}
