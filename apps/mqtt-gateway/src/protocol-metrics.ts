import { Counter, Histogram, type Registry } from 'prom-client';
import type { GatewayObserver } from '@plexus/mqtt-gateway-core';

const REFUSAL_REASONS: Readonly<Record<number, string>> = {
  0x84: 'unsupported_protocol_version',
  0x85: 'client_identifier_not_valid',
  0x86: 'bad_user_name_or_password',
  0x87: 'not_authorized',
  0x88: 'server_unavailable',
  0x8a: 'banned'
};
const AUTH_FAILURES = new Set([0x86, 0x87, 0x8a]);

/**
 * The protocol layer's events as Prometheus metrics. Label values are bound once, so the hot
 * path does an addition, not a label lookup.
 */
export class ProtocolMetrics implements GatewayObserver {
  private readonly connects = new Counter({ name: 'plexus_gateway_connects_total', help: 'CONNECTs answered, by result', labelNames: ['result'], registers: [] });
  private readonly refusals = new Counter({ name: 'plexus_gateway_connects_refused_total', help: 'CONNECTs refused, by reason', labelNames: ['reason'], registers: [] });
  private readonly authFailures = new Counter({ name: 'plexus_gateway_auth_failures_total', help: 'CONNECTs refused for their credentials or access (0x86, 0x87, 0x8A)', registers: [] });
  private readonly publishes = new Counter({ name: 'plexus_gateway_publishes_in_total', help: 'PUBLISH packets accepted from clients, by QoS', labelNames: ['qos'], registers: [] });
  private readonly acks = new Counter({ name: 'plexus_gateway_acks_total', help: 'PUBACKs and PUBRECs sent (each after the stream accepted the record)', registers: [] });
  private readonly ackLatency = new Histogram({
    name: 'plexus_gateway_ack_latency_seconds',
    help: 'From a QoS 1/2 PUBLISH arriving to its PUBACK/PUBREC going out, the stream write included',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: []
  });
  private readonly accepted = this.connects.labels('accepted');
  private readonly refused = this.connects.labels('refused');
  private readonly publishesByQos = [this.publishes.labels('0'), this.publishes.labels('1'), this.publishes.labels('2')] as const;

  registerIn(registry: Registry): void {
    registry.registerMetric(this.connects);
    registry.registerMetric(this.refusals);
    registry.registerMetric(this.authFailures);
    registry.registerMetric(this.publishes);
    registry.registerMetric(this.acks);
    registry.registerMetric(this.ackLatency);
  }

  connectAccepted(): void {
    this.accepted.inc();
  }

  connectRefused(reasonCode: number): void {
    this.refused.inc();
    this.refusals.labels(REFUSAL_REASONS[reasonCode] ?? `0x${reasonCode.toString(16)}`).inc();
    if (AUTH_FAILURES.has(reasonCode)) this.authFailures.inc();
  }

  publishReceived(qos: 0 | 1 | 2): void {
    this.publishesByQos[qos].inc();
  }

  acknowledged(latencyMs: number): void {
    this.acks.inc();
    this.ackLatency.observe(latencyMs / 1000);
  }
}
