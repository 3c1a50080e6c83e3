import type { Redis } from 'ioredis';
import type { ClusterKeys } from './cluster-keys.ts';

export interface MembershipTiming {
  /** A node that has not renewed its liveness key for this long is dead. */
  readonly livenessTtlMs: number;
  readonly heartbeatMs: number;
}

export const DEFAULT_MEMBERSHIP_TIMING: MembershipTiming = { livenessTtlMs: 15_000, heartbeatMs: 5_000 };

/**
 * This node's membership of the gateway cluster: a liveness key renewed on a heartbeat, and at
 * each beat a look at the other members, reaping those whose key expired (a node killed with
 * SIGKILL leaves its filters and presence behind; they must not attract messages for long).
 * Reaping is idempotent, so every node may do it.
 */
export class NodeMembership {
  private readonly redis: Redis;
  private readonly keys: ClusterKeys;
  readonly nodeId: string;
  private readonly timing: MembershipTiming;
  private readonly onNodeGone: (nodeId: string) => void;
  private live = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(redis: Redis, keys: ClusterKeys, nodeId: string, onNodeGone: (nodeId: string) => void, timing: MembershipTiming = DEFAULT_MEMBERSHIP_TIMING) {
    this.redis = redis;
    this.keys = keys;
    this.nodeId = nodeId;
    this.onNodeGone = onNodeGone;
    this.timing = timing;
  }

  /** Live nodes as of the last heartbeat, this one included. */
  get liveNodes(): ReadonlySet<string> {
    return this.live;
  }

  /** Asks Redis, not the view of the last heartbeat: a node that joined since then is alive too. */
  async isLive(nodeId: string): Promise<boolean> {
    return this.live.has(nodeId) || (await this.redis.exists(this.keys.nodeAlive(nodeId))) === 1;
  }

  async join(): Promise<void> {
    await this.redis.multi().set(this.keys.nodeAlive(this.nodeId), '1', 'PX', this.timing.livenessTtlMs).sadd(this.keys.nodes, this.nodeId).exec();
    await this.beat();
    this.timer = setInterval(() => {
      this.beat().catch(() => {
        // Redis unreachable: the next beat tries again; the liveness key outlives a few misses.
      });
    }, this.timing.heartbeatMs);
    this.timer.unref();
  }

  async leave(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reap(this.nodeId);
  }

  /** Renews this node's liveness and refreshes the view of the others. */
  async beat(): Promise<void> {
    await this.redis.set(this.keys.nodeAlive(this.nodeId), '1', 'PX', this.timing.livenessTtlMs);
    const members = await this.redis.smembers(this.keys.nodes);
    const alive = members.length === 0 ? [] : await this.redis.mget(members.map((member) => this.keys.nodeAlive(member)));
    const live = new Set<string>([this.nodeId]);
    const dead: string[] = [];
    members.forEach((member, index) => (alive[index] === null ? dead.push(member) : live.add(member)));
    for (const nodeId of this.live) if (!live.has(nodeId)) this.onNodeGone(nodeId);
    this.live = live;
    await Promise.all(dead.map((nodeId) => this.reap(nodeId)));
  }

  private async reap(nodeId: string): Promise<void> {
    await this.redis
      .multi()
      .del(this.keys.nodeAlive(nodeId), this.keys.nodeFilters(nodeId))
      .srem(this.keys.nodes, nodeId)
      .publish(this.keys.directoryChanges, JSON.stringify({ op: 'gone', nodeId }))
      .exec();
  }
}
