import type { Redis } from 'ioredis';
import type { ConsumerKeys } from './consumer-keys.ts';

// The live workers, for each worker's fair share of the shards. Scores are expiry times from
// Redis's own clock, so hosts with skewed clocks agree on who is alive.
const BEAT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], ttl * 10)
return redis.call('ZRANGE', KEYS[1], 0, -1)`;

interface RegistryCommands {
  plexusConsumerBeat(workersKey: string, workerId: string, ttlMs: string): Promise<string[]>;
}

export class WorkerRegistry {
  readonly #redis: Redis;
  readonly #keys: ConsumerKeys;
  readonly #workerId: string;
  readonly #ttlMs: string;

  constructor(redis: Redis, keys: ConsumerKeys, workerId: string, ttlMs: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#workerId = workerId;
    this.#ttlMs = String(ttlMs);
    redis.defineCommand('plexusConsumerBeat', { numberOfKeys: 1, lua: BEAT });
  }

  /** Marks this worker alive for another TTL, forgets expired workers, and returns the live ones (this one included). */
  async beat(): Promise<Set<string>> {
    return new Set(await (this.#redis as unknown as RegistryCommands).plexusConsumerBeat(this.#keys.workers, this.#workerId, this.#ttlMs));
  }

  async leave(): Promise<void> {
    await this.#redis.zrem(this.#keys.workers, this.#workerId);
  }
}
