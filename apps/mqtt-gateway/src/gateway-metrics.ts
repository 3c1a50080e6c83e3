import { AggregatorRegistry, Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConnectAuthenticator } from '@plexus/device-auth-client';
import type { RedisClusterLink } from '@plexus/mqtt-cluster';
import type { SessionRegistry } from '@plexus/mqtt-gateway-core';
import type { StreamProducer } from '@plexus/stream';
import type { ProtocolMetrics } from './protocol-metrics.ts';

export interface GatewayParts {
  readonly sessions: SessionRegistry;
  readonly producer: StreamProducer;
  readonly authenticator: ConnectAuthenticator;
  readonly cluster: RedisClusterLink;
  readonly protocol: ProtocolMetrics;
}

/** Live values are read when Prometheus scrapes, so the hot path pays nothing for them. */
export function gatewayMetrics({ sessions, producer, authenticator, cluster, protocol }: GatewayParts): Registry {
  const registry = new Registry();
  protocol.registerIn(registry);
  collectDefaultMetrics({ register: registry, prefix: 'plexus_gateway_' });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(read()); } });

  gauge('plexus_gateway_connections', 'Authenticated MQTT sessions of this process', () => sessions.size);
  gauge('plexus_gateway_stream_backlog_records', 'Records put to the stream and not yet accepted', () => producer.bufferedRecords);
  gauge('plexus_gateway_stream_backlog_bytes', 'Bytes put to the stream and not yet accepted', () => producer.bufferedBytes);
  gauge('plexus_gateway_stream_saturated', '1 while the stream buffer is full and sockets are paused', () => (producer.saturated ? 1 : 0));
  counter('plexus_gateway_stream_acknowledged_records_total', 'Records the stream accepted', () => producer.acknowledgedRecords);
  counter('plexus_gateway_stream_batches_total', 'Requests to the stream answered', () => producer.batches);
  counter('plexus_gateway_stream_retries_total', 'Records sent again after a failure', () => producer.retries);
  counter('plexus_gateway_stream_failures_total', 'Failed stream requests and entries', () => producer.failures);
  counter('plexus_gateway_auth_requests_total', 'Batched authentication requests sent to the control plane', () => authenticator.stats.requestsSent);
  counter('plexus_gateway_auth_cache_hits_total', 'CONNECTs answered from the authentication cache', () => authenticator.stats.cacheHits);
  gauge('plexus_gateway_cluster_nodes', 'Gateway nodes (processes) alive in the cluster, as this one sees them', () => cluster.liveNodeCount);
  gauge('plexus_gateway_cluster_remote_filters', "Other nodes' subscription filters this node forwards to", () => cluster.remoteFilterCount);
  counter('plexus_gateway_cluster_forwarded_out_total', 'Messages sent to other gateway nodes', () => cluster.stats.forwardedOut);
  counter('plexus_gateway_cluster_forwarded_in_total', 'Messages received from other gateway nodes', () => cluster.stats.forwardedIn);
  counter('plexus_gateway_cluster_platform_publishes_total', 'Messages the platform published through this node', () => cluster.stats.platformPublishesIn);
  counter('plexus_gateway_cluster_takeovers_total', 'Sessions this node took over from another node', () => cluster.stats.takeoversRequested);
  counter('plexus_gateway_cluster_takeover_timeouts_total', 'Takeovers the other node did not confirm in time', () => cluster.stats.takeoverTimeouts);
  counter('plexus_gateway_cluster_malformed_messages_total', 'Inbox messages that could not be decoded', () => cluster.stats.malformedMessages);
  return registry;
}

/** In a worker process: the primary collects this registry over the cluster channel and sums the workers'. */
export function shareMetricsWithPrimary(registry: Registry): void {
  // Constructing one installs the worker's answer to the primary's metrics requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries(registry);
}
