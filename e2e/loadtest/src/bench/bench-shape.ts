import type { Scenario } from '../contracts/scenario.ts';

// The one session both clients run: every device connects (MQTT 3.1.1, as Tsung's plugin
// speaks), stays idle long enough for the whole fleet to be up and measured, publishes its share
// of the messages at QoS 1 with no think time, and disconnects.

export interface BenchShape {
  readonly connections: number;
  readonly publishesPerConnection: number;
  readonly payloadBytes: number;
  /** Connections arrive evenly over this long. */
  readonly rampMs: number;
  /** Each device's idle stay after its CONNACK; room for a ramp twice as slow as planned, then the settle time. */
  readonly idleMs: number;
  /** How long every connection must be up and idle before the resident size counts. */
  readonly settleMs: number;
  readonly sourceAddresses: readonly string[];
}

export const BENCH_TOPIC = 'devices/{deviceId}/telemetry';
/** Long enough that no PINGREQ falls inside a run, for either client. */
export const BENCH_KEEPALIVE_SEC = 600;
const CONNECTS_PER_SEC = 1000;
const SETTLE_MS = 4000;

export function benchShape(connections: number, messages: number, sourceAddressCount: number): BenchShape {
  const rampMs = Math.max(1000, Math.ceil((connections / CONNECTS_PER_SEC) * 1000));
  return {
    connections,
    publishesPerConnection: Math.max(1, Math.round(messages / connections)),
    payloadBytes: 100,
    rampMs,
    idleMs: 2 * rampMs + SETTLE_MS + 8000,
    settleMs: SETTLE_MS,
    // 127.0.0.1 stays free for the broker's side; each address has its own ephemeral port range.
    sourceAddresses: Array.from({ length: sourceAddressCount }, (_, index) => `127.0.1.${index + 1}`)
  };
}

export function benchPayload(shape: BenchShape): string {
  return 'x'.repeat(shape.payloadBytes);
}

export function agentScenario(shape: BenchShape): Scenario {
  return {
    name: 'agent-vs-tsung',
    description: 'connect, stay idle, QoS 1 publishes with no think time, disconnect',
    devices: shape.connections,
    phases: [{ name: 'connect', durationMs: shape.rampMs, total: shape.connections }],
    session: [
      { kind: 'connect', protocolVersion: 4, cleanStart: true, keepaliveSec: BENCH_KEEPALIVE_SEC, sessionExpirySec: 0 },
      { kind: 'stay', durationMs: shape.idleMs },
      {
        kind: 'loop',
        count: shape.publishesPerConnection,
        steps: [{ kind: 'publish', topic: BENCH_TOPIC, qos: 1, retain: false, payload: { kind: 'template', template: benchPayload(shape) }, stamped: false }]
      },
      { kind: 'disconnect' }
    ],
    thresholds: { maxLost: 0, maxErrorRatio: 0, storeWaitMs: 0 },
    maxDurationMs: shape.rampMs + shape.idleMs + 240_000
  };
}
