// Every Redis key and channel the gateway cluster uses, in one place, under one prefix.

const PREFIX = 'plexus:mqtt';

export const clusterKeys = {
  /** Set of node ids that joined; a member whose liveness key expired is dead and is reaped. */
  nodes: `${PREFIX}:nodes`,
  /** Exists while the node is alive (refreshed by its heartbeat, expires when it stops). */
  nodeAlive: (nodeId: string) => `${PREFIX}:node:${nodeId}:alive`,
  /** The mounted filters the node's subscribers hold that other nodes must forward to it. */
  nodeFilters: (nodeId: string) => `${PREFIX}:node:${nodeId}:filters`,
  /** The node's inbox: forwarded messages, takeover requests and answers, platform publishes. */
  nodeInbox: (nodeId: string) => `${PREFIX}:node:${nodeId}:inbox`,
  /** Filter directory changes (a node's filter added or removed, a node gone). */
  directoryChanges: `${PREFIX}:directory`,
  /** Which node holds the session of a client id (tenant-scoped); expires unless refreshed. */
  presence: (tenantId: string, clientId: string) => `${PREFIX}:presence:${tenantId}/${clientId}`,
  /** A persistent session's subscriptions and expiry (JSON). */
  session: (tenantId: string, clientId: string) => `${PREFIX}:session:${tenantId}/${clientId}`,
  /** A persistent session's offline queue (a list, oldest first) and its count of dropped messages. */
  sessionQueue: (tenantId: string, clientId: string) => `${PREFIX}:queue:${tenantId}/${clientId}`,
  sessionQueueDropped: (tenantId: string, clientId: string) => `${PREFIX}:queue-dropped:${tenantId}/${clientId}`,
  /** A tenant's retained messages: a hash from mounted topic to QoS byte + payload. */
  retained: (tenantId: string) => `${PREFIX}:retained:${tenantId}`
} as const;
