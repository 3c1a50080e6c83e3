// Every Redis key and channel the gateway cluster uses, in one place, under one prefix: the
// namespace. Gateways and the platform services that publish through them share a namespace;
// separate namespaces let environments (or concurrent test runs) share one Redis unaware of each
// other, pub/sub channels included, which Redis does not separate by database.

export const DEFAULT_CLUSTER_NAMESPACE = 'plexus:mqtt';

export type ClusterKeys = ReturnType<typeof clusterKeysFor>;

export function clusterKeysFor(namespace: string = DEFAULT_CLUSTER_NAMESPACE) {
  return {
    /** Set of node ids that joined; a member whose liveness key expired is dead and is reaped. */
    nodes: `${namespace}:nodes`,
    /** Exists while the node is alive (refreshed by its heartbeat, expires when it stops). */
    nodeAlive: (nodeId: string) => `${namespace}:node:${nodeId}:alive`,
    /** The mounted filters the node's subscribers hold that other nodes must forward to it. */
    nodeFilters: (nodeId: string) => `${namespace}:node:${nodeId}:filters`,
    /** The node's inbox: forwarded messages, takeover requests and answers, platform publishes. */
    nodeInbox: (nodeId: string) => `${namespace}:node:${nodeId}:inbox`,
    /** Filter directory changes (a node's filter added or removed, a node gone). */
    directoryChanges: `${namespace}:directory`,
    /** Which node holds the session of a client id (tenant-scoped); expires unless refreshed. */
    presence: (tenantId: string, clientId: string) => `${namespace}:presence:${tenantId}/${clientId}`,
    /** A persistent session's subscriptions and expiry (JSON). */
    session: (tenantId: string, clientId: string) => `${namespace}:session:${tenantId}/${clientId}`,
    /** A persistent session's offline queue (a list, oldest first) and its count of dropped messages. */
    sessionQueue: (tenantId: string, clientId: string) => `${namespace}:queue:${tenantId}/${clientId}`,
    sessionQueueDropped: (tenantId: string, clientId: string) => `${namespace}:queue-dropped:${tenantId}/${clientId}`,
    /** A tenant's retained messages: a hash from mounted topic to QoS byte + payload. */
    retained: (tenantId: string) => `${namespace}:retained:${tenantId}`
  } as const;
}
