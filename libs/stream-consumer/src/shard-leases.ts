import type { Redis } from 'ioredis';
import type { ConsumerKeys } from './consumer-keys.ts';

// A lease is a key holding its owner's worker id with a PX expiry. Every change after taking it
// is a compare-and-set on the owner, so a worker can only renew, release or steal what the
// lease says it expects.
const RENEW_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const STEAL_FROM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

interface LeaseCommands {
  plexusConsumerRenewLease(key: string, workerId: string, durationMs: string): Promise<number>;
  plexusConsumerReleaseLease(key: string, workerId: string): Promise<number>;
  plexusConsumerStealLease(key: string, victimId: string, workerId: string, durationMs: string): Promise<number>;
}

/** One worker's view of the shard leases of one application's consumers of one stream. */
export class ShardLeases {
  readonly #redis: Redis;
  readonly #commands: LeaseCommands;
  readonly #keys: ConsumerKeys;
  readonly #workerId: string;
  readonly #durationMs: string;

  constructor(redis: Redis, keys: ConsumerKeys, workerId: string, durationMs: number) {
    this.#redis = redis;
    this.#commands = redis as unknown as LeaseCommands;
    this.#keys = keys;
    this.#workerId = workerId;
    this.#durationMs = String(durationMs);
    redis.defineCommand('plexusConsumerRenewLease', { numberOfKeys: 1, lua: RENEW_IF_OWNER });
    redis.defineCommand('plexusConsumerReleaseLease', { numberOfKeys: 1, lua: RELEASE_IF_OWNER });
    redis.defineCommand('plexusConsumerStealLease', { numberOfKeys: 1, lua: STEAL_FROM });
  }

  /** Takes the lease if nobody holds it (never held, released, or expired). */
  async take(shardId: string): Promise<boolean> {
    return (await this.#redis.set(this.#keys.lease(shardId), this.#workerId, 'PX', this.#durationMs, 'NX')) === 'OK';
  }

  /** Extends the lease; false when this worker no longer holds it. */
  async renew(shardId: string): Promise<boolean> {
    return (await this.#commands.plexusConsumerRenewLease(this.#keys.lease(shardId), this.#workerId, this.#durationMs)) === 1;
  }

  async release(shardId: string): Promise<void> {
    await this.#commands.plexusConsumerReleaseLease(this.#keys.lease(shardId), this.#workerId);
  }

  /** Takes the lease from `victimId` if it still holds it. */
  async steal(shardId: string, victimId: string): Promise<boolean> {
    return (await this.#commands.plexusConsumerStealLease(this.#keys.lease(shardId), victimId, this.#workerId, this.#durationMs)) === 1;
  }

  /** The holder of each shard's lease, or null where nobody holds it. */
  async owners(shardIds: readonly string[]): Promise<Map<string, string | null>> {
    if (shardIds.length === 0) return new Map();
    const owners = await this.#redis.mget(shardIds.map((shardId) => this.#keys.lease(shardId)));
    return new Map(shardIds.map((shardId, index) => [shardId, owners[index] ?? null]));
  }
}
