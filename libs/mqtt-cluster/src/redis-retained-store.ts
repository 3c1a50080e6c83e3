import type { Redis } from 'ioredis';
import type { RetainedMessage, RetainedStore } from '@plexus/mqtt-gateway-core';
import { topicMatches } from '@plexus/topics';
import { clusterKeysFor, type ClusterKeys } from './cluster-keys.ts';

// Retained messages in Redis, one hash per tenant (mounted topic → QoS byte + payload), shared by
// every gateway node. A filter without wildcards is one HGET; a wildcard filter reads the
// tenant's hash and matches each topic, so its cost follows the tenant's retained topics.

const WILDCARD = /[+#]/;

function tenantOf(mounted: string): string {
  const end = mounted.indexOf('/');
  return end === -1 ? mounted : mounted.slice(0, end);
}

function encode(message: RetainedMessage): Buffer {
  return Buffer.concat([Buffer.of(message.qos), message.payload]);
}

function decode(mountedTopic: string, value: Buffer): RetainedMessage {
  return { mountedTopic, qos: (value[0] ?? 0) as 0 | 1 | 2, payload: Buffer.from(value.subarray(1)) };
}

export class RedisRetainedStore implements RetainedStore {
  private readonly redis: Redis;
  private readonly keys: ClusterKeys;

  /** `namespace`: the gateways' CLUSTER_NAMESPACE. */
  constructor(redis: Redis, namespace?: string) {
    this.redis = redis;
    this.keys = clusterKeysFor(namespace);
  }

  async set(message: RetainedMessage): Promise<void> {
    await this.redis.hset(this.keys.retained(tenantOf(message.mountedTopic)), message.mountedTopic, encode(message));
  }

  async delete(mountedTopic: string): Promise<void> {
    await this.redis.hdel(this.keys.retained(tenantOf(mountedTopic)), mountedTopic);
  }

  async match(mountedFilter: string): Promise<RetainedMessage[]> {
    const key = this.keys.retained(tenantOf(mountedFilter));
    if (!WILDCARD.test(mountedFilter)) {
      const value = await this.redis.hgetBuffer(key, mountedFilter);
      return value === null ? [] : [decode(mountedFilter, value)];
    }
    const entries = await this.redis.hgetallBuffer(key);
    const matching: RetainedMessage[] = [];
    for (const [topic, value] of Object.entries(entries)) if (topicMatches(mountedFilter, topic)) matching.push(decode(topic, value));
    return matching;
  }
}
