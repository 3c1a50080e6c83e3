import type { Redis } from 'ioredis';
import { SubscriptionTable, type Delivery } from '@plexus/mqtt-routing';
import type { ClusterKeys } from './cluster-keys.ts';

// Which nodes want which messages. Each node announces the mounted filters its subscribers hold
// (once per filter however many local subscribers share it) in a Redis set of its own and as a
// change event; every node keeps the others' filters in a trie of node ids, so deciding where a
// message goes costs one match, and only messages someone subscribed to cross Redis.

type DirectoryChange = { op: 'add' | 'remove'; nodeId: string; filter: string } | { op: 'gone'; nodeId: string };

function parseChange(text: string): DirectoryChange | null {
  try {
    const change: unknown = JSON.parse(text);
    if (typeof change !== 'object' || change === null || !('op' in change) || !('nodeId' in change) || typeof change.nodeId !== 'string') return null;
    if (change.op === 'gone') return { op: 'gone', nodeId: change.nodeId };
    if ((change.op === 'add' || change.op === 'remove') && 'filter' in change && typeof change.filter === 'string') {
      return { op: change.op, nodeId: change.nodeId, filter: change.filter };
    }
  } catch {
    // not JSON: ignored like any other malformed change
  }
  return null;
}

export class FilterDirectory {
  private readonly redis: Redis;
  private readonly keys: ClusterKeys;
  private readonly nodeId: string;
  private readonly localCounts = new Map<string, number>();
  /** Other nodes' filters; the subscriber of each entry is a node id. */
  private readonly remote = new SubscriptionTable<string>();
  /** This node's shared filters, to know which groups a local member already served. */
  private readonly localShared = new SubscriptionTable<true>();
  malformedChanges = 0;

  constructor(redis: Redis, keys: ClusterKeys, nodeId: string) {
    this.redis = redis;
    this.keys = keys;
    this.nodeId = nodeId;
  }

  get remoteFilterCount(): number {
    return this.remote.count;
  }

  get localFilterCount(): number {
    return this.localCounts.size;
  }

  /** A change event from the directory channel (the caller owns the subscribed connection). */
  applyChange(text: string): void {
    const change = parseChange(text);
    if (change === null) {
      this.malformedChanges++;
      return;
    }
    if (change.nodeId === this.nodeId) return;
    if (change.op === 'gone') this.remote.unsubscribeAll(change.nodeId);
    else if (change.op === 'add') this.remote.subscribe(change.nodeId, change.filter, { qos: 2 });
    else this.remote.unsubscribe(change.nodeId, change.filter);
  }

  forgetNode(nodeId: string): void {
    this.remote.unsubscribeAll(nodeId);
  }

  /** Loads every live node's filters; call after subscribing to the change channel, so nothing falls between. */
  async load(nodeIds: Iterable<string>): Promise<void> {
    const others = [...nodeIds].filter((nodeId) => nodeId !== this.nodeId);
    const sets = await Promise.all(others.map((nodeId) => this.redis.smembers(this.keys.nodeFilters(nodeId))));
    others.forEach((nodeId, index) => {
      for (const filter of sets[index] ?? []) this.remote.subscribe(nodeId, filter, { qos: 2 });
    });
  }

  /** A local subscriber took `mountedFilter`; the first one announces it. */
  add(mountedFilter: string): void {
    const count = this.localCounts.get(mountedFilter) ?? 0;
    this.localCounts.set(mountedFilter, count + 1);
    if (count > 0) return;
    if (mountedFilter.startsWith('$share/')) this.localShared.subscribe(true, mountedFilter, { qos: 2 });
    this.announce('add', mountedFilter);
  }

  /** A local subscriber dropped `mountedFilter`; the last one withdraws it. */
  remove(mountedFilter: string): void {
    const count = this.localCounts.get(mountedFilter);
    if (count === undefined) return;
    if (count > 1) {
      this.localCounts.set(mountedFilter, count - 1);
      return;
    }
    this.localCounts.delete(mountedFilter);
    if (mountedFilter.startsWith('$share/')) this.localShared.unsubscribe(true, mountedFilter);
    this.announce('remove', mountedFilter);
  }

  /** The other nodes whose subscribers match the topic. */
  matchRemote(mountedTopic: string): Delivery<string>[] {
    return this.remote.match(mountedTopic);
  }

  /** The shared groups with a member on this node that match the topic (served locally). */
  localSharedGroups(mountedTopic: string): Set<string> {
    const groups = new Set<string>();
    for (const delivery of this.localShared.match(mountedTopic)) if (delivery.shareName !== null) groups.add(delivery.shareName);
    return groups;
  }

  private announce(op: 'add' | 'remove', filter: string): void {
    const key = this.keys.nodeFilters(this.nodeId);
    const transaction = this.redis.multi();
    if (op === 'add') transaction.sadd(key, filter);
    else transaction.srem(key, filter);
    transaction.publish(this.keys.directoryChanges, JSON.stringify({ op, nodeId: this.nodeId, filter }));
    transaction.exec().catch(() => {
      // Redis unreachable: the resync after reconnecting rewrites the whole set.
    });
  }

  /** Rewrites this node's announced set (after Redis came back) so it matches what is held. */
  async republish(): Promise<void> {
    const key = this.keys.nodeFilters(this.nodeId);
    const transaction = this.redis.multi().del(key);
    const filters = [...this.localCounts.keys()];
    if (filters.length > 0) transaction.sadd(key, ...filters);
    for (const filter of filters) transaction.publish(this.keys.directoryChanges, JSON.stringify({ op: 'add', nodeId: this.nodeId, filter }));
    await transaction.exec();
  }
}
