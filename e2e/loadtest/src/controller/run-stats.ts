import type { Histogram } from 'hdr-histogram-js';
import type { AgentStats } from '../contracts/agent-protocol.ts';
import type { Percentiles, SeriesPoint } from '../contracts/report.ts';
import { addEncodedHistogram, emptyLatencyHistogram, percentilesMs } from './latency-summary.ts';

export interface AgentPeaks {
  readonly peakConnected: number;
  readonly peakRssBytes: number;
  /**
   * The smallest RSS seen before the agent's first connect: its own baseline. Not after its last
   * disconnect, when V8 still holds the heap the run grew, which would hide what the run cost.
   */
  readonly idleRssBytes: number;
}

interface Rates {
  readonly connect: number;
  readonly publish: number;
  readonly ack: number;
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
  /** Each agent's rates between its last two reports, timed by the agent's own clock so report jitter does not alias. */
  readonly #rates = new Map<string, Rates>();
  #origin: number;

  constructor(origin: number) {
    this.#origin = origin;
  }

  /** Moves the series' zero, e.g. to the instant every agent starts the first phase. */
  setOrigin(origin: number): void {
    this.#origin = origin;
  }

  record(stats: AgentStats): void {
    const previous = this.#latest.get(stats.agentId);
    if (previous !== undefined && stats.at > previous.at) {
      const seconds = (stats.at - previous.at) / 1000;
      this.#rates.set(stats.agentId, {
        connect: (stats.connects - previous.connects) / seconds,
        publish: (stats.publishesSent - previous.publishesSent) / seconds,
        ack: (stats.acked - previous.acked) / seconds
      });
    }
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
      idleRssBytes: stats.connects === 0 ? Math.min(previous.idleRssBytes, rss) : previous.idleRssBytes
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
    let connectRate = 0;
    let publishRate = 0;
    let ackRate = 0;
    for (const rates of this.#rates.values()) {
      connectRate += rates.connect;
      publishRate += rates.publish;
      ackRate += rates.ack;
    }
    const ack = percentilesMs(this.#intervalAck);
    const endToEnd = percentilesMs(this.#intervalEndToEnd);
    const point: SeriesPoint = {
      t: Math.round((now - this.#origin) / 100) / 10,
      connected: totals.connected,
      connectRate: Math.round(connectRate),
      publishRate: Math.round(publishRate),
      ackRate: Math.round(ackRate),
      ackP50Ms: ack.p50,
      ackP99Ms: ack.p99,
      e2eP50Ms: endToEnd.p50,
      e2eP99Ms: endToEnd.p99,
      errors: totals.errorCount
    };
    this.#series.push(point);
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
