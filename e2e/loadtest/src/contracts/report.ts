import { Type, type Static } from 'typebox';
import { ProcessUsage } from './agent-protocol.ts';

export const Percentiles = Type.Object(
  {
    count: Type.Integer(),
    p50: Type.Number(),
    p90: Type.Number(),
    p99: Type.Number(),
    p999: Type.Number(),
    max: Type.Number()
  },
  { additionalProperties: false }
);
export type Percentiles = Static<typeof Percentiles>;

/** One sample per stats interval: what the live dashboard and the report's charts draw. */
export const SeriesPoint = Type.Object(
  {
    t: Type.Number({ description: 'Seconds since the run started.' }),
    connected: Type.Integer(),
    connectRate: Type.Number(),
    publishRate: Type.Number(),
    ackRate: Type.Number(),
    ackP50Ms: Type.Number(),
    ackP99Ms: Type.Number(),
    e2eP50Ms: Type.Number(),
    e2eP99Ms: Type.Number(),
    errors: Type.Integer()
  },
  { additionalProperties: false }
);
export type SeriesPoint = Static<typeof SeriesPoint>;

export const AgentHealth = Type.Object(
  {
    agentId: Type.String(),
    hostname: Type.String(),
    pid: Type.Integer(),
    devices: Type.Integer(),
    connected: Type.Integer(),
    lastSeenMsAgo: Type.Integer(),
    rssBytes: Type.Integer(),
    cpuPercent: Type.Number(),
    state: Type.String()
  },
  { additionalProperties: false }
);
export type AgentHealth = Static<typeof AgentHealth>;

/** What `/api/run` returns while a run is going and what the report embeds when it is over. */
export const RunSnapshot = Type.Object(
  {
    runId: Type.String(),
    scenario: Type.String(),
    state: Type.String({ description: 'preflight, starting-platform, provisioning, running, checking-loss, done, failed' }),
    phase: Type.String(),
    elapsedSec: Type.Number(),
    etaSec: Type.Union([Type.Number(), Type.Null()]),
    devices: Type.Integer(),
    connected: Type.Integer(),
    peakConnected: Type.Integer(),
    publishesSent: Type.Integer(),
    acked: Type.Integer(),
    ackLatencyMs: Percentiles,
    endToEndLatencyMs: Percentiles,
    errors: Type.Record(Type.String(), Type.Integer()),
    agents: Type.Array(AgentHealth),
    series: Type.Array(SeriesPoint)
  },
  { additionalProperties: false }
);
export type RunSnapshot = Static<typeof RunSnapshot>;

export const Report = Type.Object(
  {
    runId: Type.String(),
    scenario: Type.String(),
    passed: Type.Boolean(),
    failures: Type.Array(Type.String()),
    startedAt: Type.String(),
    durationSec: Type.Number(),
    devices: Type.Integer(),
    peakConnected: Type.Integer(),
    connectRatePerSec: Type.Number(),
    publishesSent: Type.Integer(),
    acked: Type.Integer(),
    stored: Type.Integer(),
    lost: Type.Integer(),
    /** Devices with fewer stored than acknowledged messages (first 100). */
    lostDevices: Type.Array(Type.Object({ deviceId: Type.String(), acked: Type.Integer(), stored: Type.Integer() })),
    publishRatePerSec: Type.Number(),
    ackLatencyMs: Percentiles,
    endToEndLatencyMs: Percentiles,
    errors: Type.Record(Type.String(), Type.Integer()),
    agents: Type.Array(
      Type.Object({
        agentId: Type.String(),
        hostname: Type.String(),
        devices: Type.Integer(),
        peakConnected: Type.Integer(),
        usage: ProcessUsage,
        peakRssBytes: Type.Integer(),
        /** RSS growth from the agent's idle baseline to its peak, per connection at peak. */
        bytesPerConnection: Type.Union([Type.Number(), Type.Null()])
      })
    ),
    /** Scenario elements a Tsung import could not map, and notes about what it did map. */
    unsupported: Type.Array(Type.String()),
    /** Platform processes sampled during the run (empty when the run used a platform it did not start and could not find). */
    platform: Type.Array(
      Type.Object({
        name: Type.String(),
        usage: ProcessUsage,
        peakRssBytes: Type.Integer(),
        /** RSS growth from before the run to its peak, per connection at peak (gateway processes). */
        bytesPerConnection: Type.Union([Type.Number(), Type.Null()])
      })
    ),
    target: Type.Object({ controlPlane: Type.String(), dataPlane: Type.String(), mqtt: Type.String(), startedByRun: Type.Boolean() }),
    series: Type.Array(SeriesPoint)
  },
  { additionalProperties: false }
);
export type Report = Static<typeof Report>;
