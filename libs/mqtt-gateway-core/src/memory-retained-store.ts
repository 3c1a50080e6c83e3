import { topicMatches } from '@plexus/topics';
import type { RetainedMessage, RetainedStore } from './retained-store.ts';

/**
 * Retained messages in this process, grouped by tenant (a mounted topic's first level) so that
 * matching a filter scans one tenant's topics, not every tenant's.
 */
export class MemoryRetainedStore implements RetainedStore {
  private readonly byTenant = new Map<string, Map<string, RetainedMessage>>();

  get size(): number {
    let size = 0;
    for (const topics of this.byTenant.values()) size += topics.size;
    return size;
  }

  async set(message: RetainedMessage): Promise<void> {
    const tenant = tenantOf(message.mountedTopic);
    let topics = this.byTenant.get(tenant);
    if (topics === undefined) {
      topics = new Map();
      this.byTenant.set(tenant, topics);
    }
    topics.set(message.mountedTopic, { mountedTopic: message.mountedTopic, payload: message.payload, qos: message.qos });
  }

  async delete(mountedTopic: string): Promise<void> {
    const tenant = tenantOf(mountedTopic);
    const topics = this.byTenant.get(tenant);
    if (topics === undefined) return;
    topics.delete(mountedTopic);
    if (topics.size === 0) this.byTenant.delete(tenant);
  }

  async match(mountedFilter: string): Promise<RetainedMessage[]> {
    const topics = this.byTenant.get(tenantOf(mountedFilter));
    if (topics === undefined) return [];
    const matching: RetainedMessage[] = [];
    for (const message of topics.values()) if (topicMatches(mountedFilter, message.mountedTopic)) matching.push(message);
    return matching;
  }
}

function tenantOf(mounted: string): string {
  const end = mounted.indexOf('/');
  return end === -1 ? mounted : mounted.slice(0, end);
}
