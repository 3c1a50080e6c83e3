import { AggregatorRegistry, Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConnectAuthenticator } from '@plexus/device-auth-client';
import type { SessionRegistry } from '@plexus/mqtt-gateway-core';
import type { StreamProducer } from '@plexus/stream';

/** Live values are read when Prometheus scrapes, so the hot path pays nothing for them. */
export function gatewayMetrics(sessions: SessionRegistry, producer: StreamProducer, authenticator: ConnectAuthenticator): Registry {
  const registry = new Registry();
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
  return registry;
}

/** In a worker process: the primary collects this registry over the cluster channel and sums the workers'. */
export function shareMetricsWithPrimary(registry: Registry): void {
  // Constructing one installs the worker's answer to the primary's metrics requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries(registry);
}
