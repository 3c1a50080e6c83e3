export { clusterKeysFor, DEFAULT_CLUSTER_NAMESPACE, type ClusterKeys } from './cluster-keys.ts';
export { ClusteredSubscriptionTable } from './clustered-subscription-table.ts';
export { ClusterErrors } from './errors.ts';
export { PlatformPublisher } from './platform-publisher.ts';
export { newNodeId, RedisClusterLink, type ClusterStats, type RedisClusterOptions } from './redis-cluster-link.ts';
export { RedisRetainedStore } from './redis-retained-store.ts';
export { RedisSessionStore } from './redis-session-store.ts';
