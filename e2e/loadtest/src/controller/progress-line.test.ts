import { describe, expect, it } from 'vitest';
import type { RunSnapshot } from '../contracts/report.ts';
import { NO_LATENCY } from './latency-summary.ts';
import { progressLine } from './progress-line.ts';

const snapshot: RunSnapshot = {
  runId: 'r',
  scenario: 'default',
  state: 'running',
  phase: 'ramp',
  elapsedSec: 95.4,
  etaSec: 61,
  devices: 10_000,
  connected: 8_282,
  peakConnected: 8_282,
  publishesSent: 53_000,
  acked: 52_928,
  ackLatencyMs: { ...NO_LATENCY, count: 10, p99: 591.4 },
  endToEndLatencyMs: NO_LATENCY,
  errors: { connect_timeout: 2, closed_by_server: 1 },
  agents: [],
  series: [{ t: 95, connected: 8_282, connectRate: 315, publishRate: 1_759, ackRate: 1_700, ackP50Ms: 1, ackP99Ms: 2, e2eP50Ms: 0, e2eP99Ms: 0, errors: 3 }]
};

describe('progressLine', () => {
  it('says where the run is, how many are connected, how fast, and how long to go', () => {
    expect(progressLine(snapshot)).toBe(
      '[1m35s running/ramp]  connected 8,282/10,000  connects 315/s  publishes 1,759/s  acked 52,928  ack p99 591.4 ms  errors 3  ETA 1m01s'
    );
  });

  it('names the session part once arrivals are over, and leaves out an unknown ETA', () => {
    expect(progressLine({ ...snapshot, phase: 'done' })).toContain('[1m35s running/sessions]');
    expect(progressLine({ ...snapshot, state: 'provisioning', etaSec: null, series: [] })).toBe(
      '[1m35s provisioning]  connected 8,282/10,000  connects 0/s  publishes 0/s  acked 52,928  ack p99 591.4 ms  errors 3'
    );
  });
});
