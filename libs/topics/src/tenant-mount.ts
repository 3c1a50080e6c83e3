import { parseSharedSubscription } from './topic-rules.ts';

// Every tenant sees its own topic tree. Inside the platform (routing, retained messages,
// cross-node fan-out) a topic carries its tenant as the first level; tenant ids contain no '/',
// so a mounted filter can never match another tenant's topics, wildcards included.

export function mountTopic(tenantId: string, topic: string): string {
  return `${tenantId}/${topic}`;
}

/** The tenant's view of a mounted topic, or null when it belongs to another tenant. */
export function unmountTopic(tenantId: string, mounted: string): string | null {
  const prefix = `${tenantId}/`;
  return mounted.startsWith(prefix) ? mounted.slice(prefix.length) : null;
}

/** Mounts a filter, keeping a `$share/{ShareName}/` prefix outside the tenant level. */
export function mountFilter(tenantId: string, filter: string): string {
  const shared = parseSharedSubscription(filter);
  return shared ? `$share/${shared.shareName}/${mountTopic(tenantId, shared.filter)}` : mountTopic(tenantId, filter);
}
