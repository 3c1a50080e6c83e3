import type { Redis } from 'ioredis';
import type { ConsumerKeys } from './consumer-keys.ts';
import type { RecordPosition } from './consumed-record.ts';
import { consumerErrors } from './errors.ts';

/** A closed shard whose every record was processed; its children may now be read. */
export const SHARD_END = 'SHARD_END';

/** The last record of a shard that was written, or SHARD_END. */
export type Checkpoint = RecordPosition | typeof SHARD_END;

// Moves the checkpoint only while the caller holds the shard's lease: a worker that lost the
// lease (stolen, or expired while it was stalled) may still be finishing a batch, and its
// checkpoint would skip records the new holder has not written.
const SAVE_IF_LEASE_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  return 1
end
return 0`;

interface CheckpointCommands {
  plexusConsumerSaveCheckpoint(leaseKey: string, checkpointsKey: string, workerId: string, shardId: string, checkpoint: string): Promise<number>;
}

/** Checkpoints of one application's consumers of one stream, one hash field per shard. */
export class CheckpointStore {
  readonly #redis: Redis;
  readonly #keys: ConsumerKeys;

  constructor(redis: Redis, keys: ConsumerKeys) {
    this.#redis = redis;
    this.#keys = keys;
    redis.defineCommand('plexusConsumerSaveCheckpoint', { numberOfKeys: 2, lua: SAVE_IF_LEASE_OWNER });
  }

  async get(shardId: string): Promise<Checkpoint | null> {
    const stored = await this.#redis.hget(this.#keys.checkpoints, shardId);
    return stored === null ? null : parseCheckpoint(shardId, stored);
  }

  async all(): Promise<Map<string, Checkpoint>> {
    const stored = await this.#redis.hgetall(this.#keys.checkpoints);
    return new Map(Object.entries(stored).map(([shardId, value]) => [shardId, parseCheckpoint(shardId, value)]));
  }

  /** Saves the checkpoint if `workerId` holds the shard's lease; false when it does not (the checkpoint is unchanged). */
  async save(shardId: string, workerId: string, checkpoint: Checkpoint): Promise<boolean> {
    const saved = await (this.#redis as unknown as CheckpointCommands).plexusConsumerSaveCheckpoint(
      this.#keys.lease(shardId),
      this.#keys.checkpoints,
      workerId,
      shardId,
      checkpoint === SHARD_END ? SHARD_END : JSON.stringify(checkpoint)
    );
    return saved === 1;
  }
}

function parseCheckpoint(shardId: string, stored: string): Checkpoint {
  if (stored === SHARD_END) return SHARD_END;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    throw consumerErrors.malformedCheckpoint(shardId, 'not JSON');
  }
  const fields = (parsed ?? {}) as Record<string, unknown>;
  if (typeof fields['sequenceNumber'] !== 'string' || !Number.isSafeInteger(fields['subSequenceNumber']) || typeof fields['lastInKinesisRecord'] !== 'boolean') {
    throw consumerErrors.malformedCheckpoint(shardId, stored);
  }
  return parsed as RecordPosition;
}
