import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { RunStats } from './run-stats.ts';
import { agentStats } from './unit-fixtures.ts';

function latencies(...microseconds: number[]): string {
  const histogram = build();
  for (const value of microseconds) histogram.recordValue(value);
  return encodeIntoCompressedBase64(histogram);
}

describe('RunStats', () => {
  it('sums the latest cumulative counters of each agent, so a repeated report does not count twice', () => {
    const run = new RunStats(0);
    run.record(agentStats('a', 1000, { connected: 10, connects: 10, acked: 5, errors: { connect_timeout: 1 } }));
    run.record(agentStats('a', 1000, { connected: 10, connects: 10, acked: 5, errors: { connect_timeout: 1 } }));
    run.record(agentStats('b', 1000, { connected: 7, connects: 8, acked: 2, errors: { connect_timeout: 2, closed_by_server: 1 } }));
    const totals = run.totals();
    expect(totals).toMatchObject({ connected: 17, connects: 18, acked: 7, errorCount: 4 });
    expect(totals.errors).toEqual({ connect_timeout: 3, closed_by_server: 1 });
  });

  it('keeps the peak of connected devices after they disconnect', () => {
    const run = new RunStats(0);
    run.record(agentStats('a', 1000, { connected: 10 }));
    run.record(agentStats('b', 1000, { connected: 5 }));
    run.record(agentStats('a', 2000, { connected: 0 }));
    expect(run.totals()).toMatchObject({ connected: 5, peakConnected: 15 });
  });

  it('turns each agent’s counters into rates by its own clock, and latency into percentiles per interval and overall', () => {
    const run = new RunStats(0);
    run.record(agentStats('a', 1000, { connects: 100, publishesSent: 400, acked: 300, ackLatencyUs: latencies(1000, 2000, 3000) }));
    run.record(agentStats('b', 1000, { connects: 10 }));
    const first = run.sample(1500);
    expect(first).toMatchObject({ t: 1.5, connectRate: 0, publishRate: 0 });
    expect(first.ackP50Ms).toBeCloseTo(2, 1);
    run.record(agentStats('a', 3000, { connects: 200, publishesSent: 1400, acked: 1300, ackLatencyUs: latencies(10_000) }));
    run.record(agentStats('b', 1500, { connects: 20 }));
    const second = run.sample(3000);
    expect(second).toMatchObject({ connectRate: 50 + 20, publishRate: 500, ackRate: 500 });
    expect(second.ackP50Ms).toBeCloseTo(10, 0);
    expect(run.ackLatencyMs()).toMatchObject({ count: 4 });
    expect(run.ackLatencyMs().max).toBeCloseTo(10, 0);
    expect(run.endToEndLatencyMs().count).toBe(0);
    run.setOrigin(1000);
    expect(run.sample(4000).t).toBe(3);
    expect(run.series()).toHaveLength(3);
  });

  it('tracks each agent’s peak RSS over its idle baseline from before its first connect', () => {
    const run = new RunStats(0);
    const usage = (rssBytes: number) => ({ pid: 1, cpuUserMs: 0, cpuSystemMs: 0, rssBytes, heapUsedBytes: 0 });
    run.record(agentStats('a', 1000, { connected: 0, process: usage(40e6) }));
    run.record(agentStats('a', 2000, { connected: 1000, connects: 1000, process: usage(42e6) }));
    run.record(agentStats('a', 3000, { connected: 0, connects: 1000, process: usage(39e6) }));
    expect(run.agentPeaks('a')).toEqual({ peakConnected: 1000, peakRssBytes: 42e6, idleRssBytes: 40e6 });
  });
});

describe('latency percentiles', () => {
  it('never puts a percentile above the largest value recorded', () => {
    const run = new RunStats(0);
    run.record(agentStats('a', 1000, { endToEndLatencyUs: latencies(...Array.from({ length: 100 }, (_, index) => 1_000 + index * 14_915)) }));
    const summary = run.endToEndLatencyMs();
    expect(summary.p999).toBeLessThanOrEqual(summary.max);
    expect(summary.p99).toBeLessThanOrEqual(summary.p999);
  });
});
