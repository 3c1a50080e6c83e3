import type { Histogram } from 'hdr-histogram-js';
import type { AgentStats } from '../contracts/agent-protocol.ts';
import type { Percentiles, SeriesPoint } from '../contracts/report.ts';
import { addEncodedHistogram, emptyLatencyHistogram, percentilesMs } from './latency-summary.ts';

export interface AgentPeaks {
  readonly peakConnected: number;
  readonly peakRssBytes: number;
  /** The smallest RSS seen with no device connected: the agent's own baseline. */
  readonly idleRssBytes: number;
}

export interface RunTotals {
  readonly connected: number;
  readonly peakConnected: number;
  readonly connects: number;
  readonly publishesSent: number;
  readonly acked: number;
  readonly received: number;
  readonly devicesStarted: number;
  readonly devicesFinished: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly errorCount: number;
}

/**
 * The run's figures, from the agents' cumulative counters (the latest report of each agent
 * counts, so a lost or repeated report never double-counts) and their interval histograms.
 * `sample()` closes an interval: one point of the time series the dashboard and report draw.
 */
export class RunStats {
  readonly #latest = new Map<string, AgentStats>();
  readonly #peaks = new Map<string, AgentPeaks>();
  readonly #ackLatency = emptyLatencyHistogram();
  readonly #endToEndLatency = emptyLatencyHistogram();
  #intervalAck: Histogram = emptyLatencyHistogram();
  #intervalEndToEnd: Histogram = emptyLatencyHistogram();
  readonly #series: SeriesPoint[] = [];
  #peakConnected = 0;
  #previous: { readonly at: number; readonly connects: number; readonly publishesSent: number; readonly acked: number } | undefined;
  readonly #startedAt: number;

  constructor(startedAt: number) {
    this.#startedAt = startedAt;
  }

  record(stats: AgentStats): void {
    this.#latest.set(stats.agentId, stats);
    this.#recordPeaks(stats);
    addEncodedHistogram(stats.ackLatencyUs, this.#ackLatency, this.#intervalAck);
    addEncodedHistogram(stats.endToEndLatencyUs, this.#endToEndLatency, this.#intervalEndToEnd);
    this.#peakConnected = Math.max(this.#peakConnected, this.totals().connected);
  }

  #recordPeaks(stats: AgentStats): void {
    const previous = this.#peaks.get(stats.agentId) ?? { peakConnected: 0, peakRssBytes: 0, idleRssBytes: Infinity };
    const rss = stats.process.rssBytes;
    this.#peaks.set(stats.agentId, {
      peakConnected: Math.max(previous.peakConnected, stats.connected),
      peakRssBytes: Math.max(previous.peakRssBytes, rss),
      idleRssBytes: stats.connected === 0 ? Math.min(previous.idleRssBytes, rss) : previous.idleRssBytes
    });
  }

  agentPeaks(agentId: string): AgentPeaks | undefined {
    return this.#peaks.get(agentId);
  }

  agentStats(agentId: string): AgentStats | undefined {
    return this.#latest.get(agentId);
  }

  totals(): RunTotals {
    let connected = 0;
    let connects = 0;
    let publishesSent = 0;
    let acked = 0;
    let received = 0;
    let devicesStarted = 0;
    let devicesFinished = 0;
    const errors: Record<string, number> = {};
    for (const stats of this.#latest.values()) {
      connected += stats.connected;
      connects += stats.connects;
      publishesSent += stats.publishesSent;
      acked += stats.acked;
      received += stats.received;
      devicesStarted += stats.devicesStarted;
      devicesFinished += stats.devicesFinished;
      for (const [kind, count] of Object.entries(stats.errors)) errors[kind] = (errors[kind] ?? 0) + count;
    }
    const errorCount = Object.values(errors).reduce((sum, count) => sum + count, 0);
    return { connected, peakConnected: Math.max(this.#peakConnected, connected), connects, publishesSent, acked, received, devicesStarted, devicesFinished, errors, errorCount };
  }

  ackLatencyMs(): Percentiles {
    return percentilesMs(this.#ackLatency);
  }

  endToEndLatencyMs(): Percentiles {
    return percentilesMs(this.#endToEndLatency);
  }

  /** Closes the current interval and appends its point to the series. */
  sample(now: number): SeriesPoint {
    const totals = this.totals();
    const previous = this.#previous ?? { at: this.#startedAt, connects: 0, publishesSent: 0, acked: 0 };
    const seconds = Math.max((now - previous.at) / 1000, 0.001);
    const ack = percentilesMs(this.#intervalAck);
    const endToEnd = percentilesMs(this.#intervalEndToEnd);
    const point: SeriesPoint = {
      t: Math.round((now - this.#startedAt) / 100) / 10,
      connected: totals.connected,
      connectRate: Math.round((totals.connects - previous.connects) / seconds),
      publishRate: Math.round((totals.publishesSent - previous.publishesSent) / seconds),
      ackRate: Math.round((totals.acked - previous.acked) / seconds),
      ackP50Ms: ack.p50,
      ackP99Ms: ack.p99,
      e2eP50Ms: endToEnd.p50,
      e2eP99Ms: endToEnd.p99,
      errors: totals.errorCount
    };
    this.#series.push(point);
    this.#previous = { at: now, connects: totals.connects, publishesSent: totals.publishesSent, acked: totals.acked };
    this.#intervalAck.destroy();
    this.#intervalEndToEnd.destroy();
    this.#intervalAck = emptyLatencyHistogram();
    this.#intervalEndToEnd = emptyLatencyHistogram();
    return point;
  }

  series(): readonly SeriesPoint[] {
    return this.#series;
  }
}
