import type { AgentStats } from '../contracts/agent-protocol.ts';
import type { Scenario } from '../contracts/scenario.ts';

// Values the controller's unit tests build their cases from; each test overrides what it is about.

export function unitScenario(devices: number, maxErrorRatio = 0): Scenario {
  return {
    name: 'unit',
    description: '',
    devices,
    phases: [{ name: 'ramp', durationMs: 1000, total: devices }],
    session: [{ kind: 'disconnect' }],
    thresholds: { maxLost: 0, maxErrorRatio, storeWaitMs: 0 },
    maxDurationMs: 10_000
  };
}

export function agentStats(agentId: string, at: number, fields: Partial<AgentStats> = {}): AgentStats {
  return {
    agentId,
    at,
    phase: 'ramp',
    devicesStarted: 0,
    devicesFinished: 0,
    connected: 0,
    connects: 0,
    publishesSent: 0,
    acked: 0,
    received: 0,
    errors: {},
    ackLatencyUs: '',
    endToEndLatencyUs: '',
    process: { pid: 1, cpuUserMs: 0, cpuSystemMs: 0, rssBytes: 50_000_000, heapUsedBytes: 0 },
    ...fields
  };
}
