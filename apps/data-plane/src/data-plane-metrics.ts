import { Counter, Gauge } from 'prom-client';
import type { ControlPlaneLookups } from '@plexus/device-auth-client';
import type { MetricsRegistry } from '@plexus/observability';
import type { StreamConsumer } from '@plexus/stream-consumer';
import type { ShadowService, TelemetryIngestor } from '@plexus/telemetry-ingest';

export interface DataPlaneParts {
  readonly consumer: StreamConsumer | null;
  readonly ingestor: TelemetryIngestor;
  readonly shadows: ShadowService;
  readonly lookups: ControlPlaneLookups;
}

/** Values are read when Prometheus scrapes; the ingest path only increments plain counters. */
export function registerDataPlaneMetrics(registry: MetricsRegistry, { consumer, ingestor, shadows, lookups }: DataPlaneParts): void {
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(read()); } });
  counter('plexus_ingest_points_total', 'Telemetry points stored', () => ingestor.counters.points);
  counter('plexus_ingest_shadow_messages_total', 'Shadow updates and gets handled', () => ingestor.counters.shadowMessages);
  counter('plexus_ingest_dead_letters_total', 'Records dead-lettered (unknown device, too large, schema mismatch, undecodable)', () => ingestor.counters.deadLetters);
  counter('plexus_shadow_notify_failures_total', 'Shadow answers and deltas that could not be published to the device', () => shadows.notifyFailures);
  counter('plexus_data_control_plane_lookups_total', 'Batched lookups sent to the control plane (API keys, device profiles)', () => lookups.stats.requests);
  if (!consumer) return;
  const stats = () => consumer.stats();
  counter('plexus_consumer_batches_total', 'Batches written and checkpointed', () => stats().counters.batches);
  counter('plexus_consumer_records_total', 'Records in those batches', () => stats().counters.records);
  counter('plexus_consumer_batch_failures_total', 'Batches that failed and were retried', () => stats().counters.batchFailures);
  counter('plexus_consumer_read_failures_total', 'Stream reads that failed and were retried', () => stats().counters.readFailures);
  counter('plexus_consumer_lease_steals_total', 'Shard leases taken from another worker', () => stats().counters.leaseSteals);
  counter('plexus_consumer_lease_losses_total', 'Shard leases this worker lost', () => stats().counters.leaseLosses);
  new Gauge({
    name: 'plexus_consumer_shards_held',
    help: 'Shards this worker holds leases on',
    registers: [registry],
    collect() {
      this.set(consumer.heldShards.length);
    }
  });
  new Gauge({
    name: 'plexus_consumer_lag_milliseconds',
    help: 'How far behind the tip of each held shard the last read was',
    labelNames: ['shard'],
    registers: [registry],
    collect() {
      this.reset();
      for (const shard of stats().shards) this.set({ shard: shard.shardId }, shard.millisBehindLatest);
    }
  });
  new Gauge({
    name: 'plexus_consumer_lag_records',
    help: 'Records the last read of each held shard returned (a full read means more are waiting)',
    labelNames: ['shard'],
    registers: [registry],
    collect() {
      this.reset();
      for (const shard of stats().shards) this.set({ shard: shard.shardId }, shard.userRecordsInLastRead);
    }
  });
}
