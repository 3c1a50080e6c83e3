import type { Report, RunSnapshot, SeriesPoint } from '../contracts/report.ts';

// A made-up run for the dashboard's and the report's tests: numbers that grow every second, so a
// test can see the page follow them. The real run is tested end to end by the controller's tests.

const devices = 2_000;
const connectRatePerSec = 40;
const publishRatePerDevice = 0.5;

function pointAt(t: number): SeriesPoint {
  const connected = Math.min(devices, connectRatePerSec * t);
  const wave = Math.sin(t / 5);
  return {
    t,
    connected,
    connectRate: connected < devices ? connectRatePerSec : 0,
    publishRate: connected * publishRatePerDevice * (1 + 0.1 * wave),
    ackRate: connected * publishRatePerDevice * (1 + 0.1 * Math.sin((t - 1) / 5)),
    ackP50Ms: 2 + wave,
    ackP99Ms: 9 + 3 * wave,
    e2eP50Ms: 5 + wave,
    e2eP99Ms: 16 + 4 * wave,
    errors: t + 2 * Math.floor(t / 7)
  };
}

export function sampleSeries(seconds: number): SeriesPoint[] {
  return Array.from({ length: seconds }, (_, index) => pointAt(index + 1));
}

const percentiles = (p50: number, count: number) => ({ count, p50, p90: p50 * 2.5, p99: p50 * 4.5, p999: p50 * 8, max: p50 * 20 });

/** A run `startSeconds` in that moves on by one second every time it is asked for its snapshot. */
export function growingRun(startSeconds = 30): () => RunSnapshot {
  let seconds = startSeconds;
  return () => {
    seconds += 1;
    const series = sampleSeries(seconds);
    const latest = series.at(-1)!;
    const publishesSent = Math.round(series.reduce((total, point) => total + point.publishRate, 0));
    return {
      runId: 'run-sample',
      scenario: 'smoke',
      state: 'running',
      phase: latest.connected < devices ? 'ramp-up' : 'steady',
      elapsedSec: seconds,
      etaSec: Math.max(0, 300 - seconds),
      devices,
      connected: latest.connected,
      peakConnected: latest.connected,
      publishesSent,
      acked: publishesSent - Math.round(latest.ackRate),
      ackLatencyMs: percentiles(2, publishesSent),
      endToEndLatencyMs: percentiles(5, publishesSent),
      errors: { connect_timeout: seconds, closed_by_server: 2 },
      agents: [0, 1].map((index) => ({
        agentId: `agent-${index}`,
        hostname: 'loadhost',
        pid: 4100 + index,
        devices: devices / 2,
        connected: latest.connected / 2,
        lastSeenMsAgo: index === 0 ? 400 : 5_000,
        rssBytes: 80 * 2 ** 20 + latest.connected * 2_048,
        cpuPercent: 35.5 + index,
        state: index === 0 ? 'running' : 'lost'
      })),
      series
    };
  };
}

export function sampleReport(): Report {
  const usage = (pid: number, cpuUserMs: number) => ({ pid, cpuUserMs, cpuSystemMs: cpuUserMs / 4, rssBytes: 120 * 2 ** 20, heapUsedBytes: 40 * 2 ** 20 });
  return {
    runId: 'run-2026-11-26T16-00-00',
    scenario: 'default',
    passed: false,
    failures: ['3 acknowledged messages are missing from storage', 'errors 0.6 % above the scenario threshold of 0.1 %'],
    startedAt: '2026-11-26T16:00:00.000Z',
    durationSec: 300,
    devices,
    peakConnected: 1_998,
    connectRatePerSec: 39.6,
    publishesSent: 1_234_567,
    acked: 1_234_560,
    stored: 1_234_557,
    lost: 3,
    lostDevices: [
      { deviceId: 'load-000017', acked: 620, stored: 618 },
      { deviceId: 'load-001204', acked: 617, stored: 616 }
    ],
    publishRatePerSec: 4_115.2,
    ackLatencyMs: percentiles(2.25, 1_234_560),
    endToEndLatencyMs: percentiles(5.5, 1_200_000),
    errors: { connect_timeout: 7, closed_by_server: 5 },
    agents: [
      { agentId: 'agent-0', hostname: 'loadhost', devices: 1_000, peakConnected: 999, usage: usage(4100, 40_000), peakRssBytes: 130 * 2 ** 20, bytesPerConnection: 2_150 },
      { agentId: 'agent-1', hostname: 'loadhost', devices: 1_000, peakConnected: 999, usage: usage(4101, 42_000), peakRssBytes: 131 * 2 ** 20, bytesPerConnection: null }
    ],
    unsupported: ['<tsung><monitoring>: not mapped, the run samples its own processes'],
    platform: [
      { name: 'mqtt-gateway', usage: usage(3900, 90_000), peakRssBytes: 400 * 2 ** 20, bytesPerConnection: 3_100 },
      { name: 'control-plane', usage: usage(3901, 5_000), peakRssBytes: 150 * 2 ** 20, bytesPerConnection: null }
    ],
    target: { controlPlane: 'http://127.0.0.1:8080', dataPlane: 'http://127.0.0.1:8081', mqtt: 'mqtt://127.0.0.1:1883', startedByRun: true },
    series: sampleSeries(300)
  };
}
