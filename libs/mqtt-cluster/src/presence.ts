import type { Redis } from 'ioredis';
import type { ClusterKeys } from './cluster-keys.ts';

// Which node holds which client id's session. A key per client id, set when a session starts,
// removed when it ends, and expiring unless its node renews it, so a dead node's entries vanish.

const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RENEW_BATCH = 500;

export interface PresenceEntry {
  readonly tenantId: string;
  readonly clientId: string;
}

export class Presence {
  private readonly redis: Redis;
  private readonly keys: ClusterKeys;
  private readonly nodeId: string;
  private readonly ttlMs: number;

  constructor(redis: Redis, keys: ClusterKeys, nodeId: string, ttlMs: number) {
    this.redis = redis;
    this.keys = keys;
    this.nodeId = nodeId;
    this.ttlMs = ttlMs;
    redis.defineCommand('plexusReleaseIfOwner', { numberOfKeys: 1, lua: RELEASE_IF_OWNER });
    redis.defineCommand('plexusRenewIfOwner', { numberOfKeys: 1, lua: RENEW_IF_OWNER });
  }

  /** Records this node as the holder; returns the node that held it before, if another did. */
  async claim(tenantId: string, clientId: string): Promise<string | null> {
    const previous = await this.redis.set(this.keys.presence(tenantId, clientId), this.nodeId, 'PX', this.ttlMs, 'GET');
    return previous === null || previous === this.nodeId ? null : previous;
  }

  /** Forgets the entry unless another node has claimed the client id since. */
  async release(tenantId: string, clientId: string): Promise<void> {
    await (this.redis as unknown as OwnerCommands).plexusReleaseIfOwner(this.keys.presence(tenantId, clientId), this.nodeId);
  }

  async holderOf(tenantId: string, clientId: string): Promise<string | null> {
    return this.redis.get(this.keys.presence(tenantId, clientId));
  }

  /** Renews this node's entries (in pipelined batches); entries another node took are left alone. */
  async renew(entries: Iterable<PresenceEntry>): Promise<void> {
    let pipeline = this.redis.pipeline();
    let queued = 0;
    for (const { tenantId, clientId } of entries) {
      (pipeline as unknown as OwnerCommands).plexusRenewIfOwner(this.keys.presence(tenantId, clientId), this.nodeId, String(this.ttlMs));
      if (++queued === RENEW_BATCH) {
        await pipeline.exec();
        pipeline = this.redis.pipeline();
        queued = 0;
      }
    }
    if (queued > 0) await pipeline.exec();
  }
}

interface OwnerCommands {
  plexusReleaseIfOwner(key: string, nodeId: string): Promise<number>;
  plexusRenewIfOwner(key: string, nodeId: string, ttlMs: string): Promise<number>;
}
