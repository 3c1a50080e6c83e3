import { Type, type Static } from 'typebox';
import { Scenario } from './scenario.ts';

// What the controller and its agents say to each other over HTTP (the controller's `/api/agents`
// routes). Local agents use the same protocol as agents started on other hosts with
// `--controller URL`, so a one-host run exercises the multi-host path.

export const AgentHello = Type.Object(
  {
    hostname: Type.String(),
    pid: Type.Integer(),
    /** Local addresses this agent may bind (other hosts: their configured aliases); empty: the controller picks from 127.0.0.0/8. */
    sourceAddresses: Type.Array(Type.String())
  },
  { additionalProperties: false }
);
export type AgentHello = Static<typeof AgentHello>;

export const DeviceSlice = Type.Object(
  {
    /** Index in the run's fleet of this agent's first device; its devices are contiguous. */
    firstIndex: Type.Integer({ minimum: 0 }),
    ids: Type.Array(Type.String()),
    /** Device tokens, in memory only: they never touch the disk in clear. */
    tokens: Type.Array(Type.String())
  },
  { additionalProperties: false }
);
export type DeviceSlice = Static<typeof DeviceSlice>;

export const Assignment = Type.Object(
  {
    runId: Type.String(),
    agentId: Type.String(),
    scenario: Scenario,
    mqtt: Type.Object({ host: Type.String(), port: Type.Integer() }, { additionalProperties: false }),
    sourceAddresses: Type.Array(Type.String(), { minItems: 1 }),
    devices: DeviceSlice,
    /** This agent's share of every phase's arrivals (its devices / the fleet). */
    share: Type.Number({ minimum: 0, maximum: 1 }),
    /** Epoch ms at which every agent starts the first phase together. */
    startAt: Type.Integer(),
    statsIntervalMs: Type.Integer({ minimum: 100 }),
    /**
     * CONNECTs this agent may have waiting for a CONNACK (default 500). The controller splits one
     * budget over its agents: past the platform's connect rate, arrivals should queue in the
     * agents, not as thousands of CONNECTs timing out in the gateway's authentication.
     */
    maxConnectsInFlight: Type.Optional(Type.Integer({ minimum: 1 }))
  },
  { additionalProperties: false }
);
export type Assignment = Static<typeof Assignment>;

export const ProcessUsage = Type.Object(
  {
    pid: Type.Integer(),
    cpuUserMs: Type.Number(),
    cpuSystemMs: Type.Number(),
    rssBytes: Type.Integer(),
    heapUsedBytes: Type.Integer()
  },
  { additionalProperties: false }
);
export type ProcessUsage = Static<typeof ProcessUsage>;

/** Sent every `statsIntervalMs`. Counters are cumulative; histograms cover the interval only. */
export const AgentStats = Type.Object(
  {
    agentId: Type.String(),
    at: Type.Integer({ description: 'Epoch ms when the snapshot was taken.' }),
    /** Phase the agent's arrivals are in; `done` once every device has started. */
    phase: Type.String(),
    devicesStarted: Type.Integer(),
    devicesFinished: Type.Integer(),
    connected: Type.Integer(),
    connects: Type.Integer(),
    publishesSent: Type.Integer(),
    acked: Type.Integer(),
    received: Type.Integer(),
    /** Cumulative count per error kind, e.g. `connect_refused`, `connect_timeout`, `closed_by_server`, `puback_error`. */
    errors: Type.Record(Type.String(), Type.Integer()),
    /** HdrHistogram (compressed base64) of PUBACK latency in µs over the interval. */
    ackLatencyUs: Type.String(),
    /** HdrHistogram (compressed base64) of publish-to-delivery latency in µs of stamped messages received. */
    endToEndLatencyUs: Type.String(),
    process: ProcessUsage
  },
  { additionalProperties: false }
);
export type AgentStats = Static<typeof AgentStats>;

/** The controller's answer to a stats report. */
export const AgentDirective = Type.Object(
  { action: Type.Union([Type.Literal('continue'), Type.Literal('finish'), Type.Literal('abort')]) },
  { additionalProperties: false }
);
export type AgentDirective = Static<typeof AgentDirective>;

/** Sent once, after `finish`: per device (same order as the slice) the messages acknowledged. */
export const AgentResult = Type.Object(
  {
    agentId: Type.String(),
    firstIndex: Type.Integer(),
    ackedPerDevice: Type.Array(Type.Integer({ minimum: 0 })),
    sentPerDevice: Type.Array(Type.Integer({ minimum: 0 })),
    final: AgentStats
  },
  { additionalProperties: false }
);
export type AgentResult = Static<typeof AgentResult>;
