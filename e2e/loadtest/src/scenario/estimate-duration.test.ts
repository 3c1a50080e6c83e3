import { describe, expect, it } from 'vitest';
import type { SessionStep } from '../contracts/scenario.ts';
import { arrivalsEndMs, defaultMaxDurationMs, estimateDurationMs, sessionDurationMs } from './estimate-duration.ts';

const publish: SessionStep = { kind: 'publish', topic: 't', qos: 1, retain: false, payload: { kind: 'size', bytes: 1 }, stamped: true };
const session: SessionStep[] = [
  { kind: 'connect', protocolVersion: 4, cleanStart: true, keepaliveSec: 60, sessionExpirySec: 0 },
  {
    kind: 'loop',
    count: 3,
    steps: [publish, { kind: 'think', meanMs: 100, distribution: 'exponential' }, { kind: 'loop', count: 2, steps: [{ kind: 'think', meanMs: 10, distribution: 'fixed' }] }]
  },
  { kind: 'stay', durationMs: 5000 },
  { kind: 'stay' },
  { kind: 'disconnect' }
];

describe('estimateDurationMs', () => {
  it('counts think means and stays, loops multiplied out, and nothing for an open-ended stay', () => {
    expect(sessionDurationMs(session)).toBe(3 * (100 + 2 * 10) + 5000);
  });

  it('ends arrivals at the last device to start', () => {
    // 10/s for 2 s starts devices at 0, 100, …, 1900 ms; the second phase starts the last 5 over 1 s.
    const phases = [
      { name: 'a', durationMs: 2000, ratePerSec: 10 },
      { name: 'b', durationMs: 1000, total: 5 }
    ];
    expect(arrivalsEndMs({ phases, devices: 25 })).toBe(2000 + 4 * 200);
    expect(arrivalsEndMs({ phases, devices: 20 })).toBe(1900);
  });

  it('is the last arrival plus one session', () => {
    const scenario = { phases: [{ name: 'ramp', durationMs: 10_000, ratePerSec: 100 }], devices: 1000, session };
    expect(estimateDurationMs(scenario)).toBe(9990 + 5360);
  });

  it('gives the default maxDuration room for a run slower than planned', () => {
    const scenario = { phases: [{ name: 'ramp', durationMs: 10_000, ratePerSec: 100 }], devices: 1000, session };
    expect(defaultMaxDurationMs(scenario)).toBe(Math.ceil(1.5 * estimateDurationMs(scenario)) + 120_000);
  });
});
